#pragma once
#include "pierre/core/identity.hpp"

namespace pierre::auth {

// What a verified token says and what login returns (see pierre/core/identity.hpp).
using Identity = pierre::Identity;

}  // namespace pierre::auth
