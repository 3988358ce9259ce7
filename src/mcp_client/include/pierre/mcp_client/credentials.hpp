#pragma once
// What the bridge puts on each request to the server, and what it does when the server refuses it.
//   FixedCredentials: --api-key (X-API-Key) or --token (Bearer); a refusal is final.
//   OAuthCredentials: tokens from the store; refreshed shortly before they expire and after a 401, the browser flow
//   only when there are none or the refresh fails. One thread at a time refreshes or authorises; the others wait and
//   then use its result.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/mcp_client/diagnostics.hpp"
#include "pierre/mcp_client/oauth_client.hpp"
#include "pierre/mcp_client/token_store.hpp"

namespace pierre::mcp_client {

struct AuthHeader {
  std::string name;
  std::string value;
  friend bool operator==(const AuthHeader&, const AuthHeader&) = default;
};

class Credentials {
 public:
  virtual ~Credentials() = default;
  // The header for the next request (may refresh or run the browser flow first).
  virtual Result<AuthHeader> current() = 0;
  // The server answered 401 to a request that carried `sent`: obtain better credentials, or fail.
  virtual Result<void> rejected(const AuthHeader& sent, std::string_view www_authenticate) = 0;
  // The bridge is shutting down: stop waiting for anything interactive (a browser login). Any thread.
  virtual void abandon() noexcept {}
};

class FixedCredentials final : public Credentials {
 public:
  static FixedCredentials api_key(std::string key) { return FixedCredentials({"X-API-Key", std::move(key)}); }
  static FixedCredentials bearer(std::string token) { return FixedCredentials({"Authorization", "Bearer " + token}); }

  Result<AuthHeader> current() override { return header_; }
  Result<void> rejected(const AuthHeader&, std::string_view) override;

 private:
  explicit FixedCredentials(AuthHeader header) : header_(std::move(header)) {}
  AuthHeader header_;
};

using Clock = std::function<std::int64_t()>;  // Unix seconds

class OAuthCredentials final : public Credentials {
 public:
  // Tokens within this many seconds of expiry are refreshed before use: enough for a request to reach the server,
  // and well under the shortest lifetime the server issues (PIERRE_OAUTH_ACCESS_TOKEN_SECS ≥ 60), so short-lived
  // tokens are not refreshed on every request.
  static constexpr std::int64_t kRefreshMarginSeconds = 30;

  OAuthCredentials(TokenStore store, OAuthClient& oauth, std::string server_url, std::string mcp_url, Clock clock,
                   const Diagnostics& diagnostics)
      : store_(std::move(store)),
        oauth_(oauth),
        server_url_(std::move(server_url)),
        mcp_url_(std::move(mcp_url)),
        clock_(std::move(clock)),
        diagnostics_(diagnostics) {}

  Result<AuthHeader> current() override;
  Result<void> rejected(const AuthHeader& sent, std::string_view www_authenticate) override;
  void abandon() noexcept override { oauth_.abandon(); }

 private:
  Result<void> load_locked();
  // `refused_access_token`: the token the server just refused ("" when renewing early).
  Result<void> refresh_or_authorize_locked(std::string_view resource_metadata_hint,
                                           std::string_view refused_access_token);
  Result<void> authorize_locked(std::string_view resource_metadata_hint);
  Result<void> adopt_locked(StoredCredentials credentials);
  [[nodiscard]] AuthHeader header_locked() const { return {"Authorization", "Bearer " + stored_->access_token}; }

  std::mutex mutex_;
  TokenStore store_;
  OAuthClient& oauth_;
  std::string server_url_;
  std::string mcp_url_;
  Clock clock_;
  const Diagnostics& diagnostics_;
  bool loaded_ = false;
  std::optional<StoredCredentials> stored_;
};

}  // namespace pierre::mcp_client
