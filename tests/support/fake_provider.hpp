#pragma once
// What the fake providers (fake_strava, fake_garmin, fake_fitbit) share, so the sync engine and integration tests can
// drive any of them the same way: one loopback server for the API and OAuth endpoints, an OAuth authorization that
// approves at once (302 to redirect_uri with code and state), tokens it issued and can expire or revoke, scripted
// faults for the next API requests, seeded activities, and counters of what the client asked for.
//
// FakeOAuth holds the token bookkeeping (thread-safe); each fake renders it in its provider's wire format.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fake_http_server.hpp"

namespace pierre::testing {

enum class FakeFault {
  none,
  unauthorized,    // 401 as for an expired or revoked token
  rate_limited,    // 429 with the provider's rate-limit headers (and Retry-After where the provider sends one)
  server_error,    // 500/503
  malformed_json,  // 200 with a body that is not JSON
  slow,            // the normal answer, delayed beyond any sane client timeout (5 s)
  wrong_shape,     // 200 with JSON of another shape
};

struct FakeProviderStats {
  int authorizations = 0;  // authorize requests answered with a code
  int code_exchanges = 0;  // successful authorization_code grants
  int refreshes = 0;       // refresh_token grant requests (successful or not)
  int revocations = 0;     // deauthorize / revoke requests
  int api_calls = 0;       // every non-OAuth request, including faulted ones
  int activity_list_calls = 0;
  int activity_detail_calls = 0;  // detail, streams, laps or file requests
};

class FakeProvider {
 public:
  static constexpr const char* kClientId = "fake-client-id";
  static constexpr const char* kClientSecret = "fake-client-secret";

  virtual ~FakeProvider() = default;
  [[nodiscard]] virtual std::string name() const = 0;  // "strava" | "garmin" | "fitbit"
  // "http://127.0.0.1:PORT" — use it as both <NAME>_API_BASE_URL and <NAME>_OAUTH_BASE_URL.
  [[nodiscard]] virtual std::string base_url() const = 0;

  // `count` deterministic activities (mixed sports, with samples), the newest starting at newest_start_ms and one
  // about every 20 h going back. Replaces what was there.
  virtual void seed_activities(int count, std::int64_t newest_start_ms) = 0;
  // One more activity starting at start_ms (a new upload, e.g. before a webhook event); returns its provider id.
  virtual std::string add_activity(std::int64_t start_ms) = 0;
  [[nodiscard]] virtual int activity_count() const = 0;

  // Every access token issued so far answers 401 from now on (refresh still works).
  virtual void expire_access_tokens() = 0;
  // Every refresh token issued so far is rejected from now on (the user revoked access at the provider).
  virtual void revoke_refresh_tokens() = 0;
  // The next `times` API requests (not OAuth) fail with `fault`.
  virtual void fail_next(FakeFault fault, int times = 1) = 0;
  // Access tokens issued from now on live this long (default 6 h).
  virtual void set_token_lifetime_s(std::int64_t seconds) = 0;
  // A delay added to every token-endpoint answer (to widen races in single-flight refresh tests).
  virtual void set_token_delay_ms(int ms) = 0;

  [[nodiscard]] virtual FakeProviderStats stats() const = 0;
  [[nodiscard]] virtual std::vector<std::string> targets() const = 0;  // every request's method + target
};

// Token bookkeeping shared by the fakes. Codes are single-use; access and refresh tokens are random-looking,
// deterministic strings ("<prefix>-at-<n>").
class FakeOAuth {
 public:
  explicit FakeOAuth(std::string prefix) : prefix_(std::move(prefix)) {}

  struct Issued {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in_s = 0;
    std::int64_t expires_at_s = 0;  // epoch seconds
  };

  // An authorization code for this redirect/PKCE challenge (challenge empty when the provider has no PKCE).
  std::string issue_code(std::string redirect_uri, std::string code_challenge, std::string scope);
  // authorization_code grant: nothing when the code is unknown or used, the redirect URI differs, or the PKCE
  // verifier does not match the challenge (S256).
  std::optional<Issued> exchange(std::string_view code, std::string_view redirect_uri, std::string_view verifier);
  // refresh_token grant: nothing when the refresh token is unknown or revoked. Rotates the refresh token when
  // `rotate` (Google and Garmin rotate or may; Strava may return the same).
  std::optional<Issued> refresh(std::string_view refresh_token, bool rotate);
  // Whether an API request's bearer token is currently valid.
  [[nodiscard]] bool valid(std::string_view access_token) const;
  void revoke(std::string_view token);  // access or refresh token: both of that grant stop working

  void expire_access_tokens();
  void revoke_refresh_tokens();
  void set_lifetime_s(std::int64_t seconds);

 private:
  struct Code {
    std::string redirect_uri, challenge, scope;
  };
  Issued issue_locked();

  mutable std::mutex mutex_;
  std::string prefix_;
  int counter_ = 0;
  std::int64_t lifetime_s_ = 6 * 3600;
  std::map<std::string, Code, std::less<>> codes_;
  std::map<std::string, std::int64_t, std::less<>> access_;  // token → expires_at_s
  std::set<std::string, std::less<>> refresh_;
  std::map<std::string, std::string, std::less<>> pair_;  // access ↔ refresh of one grant (both directions)
};

// Faults scripted for the next API requests (thread-safe).
class FaultScript {
 public:
  void push(FakeFault fault, int times);
  // The fault for this request (none when the script is empty); consumes one.
  FakeFault next();

 private:
  std::mutex mutex_;
  std::vector<FakeFault> queue_;
};

// The fakes, each on its own loopback server (fake_strava.cpp, fake_garmin.cpp, fake_fitbit.cpp).
std::unique_ptr<FakeProvider> make_fake_strava();
std::unique_ptr<FakeProvider> make_fake_garmin();
std::unique_ptr<FakeProvider> make_fake_fitbit();
// By provider name; nullptr for an unknown name.
std::unique_ptr<FakeProvider> make_fake_provider(std::string_view name);

}  // namespace pierre::testing
