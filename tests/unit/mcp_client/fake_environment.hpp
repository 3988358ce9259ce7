#pragma once
// A stand-in for getenv that the functions taking a `Getenv` can be given, so tests do not depend on (or change) the
// environment they run in.

#include <map>
#include <string>
#include <string_view>

namespace pierre::mcp_client::test_support {

inline std::map<std::string, std::string>& fake_environment() {
  static std::map<std::string, std::string> values;
  return values;
}

inline std::string_view fake_getenv(const char* name) {
  const auto it = fake_environment().find(name);
  return it == fake_environment().end() ? std::string_view{} : std::string_view(it->second);
}

}  // namespace pierre::mcp_client::test_support
