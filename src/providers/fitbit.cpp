// The `fitbit` provider: the Google Health API (health.googleapis.com/v4), which replaced the legacy Fitbit Web API
// in 2026; FITBIT_CLIENT_ID/SECRET are a Google OAuth 2.0 web client's.
//
// What this file relies on, and where it comes from:
//   Verified against Google's own API description (the discovery document health:v4, revision 20260527, as
//   published in googleapis/google-api-go-client health/v4/health-api.json) and developers.google.com/health:
//   - base https://health.googleapis.com, paths v4/{parent=users/*/dataTypes/*}/dataPoints (list),
//     v4/{name=users/*/dataTypes/*/dataPoints/*} (get), .../dataPoints:reconcile (one de-duplicated stream from all
//     sources, same filter/pageSize/pageToken), v4/users/me/profile, v4/users/me/identity;
//   - list/reconcile take pageSize, pageToken and an AIP-160 `filter`; responses are {dataPoints[], nextPageToken};
//     points come newest first ("ordered by the interval start time in descending order"); `exercise` pages hold at
//     most 25 points, other types up to 10000 (default 1440);
//   - filter fields: sessions (exercise) only `exercise.interval.civil_start_time` (local civil time, no zone);
//     interval types `{type}.interval.start_time`, sample types `{type}.sample_time.physical_time` (RFC 3339),
//     operators >= and <, joined by AND; data type ids are kebab-case in paths and snake_case in filters;
//   - Exercise: interval {startTime, endTime, startUtcOffset, endUtcOffset}, exerciseType (RUNNING, WALKING, BIKING,
//     SWIMMING, HIKING, YOGA, PILATES, WORKOUT, HIIT, WEIGHTLIFTING, STRENGTH_TRAINING, OTHER), displayName,
//     activeDuration ("1800s"), metricsSummary {caloriesKcal, distanceMillimeters, averageHeartRateBeatsPerMinute
//     (int64 as a JSON string), averageSpeedMillimetersPerSecond, averagePaceSecondsPerMeter,
//     elevationGainMillimeters, steps, mobilityMetrics.avgCadenceStepsPerMinute, ...}, splitSummaries[] {startTime,
//     endTime, activeDuration, metricsSummary}; DataPoint.name users/{user}/dataTypes/exercise/dataPoints/{id};
//     dataSource.device {displayName, manufacturer};
//   - telemetry: heart-rate {beatsPerMinute (int64 string), sampleTime.physicalTime}, distance {millimeters (int64
//     string), interval}, active-energy-burned {kcal, interval}; weight {weightGrams, sampleTime}, height
//     {heightMillimeters}, daily-resting-heart-rate {beatsPerMinute}, daily-vo2-max {vo2Max};
//   - Profile has only age, stride lengths and membership date (no name, sex, weight or height); Identity has
//     healthUserId (the id webhooks and subscriptions use) and legacyUserId;
//   - scopes https://www.googleapis.com/auth/googlehealth.{activity_and_fitness,health_metrics_and_measurements,
//     profile}.readonly (heart rate is under health_metrics_and_measurements);
//   - rate limits (developers.google.com/health/rate-limits): 300 requests per user per minute, 429 when exceeded;
//     no rate-limit headers are documented, so RateLimitState only carries what a 429 said.
//   Google OAuth 2.0 (documented for all Google APIs): authorize https://accounts.google.com/o/oauth2/v2/auth with
//   access_type=offline and prompt=consent (so a refresh token is issued) and PKCE S256; token and revoke at
//   https://oauth2.googleapis.com/{token,revoke}; refresh tokens are not rotated (the response has no
//   refresh_token, the one we hold stays valid).
//   Assumed (not documented for this API): errors are google.rpc.Status bodies {"error":{code,message,status}} as on
//   every Google API (we classify by HTTP status only, wire.hpp); a Retry-After header on 429 is read when present;
//   sample types (weight, daily-*) are listed newest first like the others, so pageSize=1 is the latest value.
//
// OAuth endpoints span two hosts (accounts.google.com, oauth2.googleapis.com). With the default FITBIT_OAUTH_BASE_URL
// (https://accounts.google.com) the real URLs are used; when it is overridden (fake providers in tests, a proxy)
// every OAuth endpoint sits under it at its real path: {base}/o/oauth2/v2/auth, {base}/token, {base}/revoke.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pierre/core/time.hpp"
#include "pierre/providers/provider.hpp"
#include "wire.hpp"

namespace pierre::providers {
namespace {

using nlohmann::json;

constexpr std::string_view kGoogleOAuthBase = "https://accounts.google.com";
constexpr std::string_view kGoogleAuthorize = "https://accounts.google.com/o/oauth2/v2/auth";
constexpr std::string_view kGoogleToken = "https://oauth2.googleapis.com/token";
constexpr std::string_view kGoogleRevoke = "https://oauth2.googleapis.com/revoke";
constexpr std::string_view kScopes =
    "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly "
    "https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly "
    "https://www.googleapis.com/auth/googlehealth.profile.readonly";

constexpr int kExercisePageMax = 25;      // the API's maximum for `exercise`
constexpr int kTelemetryPageSize = 2000;  // of 10000 allowed: keeps one page well under the body cap below
constexpr int kMaxTelemetryPages = 40;    // 80 000 samples: a day at 1 Hz; more is not a single workout
constexpr std::int64_t kMaxUtcOffsetMs = 14LL * 3600 * 1000;  // UTC+14 (Kiribati) … UTC−12
// A telemetry page of 2000 points is ~0.7 MB of JSON; the generic policy default (64 KiB) is sized for metadata.
constexpr std::size_t kFitbitMinResponseBytes = 4U * 1024 * 1024;

// --- Time: proleptic Gregorian days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms") ---

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil civil_from_ms(std::int64_t ms) {
  const std::int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  const std::int64_t rem = s - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return Civil{y,
               m,
               d,
               static_cast<unsigned>(rem / 3600),
               static_cast<unsigned>(rem % 3600 / 60),
               static_cast<unsigned>(rem % 60)};
}

// RFC 3339 instant for filters: "2026-05-04T17:00:00Z", with milliseconds when there are any.
std::string rfc3339(std::int64_t ms) {
  const Civil c = civil_from_ms(ms);
  const auto millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  if (millis == 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, c.hour, c.minute, c.second,
                     millis);
}

// ISO 8601 civil date-time without zone, for `civil_start_time` filters: "2026-05-04T17:00:00".
std::string civil_literal(std::int64_t ms) {
  const Civil c = civil_from_ms(ms);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// google-datetime (RFC 3339: "2026-05-04T17:00:00Z", fractional seconds and ±HH:MM offsets allowed) → epoch ms.
std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int scale = 100;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      millis += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om)) {
      return std::nullopt;
    }
    offset_s = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + std::min(se, 59)) - offset_s) * 1000 + millis;
}

// google-duration ("1800s", "3.5s", "-14400s") → seconds.
std::optional<double> parse_duration_s(std::string_view s) {
  if (s.size() < 2 || s.back() != 's') return std::nullopt;
  s.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// --- JSON accessors that never throw (proto3 JSON writes int64 as strings, so numbers may be either) ---

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json* object_at(const json& object, std::string_view key) {
  const json* m = member(object, key);
  return m != nullptr && m->is_object() ? m : nullptr;
}

std::optional<double> num(const json& object, std::string_view key) {
  const json* m = member(object, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number()) return m->get<double>();
  if (m->is_string()) {
    const auto& text = m->get_ref<const std::string&>();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc{} && end == text.data() + text.size() && std::isfinite(value)) return value;
  }
  return std::nullopt;
}

std::optional<std::int64_t> time_at(const json& object, std::string_view key) {
  auto text = wire::text(object, key);
  return text ? parse_timestamp(*text) : std::nullopt;
}

std::optional<double> duration_at(const json& object, std::string_view key) {
  auto text = wire::text(object, key);
  return text ? parse_duration_s(*text) : std::nullopt;
}

Error unexpected(std::string_view what) {
  return Error(ErrorCode::external_service_error, fmt::format("{}: unexpected response from the provider", what));
}

// The {data_point} segment of "users/{user}/dataTypes/exercise/dataPoints/{id}".
std::string point_id(const json& point) {
  const auto name = wire::text(point, "name").value_or("");
  const auto at = name.rfind("/dataPoints/");
  return at == std::string::npos ? std::string() : name.substr(at + 12);
}

// metricsSummary → Summary fields (the exercise's or a split's).
void apply_metrics(const json& metrics, activity::Summary& s, bool running) {
  if (auto mm = num(metrics, "distanceMillimeters")) s.distance_m = *mm / 1000.0;
  if (auto kcal = num(metrics, "caloriesKcal")) s.calories_kcal = *kcal;
  if (auto hr = num(metrics, "averageHeartRateBeatsPerMinute"); hr && *hr > 0) s.avg_hr_bpm = *hr;
  if (auto mmps = num(metrics, "averageSpeedMillimetersPerSecond"); mmps && *mmps > 0) {
    s.avg_speed_mps = *mmps / 1000.0;
  } else if (auto pace = num(metrics, "averagePaceSecondsPerMeter"); pace && *pace > 0) {
    s.avg_speed_mps = 1.0 / *pace;
  }
  if (auto gain = num(metrics, "elevationGainMillimeters")) s.total_ascent_m = *gain / 1000.0;
  if (const json* mobility = object_at(metrics, "mobilityMetrics")) {
    // Steps per minute; the model's running cadence is FIT's (strides per minute, one foot), hence the half.
    if (auto spm = num(*mobility, "avgCadenceStepsPerMinute"); spm && *spm > 0) {
      s.avg_cadence_rpm = running ? *spm / 2.0 : *spm;
    }
  }
}

// One exercise data point → an Activity (summary; laps when `with_laps`). Nothing when the point is not an
// exercise with a usable interval.
std::optional<activity::Activity> parse_exercise(const json& point, bool with_laps) {
  const json* exercise = object_at(point, "exercise");
  if (exercise == nullptr) return std::nullopt;
  const json* interval = object_at(*exercise, "interval");
  if (interval == nullptr) return std::nullopt;
  const auto start = time_at(*interval, "startTime");
  const auto end = time_at(*interval, "endTime");
  auto id = point_id(point);
  if (!start || !end || *end < *start || id.empty()) return std::nullopt;

  activity::Activity a;
  a.source = std::string(kFitbit);
  a.external_id = std::move(id);
  const auto type = wire::text(*exercise, "exerciseType").value_or("OTHER");
  a.sport = activity::sport_from_source(type);
  a.name = wire::text(*exercise, "displayName").value_or("");
  if (const json* source = object_at(point, "dataSource")) {
    if (const json* device = object_at(*source, "device")) {
      const auto maker = wire::text(*device, "manufacturer").value_or("");
      const auto model = wire::text(*device, "displayName").value_or("");
      a.device = maker.empty() ? model : model.empty() ? maker : fmt::format("{} {}", maker, model);
    }
  }
  auto& s = a.summary;
  s.start_time_ms = *start;
  if (auto offset = duration_at(*interval, "startUtcOffset")) s.utc_offset_s = static_cast<std::int32_t>(*offset);
  s.elapsed_time_s = static_cast<double>(*end - *start) / 1000.0;
  s.moving_time_s = duration_at(*exercise, "activeDuration").value_or(s.elapsed_time_s);
  const bool running = activity::is_running(a.sport);
  if (const json* metrics = object_at(*exercise, "metricsSummary")) apply_metrics(*metrics, s, running);
  if (!s.avg_speed_mps && s.distance_m > 0 && s.moving_time_s > 0) s.avg_speed_mps = s.distance_m / s.moving_time_s;

  if (with_laps) {
    const json* splits = member(*exercise, "splitSummaries");
    if (splits != nullptr && splits->is_array()) {
      for (const auto& split : *splits) {
        const auto lap_start = time_at(split, "startTime");
        const auto lap_end = time_at(split, "endTime");
        if (!lap_start || !lap_end || *lap_end < *lap_start) continue;
        activity::Lap lap;
        lap.summary.start_time_ms = *lap_start;
        lap.summary.utc_offset_s = s.utc_offset_s;
        lap.summary.elapsed_time_s = static_cast<double>(*lap_end - *lap_start) / 1000.0;
        lap.summary.moving_time_s = duration_at(split, "activeDuration").value_or(lap.summary.elapsed_time_s);
        if (const json* metrics = object_at(split, "metricsSummary")) apply_metrics(*metrics, lap.summary, running);
        a.laps.push_back(std::move(lap));
      }
    }
    a.lap_count = a.laps.size();
  }
  return a;
}

class FitbitProvider final : public Provider {
 public:
  explicit FitbitProvider(Settings settings) : s_(std::move(settings)) {
    s_.policy.max_response_bytes = std::max(s_.policy.max_response_bytes, kFitbitMinResponseBytes);
  }

  [[nodiscard]] std::string_view name() const noexcept override { return kFitbit; }
  [[nodiscard]] bool configured() const noexcept override { return s_.configured(); }
  [[nodiscard]] bool uses_pkce() const noexcept override { return true; }

  // "" when the provider is not configured (there is no client to authorise).
  [[nodiscard]] std::string authorization_url(std::string_view state, std::string_view code_challenge) const override {
    if (!configured()) return {};
    return fmt::format(
        "{}?client_id={}&redirect_uri={}&response_type=code&scope={}&state={}&access_type=offline&prompt=consent"
        "&code_challenge={}&code_challenge_method=S256",
        oauth_url("/o/oauth2/v2/auth", kGoogleAuthorize), wire::percent_encode(s_.client_id),
        wire::percent_encode(s_.redirect_uri), wire::percent_encode(kScopes), wire::percent_encode(state),
        wire::percent_encode(code_challenge));
  }

  Result<TokenSet> exchange_code(std::string_view code, std::string_view code_verifier) override {
    if (auto ready = require_configured(); !ready) return std::unexpected(ready.error());
    constexpr std::string_view what = "Google Health token exchange";
    net::Request request = form_post(oauth_url("/token", kGoogleToken));
    request.body = wire::form_encode({{"grant_type", "authorization_code"},
                                      {"code", code},
                                      {"code_verifier", code_verifier},
                                      {"redirect_uri", s_.redirect_uri},
                                      {"client_id", s_.client_id},
                                      {"client_secret", s_.client_secret}});
    auto tokens = token_call(request, "", what);
    if (!tokens) return tokens;
    // Best effort: the Google Health user id is what webhook notifications name. The code is spent, so a failure
    // here must not lose the tokens.
    if (auto identity = get_json(api_url("users/me/identity"), tokens->access_token, "Google Health identity")) {
      tokens->account_id = wire::text(*identity, "healthUserId").value_or("");
    }
    return tokens;
  }

  Result<TokenSet> refresh(std::string_view refresh_token) override {
    if (auto ready = require_configured(); !ready) return std::unexpected(ready.error());
    net::Request request = form_post(oauth_url("/token", kGoogleToken));
    request.body = wire::form_encode({{"grant_type", "refresh_token"},
                                      {"refresh_token", refresh_token},
                                      {"client_id", s_.client_id},
                                      {"client_secret", s_.client_secret}});
    // Google does not rotate refresh tokens: the response has none and the one given stays valid.
    return token_call(request, refresh_token, "Google Health token refresh");
  }

  Result<bool> revoke(const TokenSet& tokens) override {
    if (auto ready = require_configured(); !ready) return std::unexpected(ready.error());
    // Revoking the refresh token ends the whole grant; an access token alone revokes its grant too.
    const std::string_view token = !tokens.refresh_token.empty() ? tokens.refresh_token : tokens.access_token;
    if (token.empty()) return true;  // nothing is held, so nothing stays granted
    net::Request request = form_post(oauth_url("/revoke", kGoogleRevoke));
    request.body = wire::form_encode({{"token", token}});
    auto response = wire::call(request, s_.policy, "Google Health revoke", wire::Endpoint::token);
    if (response) return true;
    // 400 invalid_token: already expired or revoked — the grant is gone, which is what revoking asks for.
    if (response.error().code == ErrorCode::external_auth_failed && response.error().details.is_object() &&
        response.error().details.value("status", 0) == 400) {
      return true;
    }
    note(response.error());
    return std::unexpected(std::move(response.error()));
  }

  Result<ActivityPage> list_activities(std::string_view access_token, const ListQuery& query) override {
    if (auto ready = require_configured(); !ready) return std::unexpected(ready.error());
    constexpr std::string_view what = "Google Health exercise list";
    // Exercise sessions filter only on their local (civil) start time. The civil bounds are widened by the largest
    // UTC offset so no session is missed whatever its time zone, and the exact UTC bounds are applied here. The
    // filter depends only on the query's bounds, so it is the same on every page of one listing (AIP-158).
    std::vector<std::string> clauses;
    if (query.after_ms) {
      clauses.push_back(fmt::format("exercise.interval.civil_start_time >= \"{}\"",
                                    civil_literal(*query.after_ms - kMaxUtcOffsetMs)));
    }
    if (query.before_ms) {
      clauses.push_back(fmt::format("exercise.interval.civil_start_time < \"{}\"",
                                    civil_literal(*query.before_ms + kMaxUtcOffsetMs + 1000)));
    }
    std::string url = fmt::format("{}?pageSize={}", api_url("users/me/dataTypes/exercise/dataPoints"),
                                  std::clamp(query.per_page, 1, kExercisePageMax));
    if (!clauses.empty()) {
      std::string filter = clauses.front();
      if (clauses.size() > 1) filter += " AND " + clauses.back();
      url += "&filter=" + wire::percent_encode(filter);
    }
    if (!query.page_token.empty()) url += "&pageToken=" + wire::percent_encode(query.page_token);

    auto body = get_json(url, access_token, what);
    if (!body) return std::unexpected(std::move(body.error()));
    if (!body->is_object()) return std::unexpected(unexpected(what));
    ActivityPage page;
    if (const json* points = member(*body, "dataPoints")) {
      if (!points->is_array()) return std::unexpected(unexpected(what));
      for (const auto& point : *points) {
        auto a = parse_exercise(point, /*with_laps=*/false);
        if (!a) return std::unexpected(unexpected(what));
        if (query.after_ms && a->summary.start_time_ms <= *query.after_ms) continue;
        if (query.before_ms && a->summary.start_time_ms >= *query.before_ms) continue;
        page.activities.push_back(std::move(*a));
      }
    }
    page.next_page_token = wire::text(*body, "nextPageToken").value_or("");
    return page;
  }

  Result<activity::NewActivity> activity_detail(std::string_view access_token, std::string_view external_id) override {
    if (auto ready = require_configured(); !ready) return std::unexpected(ready.error());
    constexpr std::string_view what = "Google Health exercise";
    if (external_id.empty()) return fail(ErrorCode::resource_not_found, fmt::format("{}: not found", what));
    auto body =
        get_json(api_url(fmt::format("users/me/dataTypes/exercise/dataPoints/{}", wire::percent_encode(external_id))),
                 access_token, what);
    if (!body) return std::unexpected(std::move(body.error()));
    auto parsed = parse_exercise(*body, /*with_laps=*/true);
    if (!parsed) return std::unexpected(unexpected(what));

    activity::NewActivity out;
    out.activity = std::move(*parsed);
    auto& summary = out.activity.summary;
    const std::int64_t start = summary.start_time_ms;
    const std::int64_t end = start + static_cast<std::int64_t>(std::llround(summary.elapsed_time_s * 1000.0));

    auto heart = telemetry(access_token, "heart-rate", "heart_rate.sample_time.physical_time", start, end,
                           "Google Health heart-rate samples");
    if (!heart) return std::unexpected(std::move(heart.error()));
    auto distance = telemetry(access_token, "distance", "distance.interval.start_time", start, end,
                              "Google Health distance samples");
    if (!distance) return std::unexpected(std::move(distance.error()));
    if (!summary.calories_kcal) {
      auto energy = telemetry(access_token, "active-energy-burned", "active_energy_burned.interval.start_time", start,
                              end, "Google Health active-energy samples");
      if (!energy) return std::unexpected(std::move(energy.error()));
      double kcal = 0;
      bool any = false;
      for (const auto& point : *energy) {
        const json* e = object_at(point, "activeEnergyBurned");
        if (auto k = e != nullptr ? num(*e, "kcal") : std::nullopt) {
          kcal += *k;
          any = true;
        }
      }
      if (any) summary.calories_kcal = kcal;
    }
    out.streams = streams_from(*heart, *distance, start, end, summary);
    return out;
  }

  Result<activity::Athlete> athlete(std::string_view access_token) override {
    if (auto ready = require_configured(); !ready) return std::unexpected(ready.error());
    auto profile = get_json(api_url("users/me/profile"), access_token, "Google Health profile");
    if (!profile) return std::unexpected(std::move(profile.error()));
    if (!profile->is_object()) return std::unexpected(unexpected("Google Health profile"));
    activity::Athlete a;
    if (auto age = num(*profile, "age"); age && *age > 0 && *age < 130) {
      // The profile gives an age, not a birth date: the birth year is this year minus the age (±1).
      a.birth_year = static_cast<int>(civil_from_ms(now_epoch_ms()).year) - static_cast<int>(*age);
    }
    // Body measures and daily summaries are separate data types, under scopes the user may have declined at
    // consent: a 403 (scope not granted) or 404 leaves the value unknown; other failures are the call's.
    auto weight = latest(access_token, "weight", "Google Health weight");
    if (!weight) return std::unexpected(std::move(weight.error()));
    if (const json* w = *weight ? object_at(**weight, "weight") : nullptr) {
      if (auto g = num(*w, "weightGrams"); g && *g > 0) a.weight_kg = *g / 1000.0;
    }
    auto height = latest(access_token, "height", "Google Health height");
    if (!height) return std::unexpected(std::move(height.error()));
    if (const json* h = *height ? object_at(**height, "height") : nullptr) {
      if (auto mm = num(*h, "heightMillimeters"); mm && *mm > 0) a.height_m = *mm / 1000.0;
    }
    auto resting = latest(access_token, "daily-resting-heart-rate", "Google Health resting heart rate");
    if (!resting) return std::unexpected(std::move(resting.error()));
    if (const json* r = *resting ? object_at(**resting, "dailyRestingHeartRate") : nullptr) {
      if (auto bpm = num(*r, "beatsPerMinute"); bpm && *bpm > 0) a.resting_hr_bpm = *bpm;
    }
    auto vo2 = latest(access_token, "daily-vo2-max", "Google Health VO2 max");
    if (!vo2) return std::unexpected(std::move(vo2.error()));
    if (const json* v = *vo2 ? object_at(**vo2, "dailyVo2Max") : nullptr) {
      if (auto value = num(*v, "vo2Max"); value && *value > 0) a.vo2max = *value;
    }
    return a;
  }

  [[nodiscard]] RateLimitState rate_limit() const override {
    const std::lock_guard lock(mutex_);
    return rate_;
  }

 private:
  [[nodiscard]] Result<void> require_configured() const {
    if (configured()) return {};
    return fail(ErrorCode::config_missing, "Google Health (fitbit) has no client credentials on this server");
  }

  [[nodiscard]] std::string oauth_url(std::string_view path, std::string_view google_default) const {
    if (s_.oauth_base_url.empty() || s_.oauth_base_url == kGoogleOAuthBase) return std::string(google_default);
    return s_.oauth_base_url + std::string(path);
  }

  [[nodiscard]] std::string api_url(std::string_view path) const {
    return fmt::format("{}/v4/{}", s_.api_base_url, path);
  }

  static net::Request form_post(std::string url) {
    net::Request request;
    request.method = "POST";
    request.url = std::move(url);
    request.content_type = "application/x-www-form-urlencoded";
    return request;
  }

  Result<TokenSet> token_call(const net::Request& request, std::string_view previous_refresh, std::string_view what) {
    auto response = wire::call(request, s_.policy, what, wire::Endpoint::token);
    if (!response) {
      note(response.error());
      return std::unexpected(std::move(response.error()));
    }
    auto body = wire::json_body(*response, what);
    if (!body) return std::unexpected(std::move(body.error()));
    return wire::token_set(*body, now_epoch_ms(), previous_refresh, what);
  }

  Result<json> get_json(const std::string& url, std::string_view access_token, std::string_view what) {
    net::Request request;
    request.url = url;
    request.headers.emplace_back("Authorization", wire::bearer(access_token));
    auto response = wire::call(request, s_.policy, what);
    if (!response) {
      note(response.error());
      return std::unexpected(std::move(response.error()));
    }
    return wire::json_body(*response, what);
  }

  // 403 PERMISSION_DENIED: a valid token without the scope this data type needs.
  static bool forbidden(const Error& error) {
    return error.code == ErrorCode::external_auth_failed && error.details.is_object() &&
           error.details.value("status", 0) == 403;
  }

  // Remembers what a 429 said (Google documents no rate-limit headers on successful responses).
  void note(const Error& error) {
    if (error.code != ErrorCode::external_rate_limited) return;
    const std::lock_guard lock(mutex_);
    rate_.retry_after_s.reset();
    if (error.details.is_object() && error.details.contains("retry_after_s") &&
        error.details["retry_after_s"].is_number_integer()) {
      rate_.retry_after_s = error.details["retry_after_s"].get<std::int64_t>();
    }
    rate_.observed_at_ms = now_epoch_ms();
  }

  // Every reconciled data point of one telemetry type in [start, end), across pages.
  Result<std::vector<json>> telemetry(std::string_view access_token, std::string_view type,
                                      std::string_view filter_field, std::int64_t start, std::int64_t end,
                                      std::string_view what) {
    const std::string filter =
        fmt::format("{0} >= \"{1}\" AND {0} < \"{2}\"", filter_field, rfc3339(start), rfc3339(end + 1));
    const std::string base = fmt::format("{}?pageSize={}&filter={}",
                                         api_url(fmt::format("users/me/dataTypes/{}/dataPoints:reconcile", type)),
                                         kTelemetryPageSize, wire::percent_encode(filter));
    std::vector<json> points;
    std::string token;
    for (int page = 0; page < kMaxTelemetryPages; ++page) {
      const std::string url = token.empty() ? base : base + "&pageToken=" + wire::percent_encode(token);
      auto body = get_json(url, access_token, what);
      if (!body) {
        // The exercise itself was readable with this token, so a 403 here is a scope the user declined at consent
        // (heart rate sits under health_metrics_and_measurements): that channel is absent, the rest still imports.
        if (page == 0 && forbidden(body.error())) return points;
        return std::unexpected(std::move(body.error()));
      }
      if (!body->is_object()) return std::unexpected(unexpected(what));
      if (const json* list = member(*body, "dataPoints")) {
        if (!list->is_array()) return std::unexpected(unexpected(what));
        for (auto& point : *list) points.push_back(std::move(point));
      }
      token = wire::text(*body, "nextPageToken").value_or("");
      if (token.empty()) break;
    }
    return points;
  }

  // The newest data point of a type, nothing when there is none or the user did not grant its scope.
  Result<std::optional<json>> latest(std::string_view access_token, std::string_view type, std::string_view what) {
    auto body = get_json(fmt::format("{}?pageSize=1", api_url(fmt::format("users/me/dataTypes/{}/dataPoints", type))),
                         access_token, what);
    if (!body) {
      if (forbidden(body.error()) || body.error().code == ErrorCode::resource_not_found) return std::optional<json>{};
      return std::unexpected(std::move(body.error()));
    }
    const json* list = member(*body, "dataPoints");
    if (list == nullptr || !list->is_array() || list->empty()) return std::optional<json>{};
    return std::optional<json>((*list)[0]);
  }

  // Heart-rate samples and distance intervals on one time axis (whole seconds since the start; a sample and an
  // interval end in the same second share a row). Distance is cumulative at each interval's end, speed that
  // interval's mean; a row without a value in a present channel holds NaN.
  static activity::Streams streams_from(const std::vector<json>& heart, const std::vector<json>& distance,
                                        std::int64_t start, std::int64_t end, activity::Summary& summary) {
    struct Row {
      double hr = std::numeric_limits<double>::quiet_NaN();
      double distance = std::numeric_limits<double>::quiet_NaN();
      double speed = std::numeric_limits<double>::quiet_NaN();
    };
    std::map<std::int64_t, Row> rows;
    const auto second_of = [start](std::int64_t t) { return (t - start + 500) / 1000; };
    bool has_hr = false, has_distance = false;
    double max_hr = 0, hr_sum = 0, max_speed = 0;
    int hr_count = 0;

    for (const auto& point : heart) {
      const json* hr = object_at(point, "heartRate");
      const json* sample = hr != nullptr ? object_at(*hr, "sampleTime") : nullptr;
      const auto at = sample != nullptr ? time_at(*sample, "physicalTime") : std::nullopt;
      const auto bpm = hr != nullptr ? num(*hr, "beatsPerMinute") : std::nullopt;
      if (!at || !bpm || *bpm <= 0 || *at < start || *at > end) continue;
      rows[second_of(*at)].hr = *bpm;
      has_hr = true;
      max_hr = std::max(max_hr, *bpm);
      hr_sum += *bpm;
      ++hr_count;
    }

    struct Span {
      std::int64_t from, to;
      double metres;
    };
    std::vector<Span> spans;
    for (const auto& point : distance) {
      const json* d = object_at(point, "distance");
      const json* interval = d != nullptr ? object_at(*d, "interval") : nullptr;
      const auto from = interval != nullptr ? time_at(*interval, "startTime") : std::nullopt;
      const auto to = interval != nullptr ? time_at(*interval, "endTime") : std::nullopt;
      const auto mm = d != nullptr ? num(*d, "millimeters") : std::nullopt;
      if (!from || !to || !mm || *to < *from || *mm < 0 || *from < start || *from > end) continue;
      spans.push_back(Span{*from, std::min(*to, end), *mm / 1000.0});
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.to < b.to; });
    double total = 0;
    for (const auto& span : spans) {
      total += span.metres;
      Row& row = rows[second_of(span.to)];
      row.distance = total;
      has_distance = true;
      if (span.to > span.from) {
        row.speed = span.metres / (static_cast<double>(span.to - span.from) / 1000.0);
        max_speed = std::max(max_speed, row.speed);
      }
    }

    activity::Streams streams;
    if (!has_hr && !has_distance) return streams;
    for (const auto& [second, row] : rows) {
      streams.time_s.push_back(static_cast<double>(second));
      if (has_hr) streams.heart_rate_bpm.push_back(row.hr);
      if (has_distance) {
        streams.distance_m.push_back(row.distance);
        streams.speed_mps.push_back(row.speed);
      }
    }
    if (has_hr) {
      summary.max_hr_bpm = max_hr;
      if (!summary.avg_hr_bpm) summary.avg_hr_bpm = hr_sum / hr_count;
    }
    if (has_distance) {
      if (summary.distance_m <= 0) summary.distance_m = total;
      if (max_speed > 0) summary.max_speed_mps = max_speed;
    }
    return streams;
  }

  Settings s_;
  mutable std::mutex mutex_;
  RateLimitState rate_;
};

}  // namespace

std::unique_ptr<Provider> make_fitbit(Settings settings) {
  return std::make_unique<FitbitProvider>(std::move(settings));
}

}  // namespace pierre::providers
