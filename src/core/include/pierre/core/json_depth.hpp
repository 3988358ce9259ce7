#pragma once
// A pre-parse guard for JSON from outside: copying, validating and destroying nlohmann::json values recurses, so a
// hostile document nested 100 000 deep would exhaust the stack. Checking the bracket depth first (strings skipped,
// escapes honoured) is linear and allocates nothing.

#include <cstddef>
#include <string_view>

namespace pierre {

constexpr bool json_nesting_within(std::string_view text, int max_depth) noexcept {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace pierre
