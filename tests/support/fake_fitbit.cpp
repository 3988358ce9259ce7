// The fake Google Health API + Google OAuth 2.0 (fake_fitbit.hpp describes the surface).
#include "fake_fitbit.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pierre::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kHourMs = 3600 * 1000;
constexpr int kExercisePageMax = 25;
constexpr int kExercisePageDefault = 25;
constexpr int kTelemetryPageMax = 10000;
constexpr int kTelemetryPageDefault = 1440;
constexpr const char* kScopePrefix = "https://www.googleapis.com/auth/googlehealth.";

// --- time ---

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
  unsigned month, day, hour, minute, second, millis;
};

Civil civil_of(std::int64_t ms) {
  std::int64_t days = (ms >= 0 ? ms : ms - 86399999) / 86400000;
  const std::int64_t rem = ms - days * 86400000;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0),
               m,
               d,
               static_cast<unsigned>(rem / 3600000),
               static_cast<unsigned>(rem % 3600000 / 60000),
               static_cast<unsigned>(rem % 60000 / 1000),
               static_cast<unsigned>(rem % 1000)};
}

std::string timestamp(std::int64_t ms) {
  const Civil c = civil_of(ms);
  if (c.millis == 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, c.hour, c.minute, c.second,
                     c.millis);
}

// CivilDateTime as proto3 JSON writes it (zero fields omitted).
json civil_json(std::int64_t local_ms) {
  const Civil c = civil_of(local_ms);
  json time = json::object();
  if (c.hour != 0) time["hours"] = c.hour;
  if (c.minute != 0) time["minutes"] = c.minute;
  if (c.second != 0) time["seconds"] = c.second;
  return {{"date", {{"year", c.year}, {"month", c.month}, {"day", c.day}}}, {"time", time}};
}

int number_at(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
  int out = 0;
  if (at + n > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') ok = false;
    out = out * 10 + (s[i] - '0');
  }
  return out;
}

// "YYYY-MM-DD[THH:MM:SS[.fff]][Z]" → ms (as UTC when `zone` is "Z"; civil values are compared as if UTC). `zoned`
// demands the Z (RFC 3339 literals); civil literals must not have one.
std::optional<std::int64_t> parse_time_literal(std::string_view s, bool zoned) {
  bool ok = true;
  const int y = number_at(s, 0, 4, ok);
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const int mo = number_at(s, 5, 2, ok);
  const int d = number_at(s, 8, 2, ok);
  int h = 0, mi = 0, se = 0, ms = 0;
  std::size_t i = 10;
  if (i < s.size() && s[i] == 'T') {
    if (s.size() < 19 || s[13] != ':' || s[16] != ':') return std::nullopt;
    h = number_at(s, 11, 2, ok);
    mi = number_at(s, 14, 2, ok);
    se = number_at(s, 17, 2, ok);
    i = 19;
    if (i < s.size() && s[i] == '.') {
      int scale = 100;
      for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        ms += (s[i] - '0') * scale;
        scale /= 10;
      }
    }
  } else if (zoned) {
    return std::nullopt;
  }
  if (zoned) {
    if (i >= s.size() || s[i] != 'Z') return std::nullopt;
    ++i;
  }
  if (!ok || i != s.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) {
    return std::nullopt;
  }
  return (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se) *
             1000 +
         ms;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// splitmix64: small, deterministic, good enough for plausible numbers.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }  // [0, 1)
};

// --- google.rpc.Status and OAuth error bodies ---

FakeResponse rpc_error(int code, std::string_view status, std::string_view message, json details = json::array()) {
  json body = {{"error", {{"code", code}, {"message", message}, {"status", status}}}};
  if (!details.empty()) body["error"]["details"] = std::move(details);
  return FakeResponse::json(code, body.dump());
}

FakeResponse invalid_argument(std::string_view message, std::string_view reason) {
  return rpc_error(400, "INVALID_ARGUMENT", message,
                   json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                 {"reason", reason},
                                 {"domain", "health.googleapis.com"}}}));
}

FakeResponse oauth_error(int status, std::string_view error, std::string_view description) {
  return FakeResponse::json(status, json{{"error", error}, {"error_description", description}}.dump());
}

// --- data types ---

enum class Record { session, interval, sample, daily };

struct DataType {
  std::string_view id;     // kebab-case, as in paths
  std::string_view field;  // the DataPoint union member
  Record record;
  std::string_view family;  // the scope family that reads it
};

constexpr DataType kTypes[] = {
    {"exercise", "exercise", Record::session, "activity_and_fitness"},
    {"distance", "distance", Record::interval, "activity_and_fitness"},
    {"active-energy-burned", "activeEnergyBurned", Record::interval, "activity_and_fitness"},
    {"heart-rate", "heartRate", Record::sample, "health_metrics_and_measurements"},
    {"weight", "weight", Record::sample, "health_metrics_and_measurements"},
    {"height", "height", Record::sample, "health_metrics_and_measurements"},
    {"daily-resting-heart-rate", "dailyRestingHeartRate", Record::daily, "health_metrics_and_measurements"},
    {"daily-vo2-max", "dailyVo2Max", Record::daily, "health_metrics_and_measurements"},
};

const DataType* find_type(std::string_view id) {
  for (const auto& t : kTypes) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::string snake(std::string_view kebab) {
  std::string out(kebab);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

// The one filter field each record type supports here (the real API also takes civil variants for intervals and
// samples; clients of this fake use these).
std::string filter_field(const DataType& t) {
  switch (t.record) {
    case Record::session: return snake(t.id) + ".interval.civil_start_time";
    case Record::interval: return snake(t.id) + ".interval.start_time";
    case Record::sample: return snake(t.id) + ".sample_time.physical_time";
    case Record::daily: return snake(t.id) + ".date";
  }
  return {};
}

struct TimeFilter {
  std::optional<std::int64_t> from;   // >=
  std::optional<std::int64_t> until;  // <
  [[nodiscard]] bool admits(std::int64_t t) const { return (!from || t >= *from) && (!until || t < *until); }
};

// The AIP-160 subset the API documents for data points: `field op "literal"` joined by AND, op one of >= and <.
std::optional<TimeFilter> parse_filter(std::string_view text, const DataType& type, std::string& error) {
  TimeFilter f;
  const std::string expected = filter_field(type);
  while (!text.empty()) {
    const auto and_at = text.find(" AND ");
    std::string_view clause = text.substr(0, and_at);
    text = and_at == std::string_view::npos ? std::string_view{} : text.substr(and_at + 5);
    while (!clause.empty() && clause.front() == ' ') clause.remove_prefix(1);
    while (!clause.empty() && clause.back() == ' ') clause.remove_suffix(1);
    const auto space = clause.find(' ');
    if (space == std::string_view::npos) {
      error = "Invalid filter expression.";
      return std::nullopt;
    }
    const std::string_view field = clause.substr(0, space);
    if (field != expected) {
      error = fmt::format("Unsupported filter field '{}'.", field);
      return std::nullopt;
    }
    std::string_view rest = clause.substr(space + 1);
    const auto op_end = rest.find(' ');
    if (op_end == std::string_view::npos) {
      error = "Invalid filter expression.";
      return std::nullopt;
    }
    const std::string_view op = rest.substr(0, op_end);
    std::string_view literal = rest.substr(op_end + 1);
    if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') {
      error = "Filter literals must be quoted.";
      return std::nullopt;
    }
    literal = literal.substr(1, literal.size() - 2);
    const bool zoned = type.record == Record::interval || type.record == Record::sample;
    const auto value = parse_time_literal(literal, zoned);
    if (!value) {
      error = "Invalid time literal in filter.";
      return std::nullopt;
    }
    if (op == ">=") {
      f.from = *value;
    } else if (op == "<") {
      f.until = *value;
    } else {
      error = fmt::format("Unsupported filter operator '{}'.", op);
      return std::nullopt;
    }
  }
  return f;
}

// --- seeded exercises ---

struct FitbitKind {
  const char* type;
  const char* name;
  double speed_min_mps, speed_max_mps;  // 0: no distance
  int hr_base;
};

constexpr FitbitKind kFitbitKinds[] = {
    {"RUNNING", "Morning run", 2.8, 3.6, 150},
    {"BIKING", "Evening ride", 6.0, 9.0, 135},
    {"WALKING", "Walk", 1.3, 1.6, 105},
    {"SWIMMING", "Pool swim", 0.8, 1.1, 130},
    {"HIKING", "Hike", 1.0, 1.3, 120},
    {"WEIGHTLIFTING", "Weights", 0, 0, 110},
    {"YOGA", "Yoga", 0, 0, 90},
    {"HIIT", "Intervals", 0, 0, 155},
};
constexpr std::int32_t kOffsets[] = {3600, -5 * 3600, 5 * 3600 + 1800, 0, 10 * 3600};

FakeExercise make_exercise(std::uint64_t seed, std::size_t index, std::int64_t start_ms) {
  Rng rng{seed * 7919 + 17};
  const FitbitKind& kind = kFitbitKinds[index % std::size(kFitbitKinds)];
  FakeExercise e;
  e.id = std::to_string(2026443605080188808ULL + seed * 104729ULL);
  e.exercise_type = kind.type;
  e.display_name = kind.name;
  e.start_ms = start_ms;
  const std::int64_t duration_s = 1800 + static_cast<std::int64_t>(rng.uniform() * 60) * 60;  // 30–89 min
  e.end_ms = start_ms + duration_s * 1000;
  e.utc_offset_s = kOffsets[index % std::size(kOffsets)];
  e.summary_has_calories = index % 4 != 3;
  const bool moves = kind.speed_max_mps > 0;
  // Distance sports pause for 2 minutes a third of the way in.
  const std::int64_t pause_from = start_ms + duration_s * 1000 / 3 / 60000 * 60000;
  const std::int64_t pause_to = moves ? pause_from + 120000 : pause_from;
  e.active_duration_s = duration_s - (pause_to - pause_from) / 1000;
  e.split_ms = start_ms + duration_s * 1000 / 2;

  // Heart rate every 5 s, except a 40 s drop-out at 60 % and the pause.
  const std::int64_t gap_from = start_ms + duration_s * 600 / 5000 * 5000;
  double hr_sum = 0;
  for (std::int64_t t = start_ms; t < e.end_ms; t += 5000) {
    if (t >= gap_from && t < gap_from + 40000) continue;
    if (t >= pause_from && t < pause_to) continue;
    const double progress = static_cast<double>(t - start_ms) / static_cast<double>(e.end_ms - start_ms);
    const int bpm = static_cast<int>(std::lround(kind.hr_base + 15 * progress + rng.uniform() * 8 - 4));
    e.heart.push_back({t, bpm});
    hr_sum += bpm;
    e.max_hr_bpm = std::max(e.max_hr_bpm, bpm);
  }
  e.average_hr_bpm = std::llround(hr_sum / static_cast<double>(e.heart.size()));

  // Distance and active energy per minute (the last interval may be shorter); none during the pause.
  const double speed = kind.speed_min_mps + rng.uniform() * (kind.speed_max_mps - kind.speed_min_mps);
  for (std::int64_t t = start_ms; t < e.end_ms; t += 60000) {
    if (t >= pause_from && t < pause_to) continue;
    const std::int64_t to = std::min(t + 60000, e.end_ms);
    const double seconds = static_cast<double>(to - t) / 1000.0;
    if (moves) {
      const double mm = std::round(speed * seconds * 1000.0 * (0.95 + rng.uniform() * 0.1));
      e.distance.push_back({t, to, mm});
      e.distance_mm += mm;
    }
    const double kcal = std::round((8 + rng.uniform() * 6) * seconds / 60.0 * 10) / 10;
    e.energy.push_back({t, to, kcal});
    e.calories_kcal += kcal;
  }
  return e;
}

json interval_json(std::int64_t from, std::int64_t to, std::int32_t offset_s) {
  return {{"startTime", timestamp(from)},
          {"startUtcOffset", fmt::format("{}s", offset_s)},
          {"endTime", timestamp(to)},
          {"endUtcOffset", fmt::format("{}s", offset_s)},
          {"civilStartTime", civil_json(from + offset_s * 1000LL)},
          {"civilEndTime", civil_json(to + offset_s * 1000LL)}};
}

json data_source() {
  return {{"recordingMethod", "ACTIVELY_MEASURED"},
          {"device", {{"displayName", "Pixel Watch 3"}, {"manufacturer", "Google"}, {"formFactor", "WATCH"}}},
          {"platform", "FITBIT"}};
}

// metricsSummary over [from, to) of an exercise (the whole of it, or one split).
json metrics_json(const FakeExercise& e, std::int64_t from, std::int64_t to, bool with_calories) {
  double mm = 0, kcal = 0, hr = 0;
  int hr_n = 0;
  for (const auto& s : e.distance) {
    if (s.from_ms >= from && s.from_ms < to) mm += s.value;
  }
  for (const auto& s : e.energy) {
    if (s.from_ms >= from && s.from_ms < to) kcal += s.value;
  }
  for (const auto& s : e.heart) {
    if (s.at_ms >= from && s.at_ms < to) {
      hr += s.bpm;
      ++hr_n;
    }
  }
  json m = json::object();
  if (with_calories) m["caloriesKcal"] = std::round(kcal * 10) / 10;
  if (mm > 0) {
    m["distanceMillimeters"] = mm;
    m["steps"] = std::to_string(std::llround(mm / 800.0));
  }
  if (hr_n > 0) m["averageHeartRateBeatsPerMinute"] = std::to_string(std::llround(hr / hr_n));
  return m;
}

json exercise_json(const FakeExercise& e) {
  const bool moves = e.distance_mm > 0;
  json metrics = metrics_json(e, e.start_ms, e.end_ms, e.summary_has_calories);
  if (moves) {
    metrics["averageSpeedMillimetersPerSecond"] =
        std::round(e.distance_mm / static_cast<double>(e.active_duration_s) * 10) / 10;
    metrics["elevationGainMillimeters"] = 12000.0 + static_cast<double>(e.start_ms % 7) * 1000;
  }
  json splits = json::array();
  for (const auto& [from, to] : {std::pair{e.start_ms, e.split_ms}, std::pair{e.split_ms, e.end_ms}}) {
    splits.push_back({{"startTime", timestamp(from)},
                      {"startUtcOffset", fmt::format("{}s", e.utc_offset_s)},
                      {"endTime", timestamp(to)},
                      {"endUtcOffset", fmt::format("{}s", e.utc_offset_s)},
                      {"splitType", "MANUAL"},
                      {"activeDuration", fmt::format("{}s", (to - from) / 1000)},
                      {"metricsSummary", metrics_json(e, from, to, true)}});
  }
  json events = json::array({{{"eventTime", timestamp(e.start_ms)},
                              {"eventUtcOffset", fmt::format("{}s", e.utc_offset_s)},
                              {"exerciseEventType", "START"}}});
  const std::int64_t paused_s = (e.end_ms - e.start_ms) / 1000 - e.active_duration_s;
  if (paused_s > 0) {
    const std::int64_t pause_at = e.start_ms + (e.end_ms - e.start_ms) / 3 / 60000 * 60000;
    events.push_back({{"eventTime", timestamp(pause_at)},
                      {"eventUtcOffset", fmt::format("{}s", e.utc_offset_s)},
                      {"exerciseEventType", "PAUSE"}});
    events.push_back({{"eventTime", timestamp(pause_at + paused_s * 1000)},
                      {"eventUtcOffset", fmt::format("{}s", e.utc_offset_s)},
                      {"exerciseEventType", "RESUME"}});
  }
  events.push_back({{"eventTime", timestamp(e.end_ms)},
                    {"eventUtcOffset", fmt::format("{}s", e.utc_offset_s)},
                    {"exerciseEventType", "STOP"}});
  return {{"name", fmt::format("users/{}/dataTypes/exercise/dataPoints/{}", FakeFitbit::kHealthUserId, e.id)},
          {"dataSource", data_source()},
          {"exercise",
           {{"interval", interval_json(e.start_ms, e.end_ms, e.utc_offset_s)},
            {"exerciseType", e.exercise_type},
            {"displayName", e.display_name},
            {"activeDuration", fmt::format("{}s", e.active_duration_s)},
            {"metricsSummary", std::move(metrics)},
            {"exerciseEvents", std::move(events)},
            {"splitSummaries", std::move(splits)},
            {"exerciseMetadata", {{"hasGps", moves}}},
            {"createTime", timestamp(e.end_ms + 60000)},
            {"updateTime", timestamp(e.end_ms + 60000)}}}};
}

// A data point with the time the list orders and filters it by (ms; civil for sessions, as if UTC).
struct Point {
  std::int64_t order_ms;
  std::int64_t filter_ms;
  std::function<json()> body;  // rendered only when the point is on the page (under the fake's lock)
};

class FakeGoogleHealth final : public FakeFitbit {
 public:
  FakeGoogleHealth() : oauth_("fitbit"), server_([this](const FakeRequest& r) { return handle(r); }) {}

  [[nodiscard]] std::string name() const override { return "fitbit"; }
  [[nodiscard]] std::string base_url() const override { return server_.base_url(); }

  void seed_activities(int count, std::int64_t newest_start_ms) override {
    const std::lock_guard lock(mutex_);
    exercises_.clear();
    for (int i = 0; i < count; ++i) {
      const auto start = newest_start_ms - i * 20 * kHourMs - (i % 3) * 7 * 60000;
      exercises_.push_back(make_exercise(static_cast<std::uint64_t>(i) + 1, static_cast<std::size_t>(i), start));
    }
    sort_locked();
  }

  std::string add_activity(std::int64_t start_ms) override {
    const std::lock_guard lock(mutex_);
    const std::uint64_t seed = 100000 + static_cast<std::uint64_t>(++added_);
    exercises_.push_back(make_exercise(seed, exercises_.size(), start_ms));
    std::string id = exercises_.back().id;
    sort_locked();
    return id;
  }

  [[nodiscard]] int activity_count() const override {
    const std::lock_guard lock(mutex_);
    return static_cast<int>(exercises_.size());
  }

  void expire_access_tokens() override { oauth_.expire_access_tokens(); }
  void revoke_refresh_tokens() override { oauth_.revoke_refresh_tokens(); }
  void fail_next(FakeFault fault, int times) override { faults_.push(fault, times); }
  void set_token_lifetime_s(std::int64_t seconds) override { oauth_.set_lifetime_s(seconds); }
  void set_token_delay_ms(int ms) override {
    const std::lock_guard lock(mutex_);
    token_delay_ms_ = ms;
  }

  [[nodiscard]] FakeProviderStats stats() const override {
    const std::lock_guard lock(mutex_);
    return stats_;
  }
  [[nodiscard]] std::vector<std::string> targets() const override {
    const std::lock_guard lock(mutex_);
    return targets_;
  }

  [[nodiscard]] std::optional<FakeExercise> exercise(std::string_view id) const override {
    const std::lock_guard lock(mutex_);
    for (const auto& e : exercises_) {
      if (e.id == id) return e;
    }
    return std::nullopt;
  }
  [[nodiscard]] std::vector<FakeExercise> exercises() const override {
    const std::lock_guard lock(mutex_);
    return exercises_;
  }
  void set_granted_scope(std::string scope) override {
    const std::lock_guard lock(mutex_);
    granted_scope_ = std::move(scope);
  }
  void set_telemetry_page_limit(int points) override {
    const std::lock_guard lock(mutex_);
    telemetry_page_limit_ = std::clamp(points, 1, kTelemetryPageMax);
  }

 private:
  void sort_locked() {
    std::sort(exercises_.begin(), exercises_.end(),
              [](const FakeExercise& a, const FakeExercise& b) { return a.start_ms > b.start_ms; });
  }

  FakeResponse handle(const FakeRequest& request) {
    {
      const std::lock_guard lock(mutex_);
      targets_.push_back(request.method + " " + request.target);
    }
    if (request.path == "/o/oauth2/v2/auth") return authorize(request);
    if (request.path == "/token") return token(request);
    if (request.path == "/revoke") return revoke(request);
    if (request.path.starts_with("/v4/")) return api(request);
    return FakeResponse::text(404, "Not Found");
  }

  // --- OAuth ---

  FakeResponse authorize(const FakeRequest& request) {
    if (request.method != "GET") return FakeResponse::text(405, "Method Not Allowed");
    const auto q = [&request](std::string_view key) {
      const auto it = request.query.find(key);
      return it == request.query.end() ? std::string() : it->second;
    };
    // Google shows these as error pages to the user; a 400 with the error name is the useful part here.
    if (q("client_id") != kClientId) return FakeResponse::text(401, "invalid_client");
    if (q("response_type") != "code") return FakeResponse::text(400, "unsupported_response_type");
    if (q("redirect_uri").empty()) return FakeResponse::text(400, "redirect_uri_mismatch");
    if (q("scope").empty()) return FakeResponse::text(400, "invalid_scope");
    if (!q("code_challenge").empty() && q("code_challenge_method") != "S256") {
      return FakeResponse::text(400, "invalid_request: code_challenge_method");
    }
    std::string scope;
    {
      const std::lock_guard lock(mutex_);
      scope = granted_scope_.empty() ? q("scope") : granted_scope_;
      ++stats_.authorizations;
    }
    const std::string code = oauth_.issue_code(q("redirect_uri"), q("code_challenge"), scope);
    {
      const std::lock_guard lock(mutex_);
      code_scope_[code] = scope;
    }
    const std::string redirect = q("redirect_uri");
    FakeResponse r = FakeResponse::text(302, "");
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back(
        "Location",
        fmt::format("{}{}state={}&code={}&scope={}", redirect, redirect.find('?') == std::string::npos ? '?' : '&',
                    percent_encode(q("state")), percent_encode(code), percent_encode(scope)));
    return r;
  }

  FakeResponse token(const FakeRequest& request) {
    FakeResponse r = token_answer(request);
    const std::lock_guard lock(mutex_);
    r.delay = std::chrono::milliseconds(token_delay_ms_);
    r.headers.emplace_back("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
    return r;
  }

  FakeResponse token_answer(const FakeRequest& request) {
    if (request.method != "POST") return oauth_error(405, "invalid_request", "POST required");
    const auto form = request.form();
    const auto f = [&form](std::string_view key) {
      const auto it = form.find(key);
      return it == form.end() ? std::string() : it->second;
    };
    const std::string grant = f("grant_type");
    if (grant == "refresh_token") {
      const std::lock_guard lock(mutex_);
      ++stats_.refreshes;
    }
    if (f("client_id") != kClientId || f("client_secret") != kClientSecret) {
      return oauth_error(401, "invalid_client", "Unauthorized");
    }
    if (grant == "authorization_code") {
      if (f("code").empty() || f("redirect_uri").empty()) {
        return oauth_error(400, "invalid_request", "Missing required parameter: code or redirect_uri");
      }
      std::string scope;
      {
        const std::lock_guard lock(mutex_);
        const auto it = code_scope_.find(f("code"));
        if (it != code_scope_.end()) scope = it->second;
      }
      auto issued = oauth_.exchange(f("code"), f("redirect_uri"), f("code_verifier"));
      if (!issued) return oauth_error(400, "invalid_grant", "Bad Request");
      const std::lock_guard lock(mutex_);
      ++stats_.code_exchanges;
      token_scope_[issued->access_token] = scope;
      token_scope_[issued->refresh_token] = scope;
      return FakeResponse::json(200, json{{"access_token", issued->access_token},
                                          {"expires_in", issued->expires_in_s},
                                          {"refresh_token", issued->refresh_token},
                                          {"scope", scope},
                                          {"token_type", "Bearer"}}
                                         .dump());
    }
    if (grant == "refresh_token") {
      auto issued = oauth_.refresh(f("refresh_token"), /*rotate=*/false);
      if (!issued) return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
      const std::lock_guard lock(mutex_);
      const std::string scope = token_scope_[f("refresh_token")];
      token_scope_[issued->access_token] = scope;
      // Google does not rotate refresh tokens: no refresh_token in the answer.
      return FakeResponse::json(200, json{{"access_token", issued->access_token},
                                          {"expires_in", issued->expires_in_s},
                                          {"scope", scope},
                                          {"token_type", "Bearer"}}
                                         .dump());
    }
    return oauth_error(400, "unsupported_grant_type", "Invalid grant_type");
  }

  FakeResponse revoke(const FakeRequest& request) {
    if (request.method != "POST") return oauth_error(405, "invalid_request", "POST required");
    const auto form = request.form();
    auto it = form.find("token");
    std::string token = it == form.end() ? std::string() : it->second;
    if (token.empty()) {
      const auto q = request.query.find("token");
      if (q != request.query.end()) token = q->second;
    }
    {
      const std::lock_guard lock(mutex_);
      ++stats_.revocations;
      if (token.empty()) return oauth_error(400, "invalid_request", "Missing required parameter: token");
      if (!token_scope_.contains(token) || revoked_.contains(token)) {
        return oauth_error(400, "invalid_token", "Token expired or revoked");
      }
      revoked_.insert(token);
    }
    oauth_.revoke(token);
    return FakeResponse::json(200, "{}");
  }

  // --- API ---

  FakeResponse api(const FakeRequest& request) {
    {
      const std::lock_guard lock(mutex_);
      ++stats_.api_calls;
    }
    const FakeFault fault = faults_.next();
    switch (fault) {
      case FakeFault::unauthorized: return unauthenticated();
      case FakeFault::rate_limited: {
        FakeResponse r = rpc_error(
            429, "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Requests per user' and limit 'Requests per minute per user' of service "
            "'health.googleapis.com'.",
            json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                          {"reason", "RATE_LIMIT_EXCEEDED"},
                          {"domain", "googleapis.com"},
                          {"metadata", {{"service", "health.googleapis.com"}, {"quota_limit_value", "300"}}}},
                         {{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", "30s"}}}));
        r.headers.emplace_back("Retry-After", "30");
        return r;
      }
      case FakeFault::server_error: return rpc_error(503, "UNAVAILABLE", "The service is currently unavailable.");
      case FakeFault::malformed_json: return FakeResponse::json(200, "{\"dataPoints\": [{\"name\": ");
      case FakeFault::wrong_shape: return FakeResponse::json(200, R"([{"unexpected":"shape","dataPoints":7}])");
      case FakeFault::none:
      case FakeFault::slow: break;
    }
    FakeResponse r = route(request);
    if (fault == FakeFault::slow) r.delay = std::chrono::milliseconds(5000);
    return r;
  }

  static FakeResponse unauthenticated() {
    FakeResponse r = rpc_error(401, "UNAUTHENTICATED",
                               "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                               "cookie or other valid authentication credential.");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
    return r;
  }

  // Whether the token's grant covers `family` (read-only or full); tokens with no recorded scope pass.
  bool scope_allows(const std::string& token, std::string_view family) {
    const std::lock_guard lock(mutex_);
    const auto it = token_scope_.find(token);
    if (it == token_scope_.end() || it->second.empty()) return true;
    const std::string& scope = it->second;
    for (const std::string& suffix : {std::string(family) + ".readonly", std::string(family)}) {
      const std::string wanted = kScopePrefix + suffix;
      for (std::size_t at = scope.find(wanted); at != std::string::npos; at = scope.find(wanted, at + 1)) {
        const std::size_t after = at + wanted.size();
        if ((at == 0 || scope[at - 1] == ' ') && (after == scope.size() || scope[after] == ' ')) return true;
      }
    }
    return false;
  }

  static FakeResponse insufficient_scope() {
    return rpc_error(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                     json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                   {"reason", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"},
                                   {"domain", "googleapis.com"},
                                   {"metadata", {{"service", "health.googleapis.com"}}}}}));
  }

  FakeResponse route(const FakeRequest& request) {
    const std::string token = request.bearer_token();
    if (token.empty() || !oauth_.valid(token)) return unauthenticated();
    if (request.method != "GET") return rpc_error(405, "UNIMPLEMENTED", "Method not allowed.");

    // /v4/users/{user}/...
    std::string_view path = request.path;
    path.remove_prefix(4);
    if (!path.starts_with("users/")) return rpc_error(404, "NOT_FOUND", "Requested entity was not found.");
    path.remove_prefix(6);
    const auto slash = path.find('/');
    const std::string_view user = path.substr(0, slash);
    if (user != "me" && user != kHealthUserId) {
      return rpc_error(403, "PERMISSION_DENIED", "The caller does not have permission.");
    }
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);

    if (path == "identity") {
      return FakeResponse::json(
          200, json{{"name", "users/me/identity"}, {"healthUserId", kHealthUserId}, {"legacyUserId", "ABC123"}}.dump());
    }
    if (path == "profile") {
      if (!scope_allows(token, "profile")) return insufficient_scope();
      return FakeResponse::json(200, json{{"name", fmt::format("users/{}/profile", kHealthUserId)},
                                          {"age", kAge},
                                          {"membershipStartDate", {{"year", 2019}, {"month", 3}, {"day", 14}}},
                                          {"autoRunningStrideLengthMm", 1120},
                                          {"autoWalkingStrideLengthMm", 760}}
                                         .dump());
    }
    if (!path.starts_with("dataTypes/")) return rpc_error(404, "NOT_FOUND", "Requested entity was not found.");
    path.remove_prefix(10);
    const auto type_end = path.find('/');
    if (type_end == std::string_view::npos) return rpc_error(404, "NOT_FOUND", "Requested entity was not found.");
    const DataType* type = find_type(path.substr(0, type_end));
    if (type == nullptr) return invalid_argument("Unsupported data type.", "INVALID_DATA_TYPE");
    if (!scope_allows(token, type->family)) return insufficient_scope();
    path.remove_prefix(type_end + 1);

    if (path == "dataPoints") return list(request, *type, /*reconcile=*/false);
    if (path == "dataPoints:reconcile") return list(request, *type, /*reconcile=*/true);
    if (path.starts_with("dataPoints/") && type->record == Record::session) {
      const std::string_view id = path.substr(11);
      const std::lock_guard lock(mutex_);
      ++stats_.activity_detail_calls;
      for (const auto& e : exercises_) {
        if (e.id == id) return FakeResponse::json(200, exercise_json(e).dump());
      }
      return rpc_error(404, "NOT_FOUND", "Requested entity was not found.");
    }
    return rpc_error(404, "NOT_FOUND", "Requested entity was not found.");
  }

  // Every point of a type, each with the times it is ordered and filtered by (newest first).
  std::vector<Point> points_locked(const DataType& type) const {
    std::vector<Point> out;
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const auto sample_time = [](std::int64_t at, std::int32_t offset) {
      return json{{"physicalTime", timestamp(at)},
                  {"utcOffset", fmt::format("{}s", offset)},
                  {"civilTime", civil_json(at + offset * 1000LL)}};
    };
    const auto day_of = [](std::int64_t at) {
      const Civil c = civil_of(at);
      return json{{"year", c.year}, {"month", c.month}, {"day", c.day}};
    };
    const std::int64_t day_ms = now / 86400000 * 86400000 - 86400000;  // yesterday, 00:00 UTC
    if (type.id == "exercise") {
      for (const auto& e : exercises_) {
        out.push_back({e.start_ms, e.start_ms + e.utc_offset_s * 1000LL, [&e] { return exercise_json(e); }});
      }
    } else if (type.id == "heart-rate") {
      for (const auto& e : exercises_) {
        for (const auto& h : e.heart) {
          out.push_back({h.at_ms, h.at_ms, [&h, &e, sample_time] {
                           return json{{"dataSource", data_source()},
                                       {"heartRate",
                                        {{"beatsPerMinute", std::to_string(h.bpm)},
                                         {"sampleTime", sample_time(h.at_ms, e.utc_offset_s)},
                                         {"metadata", {{"motionContext", "ACTIVE"}, {"sensorLocation", "WRIST"}}}}}};
                         }});
        }
      }
    } else if (type.id == "distance" || type.id == "active-energy-burned") {
      const bool is_distance = type.id == "distance";
      for (const auto& e : exercises_) {
        for (const auto& span : is_distance ? e.distance : e.energy) {
          out.push_back({span.from_ms, span.from_ms, [&span, &e, &type, is_distance] {
                           json value = is_distance ? json{{"millimeters", std::to_string(std::llround(span.value))}}
                                                    : json{{"kcal", span.value}};
                           value["interval"] = interval_json(span.from_ms, span.to_ms, e.utc_offset_s);
                           return json{{"dataSource", data_source()}, {type.field, std::move(value)}};
                         }});
        }
      }
    } else if (type.id == "weight") {
      for (const auto& [days, grams] : {std::pair{3LL, kWeightGrams}, std::pair{40LL, kWeightGrams + 1200}}) {
        const std::int64_t at = now - days * 86400000LL;
        out.push_back({at, at, [at, grams, sample_time] {
                         return json{{"weight", {{"weightGrams", grams}, {"sampleTime", sample_time(at, 3600)}}}};
                       }});
      }
    } else if (type.id == "height") {
      const std::int64_t at = now - 200 * 86400000LL;
      out.push_back({at, at, [at, sample_time] {
                       return json{{"height",
                                    {{"heightMillimeters", std::to_string(kHeightMillimeters)},
                                     {"sampleTime", sample_time(at, 3600)}}}};
                     }});
    } else if (type.id == "daily-resting-heart-rate") {
      out.push_back({day_ms, day_ms, [day_ms, day_of] {
                       return json{{"dailyRestingHeartRate",
                                    {{"beatsPerMinute", std::to_string(kRestingHeartRate)},
                                     {"date", day_of(day_ms)},
                                     {"dailyRestingHeartRateMetadata", {{"calculationMethod", "WITH_SLEEP"}}}}}};
                     }});
    } else if (type.id == "daily-vo2-max") {
      out.push_back(
          {day_ms, day_ms, [day_ms, day_of] {
             return json{{"dailyVo2Max", {{"vo2Max", kVo2Max}, {"date", day_of(day_ms)}, {"estimated", false}}}};
           }});
    }
    std::stable_sort(out.begin(), out.end(), [](const Point& a, const Point& b) { return a.order_ms > b.order_ms; });
    return out;
  }

  FakeResponse list(const FakeRequest& request, const DataType& type, bool reconcile) {
    const auto q = [&request](std::string_view key) -> std::optional<std::string> {
      const auto it = request.query.find(key);
      if (it == request.query.end()) return std::nullopt;
      return it->second;
    };
    const bool session = type.record == Record::session;
    int page_size = 0;
    if (auto text = q("pageSize")) {
      try {
        std::size_t used = 0;
        page_size = std::stoi(*text, &used);
        if (used != text->size() || page_size < 0) throw std::invalid_argument("pageSize");
      } catch (const std::exception&) {
        return invalid_argument("Invalid value for pageSize.", "INVALID_PAGE_SIZE");
      }
    }
    const std::string filter_text = q("filter").value_or("");
    TimeFilter filter;
    if (!filter_text.empty()) {
      std::string error;
      if (filter_text.find('-') != std::string::npos &&
          filter_text.find('-') < filter_text.find('.')) {  // kebab-case identifier
        return invalid_argument("Invalid data point filter: data type identifiers use snake_case in filters.",
                                "INVALID_DATA_POINT_FILTER");
      }
      auto parsed = parse_filter(filter_text, type, error);
      if (!parsed) return invalid_argument(error, "INVALID_DATA_POINT_FILTER");
      filter = *parsed;
    }

    const std::lock_guard lock(mutex_);
    if (session) {
      ++stats_.activity_list_calls;
    } else if (type.id == "heart-rate" || type.id == "distance" || type.id == "active-energy-burned") {
      ++stats_.activity_detail_calls;
    }
    const int max = session ? kExercisePageMax : telemetry_page_limit_;
    const int fallback = session ? kExercisePageDefault : kTelemetryPageDefault;
    page_size = std::min(page_size <= 0 ? fallback : page_size, max);

    // Page tokens: the offset, bound to what the listing is of (type, method and filter, AIP-158).
    const std::string binding = fmt::format("{:016x}", fnv1a(fmt::format("{}|{}|{}", type.id, reconcile, filter_text)));
    std::size_t offset = 0;
    if (auto page_token = q("pageToken"); page_token && !page_token->empty()) {
      const auto dot = page_token->find('.');
      if (!page_token->starts_with("CA") || dot == std::string::npos || page_token->substr(dot + 1) != binding) {
        return invalid_argument("Invalid page token.", "INVALID_PAGE_TOKEN");
      }
      try {
        offset = std::stoul(page_token->substr(2, dot - 2));
      } catch (const std::exception&) {
        return invalid_argument("Invalid page token.", "INVALID_PAGE_TOKEN");
      }
    }

    std::vector<Point> all = points_locked(type);
    std::vector<Point> matching;
    for (auto& p : all) {
      if (filter.admits(p.filter_ms)) matching.push_back(std::move(p));
    }
    json points = json::array();
    for (std::size_t i = offset; i < matching.size() && points.size() < static_cast<std::size_t>(page_size); ++i) {
      json body = matching[i].body();
      if (reconcile && body.contains("name")) {
        body["dataPointName"] = body["name"];
        body.erase("name");
      }
      if (reconcile) body.erase("dataSource");
      points.push_back(std::move(body));
    }
    json out = json::object();
    if (!points.empty()) out["dataPoints"] = std::move(points);  // proto3 JSON omits empty repeated fields
    const std::size_t next = offset + static_cast<std::size_t>(page_size);
    if (next < matching.size()) out["nextPageToken"] = fmt::format("CA{}.{}", next, binding);
    return FakeResponse::json(200, out.dump());
  }

  mutable std::mutex mutex_;
  FakeOAuth oauth_;
  FaultScript faults_;
  FakeProviderStats stats_;
  std::vector<std::string> targets_;
  std::vector<FakeExercise> exercises_;  // newest first
  int added_ = 0;
  int token_delay_ms_ = 0;
  int telemetry_page_limit_ = kTelemetryPageMax;
  std::string granted_scope_;
  std::map<std::string, std::string, std::less<>> code_scope_;
  std::map<std::string, std::string, std::less<>> token_scope_;  // access and refresh tokens → granted scope
  std::set<std::string, std::less<>> revoked_;
  FakeHttpServer server_;  // last: it starts answering at construction and calls handle()
};

}  // namespace

std::unique_ptr<FakeFitbit> make_fake_google_health() {
  return std::make_unique<FakeGoogleHealth>();
}

std::unique_ptr<FakeProvider> make_fake_fitbit() {
  return make_fake_google_health();
}

}  // namespace pierre::testing
