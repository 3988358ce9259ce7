#include "fake_strava.hpp"
