#pragma once
// The browser's part of connecting a fitness provider against one of the fakes (tests/support/fake_*), for suites
// that need a connection as a means rather than as the subject (the provider suite checks each step in detail):
// POST /api/providers/{p}/connect → the fake's authorize URL (it approves at once with a 302) → our callback.

#include <gtest/gtest.h>

#include <string>

#include "identity_support.hpp"
#include "server_process.hpp"

namespace pierre::testing {

// "http://127.0.0.1:PORT/path?q" → (PORT, "/path?q"); nullopt for anything else.
struct LoopbackTarget {
  std::uint16_t port = 0;
  std::string target;
};

inline std::optional<LoopbackTarget> loopback_target(const std::string& url) {
  constexpr std::string_view kPrefix = "http://127.0.0.1:";
  if (!url.starts_with(kPrefix)) return std::nullopt;
  const auto rest = url.substr(kPrefix.size());
  const auto slash = rest.find('/');
  return LoopbackTarget{static_cast<std::uint16_t>(std::stoi(rest.substr(0, slash))),
                        slash == std::string::npos ? "/" : rest.substr(slash)};
}

// Runs the whole browser flow for `provider` as the holder of `token` on the server at `server_port`; returns our
// callback's response (200 with an HTML page when the connection was made).
inline HttpResponse connect_provider(std::uint16_t server_port, const std::string& token, const std::string& provider) {
  HttpClient client(server_port);
  auto started = authed(client, boost::beast::http::verb::post, "/api/providers/" + provider + "/connect", token);
  EXPECT_EQ(started.result_int(), 200) << started.body();
  const auto authorize = loopback_target(body_json(started).value("authorization_url", ""));
  EXPECT_TRUE(authorize.has_value()) << started.body();
  if (!authorize) return started;
  HttpClient browser(authorize->port);  // the fakes answer one request per connection
  auto redirect = browser.get(authorize->target);
  EXPECT_EQ(redirect.result_int(), 302) << redirect.body();
  const auto back = loopback_target(header(redirect, "Location"));
  EXPECT_TRUE(back.has_value() && back->port == server_port) << header(redirect, "Location");
  if (!back) return redirect;
  HttpClient returning(server_port);
  return authed(returning, boost::beast::http::verb::get, back->target, token);
}

}  // namespace pierre::testing
