// The Garmin Connect Developer Program client: OAuth 2.0 with PKCE, the Health/Activity API ("wellness-api") for
// activity summaries by upload-time window, and the activity's FIT file for the detail (decoded by the project's own
// FIT decoder through activity::decode_activity_file).
//
// Wire facts this file relies on (Garmin Connect Developer Program: OAuth2 PKCE guide, Activity API):
//   authorize   GET  https://connect.garmin.com/oauth2Confirm?client_id&response_type=code&redirect_uri
//                    &code_challenge&code_challenge_method=S256&state
//   token       POST https://diauth.garmin.com/di-oauth2-service/oauth/token (form: grant_type, client_id,
//                    client_secret, code + code_verifier + redirect_uri | refresh_token) →
//                    {access_token, refresh_token, expires_in, refresh_token_expires_in, scope, token_type, jti}
//   user id     GET  {api}/wellness-api/rest/user/id → {"userId": "…"} (the stable identifier pings carry)
//   deregister  DELETE {api}/wellness-api/rest/user/registration → 204
//   summaries   GET  {api}/wellness-api/rest/activities?uploadStartTimeInSeconds&uploadEndTimeInSeconds, at most
//                    86 400 s per request (longer ranges are refused with 400) → [ {summaryId, activityId, …} ]
//   file        GET  {api}/wellness-api/rest/activityFile?id=…&token=… → the FIT (or TCX/GPX) bytes; the URL comes
//                    from an activityFiles ping's callbackURL (one download, valid 24 h); without one the file is
//                    asked for by activity id (the pull form; assumed, not documented for OAuth 2.0 partners)

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <span>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/core/time.hpp"
#include "pierre/providers/provider.hpp"
#include "wire.hpp"

namespace pierre::providers {
namespace {

using nlohmann::json;

// The real OAuth endpoints span two hosts: the consent page on connect.garmin.com, the token endpoint on
// diauth.garmin.com. GARMIN_OAUTH_BASE_URL names one base, so: when it is the default (or empty) the real URLs are
// used; when it is overridden (a fake provider in tests, a proxy) every OAuth endpoint sits under it at its real
// path, /oauth2Confirm and /di-oauth2-service/oauth/token.
constexpr std::string_view kGarminOAuthBase = "https://connect.garmin.com";
constexpr std::string_view kDefaultApiBase = "https://apis.garmin.com";
constexpr std::string_view kAuthorizePath = "/oauth2Confirm";
constexpr std::string_view kTokenPath = "/di-oauth2-service/oauth/token";
constexpr std::string_view kRealTokenBase = "https://diauth.garmin.com";

constexpr std::string_view kUserIdPath = "/wellness-api/rest/user/id";
constexpr std::string_view kRegistrationPath = "/wellness-api/rest/user/registration";
constexpr std::string_view kActivitiesPath = "/wellness-api/rest/activities";
constexpr std::string_view kActivityFilePath = "/wellness-api/rest/activityFile";

// Garmin refuses summary queries spanning more than 24 h of upload time.
constexpr std::int64_t kWindowS = 86'400;
// Upload windows one list page may walk before it answers (stopping early at the first window with activities):
// the API cannot skip empty days, so this bounds one call's latency (≤ 7 requests) while sparing the caller a page
// per empty day.
constexpr int kWindowsPerPage = 7;
// Without after_ms the walk goes back five years: the history Garmin keeps for the Activity API's backfill, so
// anything older is not served anyway.
constexpr std::int64_t kDefaultHistoryS = 1826 * kWindowS;
// An activity is uploaded after it starts, possibly much later (a watch synced the next day). With an explicit
// before_ms the walk starts this long after it so activities that started just before it are still found; they are
// then filtered by start time. Later uploads of older activities reach the server through Garmin's pings.
constexpr std::int64_t kUploadGraceS = kWindowS;
// Activity files are far larger than JSON answers: a 10 h ride at 1 Hz is a few MB.
constexpr std::size_t kMaxFileBytes = 32 * 1024 * 1024;

using wire::floor_div;

std::unexpected<Error> not_configured() {
  return fail(ErrorCode::config_missing, "Garmin is not configured on this server (GARMIN_CLIENT_ID/SECRET)");
}

std::unexpected<Error> unreadable(std::string_view what, std::string_view why) {
  spdlog::warn("garmin: unusable response from {}: {}", what, why);
  return fail(ErrorCode::external_service_error,
              fmt::format("{}: Garmin sent a response this server cannot read", what));
}

// A number that is present and finite.
std::optional<double> finite(const json& object, std::string_view key) {
  auto value = wire::number(object, key);
  if (value && !std::isfinite(*value)) return std::nullopt;
  return value;
}

// One element of the activities array → a summary (source "garmin", external_id = Garmin's activityId, which stays
// the same across Garmin's summary types, unlike summaryId: "123", "123-detail", "123-file").
Result<activity::Activity> map_summary(const json& item) {
  static constexpr std::string_view kWhat = "Garmin activity list";
  if (!item.is_object()) return unreadable(kWhat, "an element is not an object");
  auto id = wire::text(item, "activityId");
  if (!id || id->empty()) id = wire::text(item, "summaryId");
  const auto start_s = finite(item, "startTimeInSeconds");
  // 1e11 s is the year 5138: beyond it the cast below would overflow.
  if (!id || id->empty() || !start_s || *start_s < 0 || *start_s > 1e11) {
    return unreadable(kWhat, "an activity without id or a usable startTimeInSeconds");
  }

  activity::Activity a;
  a.source = std::string(kGarmin);
  a.external_id = std::move(*id);
  a.sport = activity::sport_from_source(wire::text(item, "activityType").value_or(""));
  a.name = wire::text(item, "activityName").value_or("");
  a.device = wire::text(item, "deviceName").value_or("");
  // Multisport: a parent summary and one child per leg, the children naming the parent.
  if (auto parent = wire::text(item, "parentSummaryId"); parent && !parent->empty()) {
    a.group_id = "garmin:" + *parent;
  } else if (const auto parent_flag = item.find("isParent");
             parent_flag != item.end() && parent_flag->is_boolean() && parent_flag->get<bool>()) {
    a.group_id = "garmin:" + wire::text(item, "summaryId").value_or(a.external_id);
  }

  auto& s = a.summary;
  s.start_time_ms = static_cast<std::int64_t>(*start_s) * 1000;
  if (const auto offset = finite(item, "startTimeOffsetInSeconds"); offset && std::abs(*offset) <= 18 * 3600) {
    s.utc_offset_s = static_cast<std::int32_t>(*offset);
  }
  // The summary has one duration (the timer time); it stands for both, as Garmin reports no moving time here.
  s.elapsed_time_s = finite(item, "durationInSeconds").value_or(0);
  s.moving_time_s = s.elapsed_time_s;
  s.distance_m = finite(item, "distanceInMeters").value_or(0);
  s.total_ascent_m = finite(item, "totalElevationGainInMeters");
  s.total_descent_m = finite(item, "totalElevationLossInMeters");
  s.avg_hr_bpm = finite(item, "averageHeartRateInBeatsPerMinute");
  s.max_hr_bpm = finite(item, "maxHeartRateInBeatsPerMinute");
  s.avg_speed_mps = finite(item, "averageSpeedInMetersPerSecond");
  s.max_speed_mps = finite(item, "maxSpeedInMetersPerSecond");
  s.calories_kcal = finite(item, "activeKilocalories");
  // Cadence in the model is per limb cycle, as FIT records it: a run's steps per minute (both feet) is twice its
  // strides per minute; bike revolutions and swim strokes are already cycles.
  if (const auto bike = finite(item, "averageBikeCadenceInRoundsPerMinute")) {
    s.avg_cadence_rpm = bike;
  } else if (const auto run = finite(item, "averageRunCadenceInStepsPerMinute")) {
    s.avg_cadence_rpm = *run / 2.0;
  } else if (const auto swim = finite(item, "averageSwimCadenceInStrokesPerMinute")) {
    s.avg_cadence_rpm = swim;
  }
  return a;
}

class Garmin final : public Provider {
 public:
  explicit Garmin(Settings settings) : settings_(std::move(settings)) {
    if (settings_.api_base_url.empty()) settings_.api_base_url = std::string(kDefaultApiBase);
    const bool default_oauth = settings_.oauth_base_url.empty() || settings_.oauth_base_url == kGarminOAuthBase;
    authorize_url_ = fmt::format("{}{}", default_oauth ? kGarminOAuthBase : settings_.oauth_base_url, kAuthorizePath);
    token_url_ = fmt::format("{}{}", default_oauth ? kRealTokenBase : settings_.oauth_base_url, kTokenPath);
  }

  [[nodiscard]] std::string_view name() const noexcept override { return kGarmin; }
  [[nodiscard]] bool configured() const noexcept override { return settings_.configured(); }
  [[nodiscard]] bool uses_pkce() const noexcept override { return true; }

  [[nodiscard]] std::string authorization_url(std::string_view state, std::string_view code_challenge) const override {
    // Garmin's consent page asks for no scope: what the user may share is chosen on the page and in the app's
    // settings at Garmin.
    return fmt::format("{}?{}", authorize_url_,
                       wire::form_encode({{"client_id", settings_.client_id},
                                          {"response_type", "code"},
                                          {"redirect_uri", settings_.redirect_uri},
                                          {"code_challenge", code_challenge},
                                          {"code_challenge_method", "S256"},
                                          {"state", state}}));
  }

  Result<TokenSet> exchange_code(std::string_view code, std::string_view code_verifier) override {
    if (!configured()) return not_configured();
    auto tokens = token_request(wire::form_encode({{"grant_type", "authorization_code"},
                                                   {"client_id", settings_.client_id},
                                                   {"client_secret", settings_.client_secret},
                                                   {"code", code},
                                                   {"code_verifier", code_verifier},
                                                   {"redirect_uri", settings_.redirect_uri}}),
                                "", "Garmin token exchange");
    if (!tokens) return tokens;
    // Pings and pushes identify the user by this id only, so a connection without it would be deaf.
    auto user = user_id(tokens->access_token);
    if (!user) return std::unexpected(std::move(user.error()));
    tokens->account_id = std::move(*user);
    return tokens;
  }

  Result<TokenSet> refresh(std::string_view refresh_token) override {
    if (!configured()) return not_configured();
    // Garmin rotates refresh tokens: the response carries a new one, which replaces the old.
    return token_request(wire::form_encode({{"grant_type", "refresh_token"},
                                            {"client_id", settings_.client_id},
                                            {"client_secret", settings_.client_secret},
                                            {"refresh_token", refresh_token}}),
                         refresh_token, "Garmin token refresh");
  }

  Result<bool> revoke(const TokenSet& tokens) override {
    if (!configured()) return not_configured();
    auto done = deregister(tokens.access_token);
    // An expired access token cannot deregister; a fresh one from the refresh token can.
    if (!done && done.error().code == ErrorCode::external_auth_failed && !tokens.refresh_token.empty()) {
      if (auto fresh = refresh(tokens.refresh_token)) done = deregister(fresh->access_token);
    }
    return done;
  }

  Result<ActivityPage> list_activities(std::string_view access_token, const ListQuery& query) override {
    if (!configured()) return not_configured();
    const std::int64_t now_s = now_epoch_ms() / 1000;
    // The query filters on start time; the API selects by upload time (≥ start), so the walk over upload windows
    // runs from before (plus a grace for late uploads) down to after.
    const std::int64_t first_end =
        query.before_ms ? std::min(now_s, floor_div(*query.before_ms, 1000) + kUploadGraceS) : now_s;
    const std::int64_t lower = query.after_ms ? floor_div(*query.after_ms, 1000) : first_end - kDefaultHistoryS;

    std::int64_t end = first_end;
    if (!query.page_token.empty()) {
      const auto& t = query.page_token;
      const bool digits = t.size() <= 12 && t.find_first_not_of("0123456789") == std::string::npos;
      const std::int64_t at = digits ? std::stoll(t) : -1;
      if (!digits || at <= lower || at > first_end) {
        return fail(ErrorCode::invalid_cursor, "the Garmin page token does not belong to this query");
      }
      end = at;
    }

    ActivityPage page;
    for (int windows = 0; end > lower && windows < kWindowsPerPage && page.activities.empty(); ++windows) {
      const std::int64_t start = std::max(lower, end - kWindowS);
      auto items = summaries(access_token, start, end);
      if (!items) return std::unexpected(std::move(items.error()));
      for (auto& a : *items) {
        const auto at = a.summary.start_time_ms;
        if (query.after_ms && at <= *query.after_ms) continue;
        if (query.before_ms && at >= *query.before_ms) continue;
        page.activities.push_back(std::move(a));
      }
      end = start;
    }
    if (end > lower) page.next_page_token = std::to_string(end);
    return page;
  }

  // Without a notification's reference, the file is asked for by activity id (the pull service's form).
  Result<activity::NewActivity> activity_detail(std::string_view access_token, std::string_view external_id) override {
    if (!configured()) return not_configured();
    return activity_file(access_token, external_id,
                         fmt::format("{}?id={}", kActivityFilePath, wire::percent_encode(external_id)));
  }

  // An activityFiles ping names the file by a one-time callbackURL ({api}/wellness-api/rest/activityFile?id=…
  // &token=…, valid 24 h). It is followed only on our own API origin and path, with a plain query: a forged ping must
  // not make the server send a user's token elsewhere (or probe the network behind it).
  Result<activity::NewActivity> notified_activity_detail(std::string_view access_token, std::string_view external_id,
                                                         std::string_view notice_ref) override {
    if (!configured()) return not_configured();
    const auto prefix = fmt::format("{}{}?", settings_.api_base_url, kActivityFilePath);
    const auto query = notice_ref.starts_with(prefix) ? notice_ref.substr(prefix.size()) : std::string_view();
    constexpr std::string_view kQueryCharacters =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%&=+";
    if (query.empty() || query.find_first_not_of(kQueryCharacters) != std::string_view::npos) {
      return fail(ErrorCode::invalid_input, "the notification's activity file URL is not on the Garmin API");
    }
    return activity_file(access_token, external_id, fmt::format("{}?{}", kActivityFilePath, query));
  }

  Result<activity::Athlete> athlete(std::string_view access_token) override {
    if (!configured()) return not_configured();
    // The Health API has no profile (name, weight, HR settings): only the user id, which proves the token works.
    auto user = user_id(access_token);
    if (!user) return std::unexpected(std::move(user.error()));
    activity::Athlete out;
    out.display_name = fmt::format("Garmin user {}", *user);
    return out;
  }

  [[nodiscard]] RateLimitState rate_limit() const override {
    const std::lock_guard lock(rate_mutex_);
    return rate_;
  }

 private:
  Result<activity::NewActivity> activity_file(std::string_view access_token, std::string_view external_id,
                                              std::string_view path_and_query) {
    static constexpr std::string_view kWhat = "Garmin activity file";
    net::FetchPolicy policy = settings_.policy;
    policy.max_response_bytes = std::max(policy.max_response_bytes, kMaxFileBytes);
    policy.accept = "application/octet-stream";
    auto response = send_api("GET", path_and_query, access_token, kWhat, policy);
    if (!response) return std::unexpected(std::move(response.error()));

    const auto* data = reinterpret_cast<const std::uint8_t*>(response->body.data());
    auto recording = activity::decode_activity_file(std::span(data, response->body.size()), "activity.fit");
    if (!recording) {
      return unreadable(kWhat, fmt::format("the file does not decode: {}", recording.error().message));
    }
    auto decoded = activity::activities_from_recording(*recording, external_id);
    if (decoded.empty()) return unreadable(kWhat, "the file holds no session");
    // A multisport file holds one session per leg; Garmin lists the legs as child summaries of their own, so the
    // detail of the parent id is the first leg's. (Only the interface's one-activity answer forces the choice.)
    activity::NewActivity out = std::move(decoded.front());
    out.activity.source = std::string(kGarmin);
    out.activity.external_id = std::string(external_id);
    out.activity.group_id.reset();
    out.activity.lap_count = out.activity.laps.size();
    return out;
  }

  Result<TokenSet> token_request(std::string body, std::string_view previous_refresh, std::string_view what) {
    net::Request request;
    request.method = "POST";
    request.url = token_url_;
    request.body = std::move(body);
    request.content_type = "application/x-www-form-urlencoded";
    auto response = observe(wire::call(request, settings_.policy, what, wire::Endpoint::token));
    if (!response) return std::unexpected(std::move(response.error()));
    auto parsed = wire::json_body(*response, what);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    return wire::token_set(*parsed, now_epoch_ms(), previous_refresh, what);
  }

  Result<net::Response> send_api(std::string_view method, std::string_view path_and_query, std::string_view token,
                                 std::string_view what, const net::FetchPolicy& policy) {
    net::Request request;
    request.method = std::string(method);
    request.url = fmt::format("{}{}", settings_.api_base_url, path_and_query);
    request.headers.emplace_back("Authorization", wire::bearer(token));
    return observe(wire::call(request, policy, what));
  }

  Result<std::string> user_id(std::string_view access_token) {
    static constexpr std::string_view kWhat = "Garmin user id";
    auto response = send_api("GET", kUserIdPath, access_token, kWhat, settings_.policy);
    if (!response) return std::unexpected(std::move(response.error()));
    auto body = wire::json_body(*response, kWhat);
    if (!body) return std::unexpected(std::move(body.error()));
    auto id = wire::text(*body, "userId");
    if (!id || id->empty()) return unreadable(kWhat, "no userId");
    return std::move(*id);
  }

  Result<bool> deregister(std::string_view access_token) {
    auto response = send_api("DELETE", kRegistrationPath, access_token, "Garmin deregistration", settings_.policy);
    if (!response && response.error().code == ErrorCode::resource_not_found) return true;  // already gone
    if (!response) return std::unexpected(std::move(response.error()));
    return true;
  }

  Result<std::vector<activity::Activity>> summaries(std::string_view access_token, std::int64_t start_s,
                                                    std::int64_t end_s) {
    static constexpr std::string_view kWhat = "Garmin activity list";
    auto response = send_api(
        "GET", fmt::format("{}?uploadStartTimeInSeconds={}&uploadEndTimeInSeconds={}", kActivitiesPath, start_s, end_s),
        access_token, kWhat, settings_.policy);
    if (!response) return std::unexpected(std::move(response.error()));
    auto body = wire::json_body(*response, kWhat);
    if (!body) return std::unexpected(std::move(body.error()));
    if (!body->is_array()) return unreadable(kWhat, "the body is not an array");
    std::vector<activity::Activity> out;
    out.reserve(body->size());
    for (const auto& item : *body) {
      auto a = map_summary(item);
      if (!a) return std::unexpected(std::move(a.error()));
      out.push_back(std::move(*a));
    }
    return out;
  }

  // Garmin sends no rate-limit headers; what a 429 said (Retry-After) is all there is to keep.
  Result<net::Response> observe(Result<net::Response> result) {
    if (!result && result.error().code == ErrorCode::external_rate_limited) {
      const std::lock_guard lock(rate_mutex_);
      const auto& details = result.error().details;
      rate_.retry_after_s = details.is_object() && details.contains("retry_after_s")
                                ? std::optional(details["retry_after_s"].get<std::int64_t>())
                                : std::nullopt;
      rate_.observed_at_ms = now_epoch_ms();
    }
    return result;
  }

  Settings settings_;
  std::string authorize_url_;
  std::string token_url_;
  mutable std::mutex rate_mutex_;
  RateLimitState rate_;
};

}  // namespace

std::unique_ptr<Provider> make_garmin(Settings settings) {
  return std::make_unique<Garmin>(std::move(settings));
}

}  // namespace pierre::providers
