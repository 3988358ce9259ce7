#pragma once
// The outbound-HTTP policy a provider client needs to reach the fakes of tests/support on loopback: plain http and
// private addresses allowed, which the production policy refuses.

#include <chrono>

#include "pierre/net/http_client.hpp"

namespace pierre::testing {

inline net::FetchPolicy loopback_policy(std::chrono::milliseconds total = std::chrono::milliseconds(5000)) {
  net::FetchPolicy p;
  p.allowed_schemes = {"http"};
  p.allow_private_addresses = true;
  p.total_timeout = total;
  return p;
}

}  // namespace pierre::testing
