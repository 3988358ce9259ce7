#pragma once
#include <string>
#include <vector>

namespace pierre::auth {

// Who a request acts as: what a verified token says, and what login returns.
struct Identity {
  std::string user_id;
  std::string tenant_id;
  std::string role;  // "super_admin" | "admin" | "user"
  std::vector<std::string> scopes;

  friend bool operator==(const Identity&, const Identity&) = default;
};

}  // namespace pierre::auth
