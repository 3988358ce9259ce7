#include "fake_fitbit.hpp"
