#pragma once
// ASCII text helpers for protocol tokens (header values, scheme and enum names, SQL keywords). ASCII only on purpose:
// std::tolower depends on the process locale, and a protocol token must compare the same everywhere.

#include <algorithm>
#include <string>
#include <string_view>

namespace pierre::text {

constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// `s` without leading and trailing ASCII whitespace (is_space).
constexpr std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

constexpr char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), to_lower);
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

}  // namespace pierre::text
