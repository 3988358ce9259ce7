#pragma once
#include "fake_provider.hpp"
