#include "fake_garmin.hpp"
