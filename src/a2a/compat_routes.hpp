#pragma once
// Pierre's /a2a/* REST endpoints (compatibility with the original server's A2A surface). Module-internal; the
// routes and their JSON are documented in README.md ("Agent-to-agent (A2A)").

#include <string>

#include "clients.hpp"
#include "monitor.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/http/router.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::a2a {

struct CompatServices {
  const tools::Registry& registry;
  Monitor& monitor;
  ClientRegistry& clients;
  ClientQuotas& quotas;
  auth::UserService& users;
  std::string base_url;
};

// Everything referenced must outlive the router.
void register_compat_routes(http::Router& router, const CompatServices& services);

}  // namespace pierre::a2a
