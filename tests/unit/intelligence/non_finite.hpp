#pragma once
// Non-finite inputs every formula must survive (a NaN from a sensor gap, an infinity from a division by zero).

#include <limits>

namespace pierre::intelligence::testing {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace pierre::intelligence::testing
