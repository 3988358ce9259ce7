#pragma once
// What the identity and admin integration suites share: a server with a fixed master key and fast (RSA-2048)
// signing-key generation, the admin they set up, and JSON request/response helpers.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server_process.hpp"

namespace pierre::testing {

inline constexpr const char* kMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
inline constexpr const char* kAdminEmail = "admin@example.com";
inline constexpr const char* kAdminPassword = "correct horse battery 42";

inline LaunchOptions identity_server(const TempDir& dir, const std::string& database_url = "sqlite::memory:") {
  LaunchOptions o;
  o.args = {"--dev", "--port", "0", "--host", "127.0.0.1", "--data-dir", dir.path(), "--database-url", database_url};
  o.env = {{"LOG_LEVEL", "warn"},
           {"HTTP_THREADS", "2"},
           {"PIERRE_RSA_KEY_SIZE", "2048"},
           {"PIERRE_MASTER_ENCRYPTION_KEY", kMasterKey}};
  return o;
}

inline nlohmann::json body_json(const HttpResponse& res) {
  const auto parsed = nlohmann::json::parse(res.body(), nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << res.body();
  return parsed;
}

// POSTs `body` verbatim as application/json (malformed bodies included).
inline HttpResponse post_body(HttpClient& c, const std::string& target, const std::string& body) {
  return c.request(boost::beast::http::verb::post, target, body, {{"Content-Type", "application/json"}});
}

}  // namespace pierre::testing
