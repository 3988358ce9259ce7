#pragma once
// providers — Pierre as an OAuth *client* of fitness services. A Provider speaks one service's wire format (OAuth
// endpoints, activity list, activity detail with samples, athlete profile) and maps it onto the activity model
// (SI units, our SportType). It holds no user state: tokens come in as arguments, so one instance serves every user
// and thread. Connections, token storage, refresh and sync live beside it (connections.hpp, sync.hpp).
//
// Errors every call may return; the token manager and the sync engine act on the code, tools show the message:
//   external_auth_failed          401/403: the access token is expired or revoked; from exchange_code/refresh: the
//                                 code or refresh token was rejected (the connection needs re-authorisation)
//   external_rate_limited         429 (details.retry_after_s when the provider said)
//   external_service_unavailable  5xx, timeouts, refused connections: transient, retry with backoff
//   external_service_error        malformed or unexpected responses, other 4xx: permanent for this call
//   resource_not_found            404 for one activity
//   config_missing                the provider has no client credentials on this server
// Messages never contain a token, a client secret or a response body.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/activity/import.hpp"
#include "pierre/activity/model.hpp"
#include "pierre/core/error.hpp"
#include "pierre/net/http_client.hpp"

namespace pierre::providers {

// The names used in URLs, tool arguments, configuration and the activities.source column.
inline constexpr std::string_view kStrava = "strava";
inline constexpr std::string_view kGarmin = "garmin";
inline constexpr std::string_view kFitbit = "fitbit";

struct Settings {
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;    // where the provider sends the browser back: {PUBLIC_URL}/oauth/callback/{name}
  std::string api_base_url;    // no trailing slash
  std::string oauth_base_url;  // no trailing slash
  net::FetchPolicy policy;     // https + public addresses in production; loopback http for fake providers in tests
  [[nodiscard]] bool configured() const noexcept { return !client_id.empty() && !client_secret.empty(); }
};

struct TokenSet {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_at_ms = 0;  // UTC epoch ms; 0 = the provider did not say
  std::string scope;               // as granted (may be narrower than asked)
  std::string account_id;          // the provider's id of the account (Strava athlete id, Garmin user id…), or ""
};

// What the provider's latest responses said about its rate limits; absent = not reported.
struct RateLimitState {
  std::optional<std::int64_t> short_limit;  // Strava: per 15 minutes; Fitbit/Google: per hour
  std::optional<std::int64_t> short_usage;
  std::optional<std::int64_t> daily_limit;
  std::optional<std::int64_t> daily_usage;
  std::optional<std::int64_t> retry_after_s;  // from the last 429
  std::int64_t observed_at_ms = 0;            // when these numbers were read (0 = never)
};

struct ListQuery {
  std::optional<std::int64_t> after_ms;   // only activities that start after this
  std::optional<std::int64_t> before_ms;  // only activities that start before this
  std::string page_token;                 // the previous page's next_page_token; "" = first page
  int per_page = 100;                     // the provider's maximum is used when this exceeds it
};

struct ActivityPage {
  // Summaries as the list endpoint gives them: source = the provider's name, external_id = its id, no `id`, no
  // laps. Order as the provider returns it.
  std::vector<activity::Activity> activities;
  std::string next_page_token;  // "" = this was the last page
};

class Provider {
 public:
  Provider() = default;
  virtual ~Provider() = default;
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual bool configured() const noexcept = 0;
  // Whether authorization_url uses the PKCE code_challenge (S256) and exchange_code needs the verifier.
  [[nodiscard]] virtual bool uses_pkce() const noexcept = 0;
  // The URL the user's browser opens to grant access. `state` is opaque to the provider and comes back unchanged.
  [[nodiscard]] virtual std::string authorization_url(std::string_view state,
                                                      std::string_view code_challenge) const = 0;
  virtual Result<TokenSet> exchange_code(std::string_view code, std::string_view code_verifier) = 0;
  // Providers that rotate refresh tokens return the new one; those that do not return the one given.
  virtual Result<TokenSet> refresh(std::string_view refresh_token) = 0;
  // Revokes the grant at the provider: true when it did, false when the provider has no revocation endpoint.
  virtual Result<bool> revoke(const TokenSet& tokens) = 0;

  virtual Result<ActivityPage> list_activities(std::string_view access_token, const ListQuery& query) = 0;
  // One activity in full: summary, laps where the provider has them, and samples (Strava streams, Garmin's FIT
  // file, Google Health telemetry).
  virtual Result<activity::NewActivity> activity_detail(std::string_view access_token,
                                                        std::string_view external_id) = 0;
  // The detail as a provider's notification pointed at it (`notice_ref`, e.g. Garmin's activity-file callbackURL,
  // a one-time pull URL). Providers whose notifications carry no such reference answer activity_detail.
  virtual Result<activity::NewActivity> notified_activity_detail(std::string_view access_token,
                                                                 std::string_view external_id,
                                                                 std::string_view notice_ref) {
    (void)notice_ref;
    return activity_detail(access_token, external_id);
  }
  virtual Result<activity::Athlete> athlete(std::string_view access_token) = 0;

  // A snapshot of the latest rate-limit headers (thread-safe).
  [[nodiscard]] virtual RateLimitState rate_limit() const = 0;
};

std::unique_ptr<Provider> make_strava(Settings settings);
std::unique_ptr<Provider> make_garmin(Settings settings);
std::unique_ptr<Provider> make_fitbit(Settings settings);  // the Google Health API (Fitbit's successor)

}  // namespace pierre::providers
