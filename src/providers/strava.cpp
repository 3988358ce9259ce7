// The Strava API v3 client (developers.strava.com/docs/reference): OAuth 2.0 without PKCE, activity summaries by
// page, one activity as DetailedActivity + streams keyed by type, the athlete. Strava sends SI units already (m, s,
// m/s, W, bpm). Rate limits come back as headers on every response (developers.strava.com/docs/rate-limits):
//   X-RateLimit-Limit: "200,2000"  X-RateLimit-Usage: "12,345"          overall, per 15 minutes and per day
//   X-ReadRateLimit-Limit / X-ReadRateLimit-Usage                        the "non-upload" (read) limits
// Strava sends no Retry-After: the 15-minute window resets at :00/:15/:30/:45 and the daily one at midnight UTC.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/core/time.hpp"
#include "pierre/providers/provider.hpp"
#include "wire.hpp"

namespace pierre::providers {
namespace {

using nlohmann::json;

constexpr int kMaxPerPage = 200;
// A 6-hour ride at 1 Hz is ~2 MB of streams, a page of 200 summaries ~0.5 MB: the policy's default cap (sized for
// metadata documents) would cut them off.
constexpr std::size_t kStravaMinResponseBytes = 16 * 1024 * 1024;
constexpr std::string_view kScope = "read,activity:read_all";
constexpr std::string_view kStreamKeys = "time,distance,latlng,altitude,heartrate,watts,cadence,velocity_smooth,temp";
constexpr std::string_view kForm = "application/x-www-form-urlencoded";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The one message for a body of the wrong shape; what exactly was wrong goes to the log (never the body itself).
std::unexpected<Error> unexpected_shape(std::string_view what, std::string_view reason) {
  spdlog::warn("strava: unusable response ({}): {}", what, reason);
  return fail(ErrorCode::external_service_error, fmt::format("{}: unexpected response from Strava", what));
}

using wire::floor_div;

// "200,2000" → {200, 2000}; anything else → nothing.
std::optional<std::pair<std::int64_t, std::int64_t>> parse_pair(std::string_view header) {
  const auto comma = header.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto parse = [](std::string_view text) -> std::optional<std::int64_t> {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value < 0) return std::nullopt;
    return value;
  };
  const auto first = parse(header.substr(0, comma));
  const auto second = parse(header.substr(comma + 1));
  if (!first || !second) return std::nullopt;
  return std::pair{*first, *second};
}

// A read counts against both the overall and the read limit; whichever has less headroom is the one that binds.
void keep_tighter(std::optional<std::int64_t>& limit, std::optional<std::int64_t>& usage, std::int64_t new_limit,
                  std::int64_t new_usage) {
  if (!limit || !usage || new_limit - new_usage < *limit - *usage) {
    limit = new_limit;
    usage = new_usage;
  }
}

// Seconds until Strava lets requests through again after a 429.
std::int64_t retry_after_429(const net::Response& response, const RateLimitState& state, std::int64_t now_ms) {
  if (auto header = wire::retry_after_seconds(response.header("retry-after"), now_ms)) return *header;
  const std::int64_t now_s = floor_div(now_ms, 1000);
  if (state.daily_limit && state.daily_usage && *state.daily_usage >= *state.daily_limit) {
    return 86400 - now_s % 86400;  // midnight UTC
  }
  return 900 - now_s % 900;  // the next quarter hour
}

std::optional<double> positive(const json& object, std::string_view key) {
  auto value = wire::number(object, key);
  if (!value || !std::isfinite(*value) || *value <= 0) return std::nullopt;
  return value;
}

std::optional<double> non_negative(const json& object, std::string_view key) {
  auto value = wire::number(object, key);
  if (!value || !std::isfinite(*value) || *value < 0) return std::nullopt;
  return value;
}

std::optional<bool> boolean(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

// The totals Strava gives for an activity or a lap. `device_watts` false means the power figures are Strava's
// estimate (no power meter): they are left out, so analytics never mistake them for measurements.
activity::Summary summary_of(const json& item, std::int64_t start_ms, bool device_watts) {
  activity::Summary s;
  s.start_time_ms = start_ms;
  s.elapsed_time_s = non_negative(item, "elapsed_time").value_or(0);
  s.moving_time_s = non_negative(item, "moving_time").value_or(0);
  s.distance_m = non_negative(item, "distance").value_or(0);
  s.total_ascent_m = non_negative(item, "total_elevation_gain");
  s.avg_hr_bpm = positive(item, "average_heartrate");
  s.max_hr_bpm = positive(item, "max_heartrate");
  if (device_watts) {
    s.avg_power_w = positive(item, "average_watts");
    s.max_power_w = positive(item, "max_watts");
    s.normalized_power_w = positive(item, "weighted_average_watts");
  }
  s.avg_cadence_rpm = positive(item, "average_cadence");
  s.avg_speed_mps = non_negative(item, "average_speed");
  s.max_speed_mps = non_negative(item, "max_speed");
  s.calories_kcal = positive(item, "calories");
  return s;
}

// utc_offset (seconds) when sent; otherwise start_date_local − start_date (Strava writes local time with a "Z").
std::optional<std::int32_t> utc_offset_of(const json& item, std::int64_t start_ms) {
  constexpr double kMax = 18 * 3600;
  if (auto offset = wire::number(item, "utc_offset"); offset && std::abs(*offset) <= kMax) {
    return static_cast<std::int32_t>(std::lround(*offset));
  }
  if (auto local = wire::text(item, "start_date_local")) {
    if (auto local_ms = parse_rfc3339_ms(*local)) {
      const auto diff_s = floor_div(*local_ms - start_ms, 1000);
      if (std::abs(static_cast<double>(diff_s)) <= kMax) return static_cast<std::int32_t>(diff_s);
    }
  }
  return std::nullopt;
}

// A SummaryActivity (list) or DetailedActivity (detail) → an Activity without laps.
Result<activity::Activity> activity_of(const json& item, std::string_view what) {
  if (!item.is_object()) return unexpected_shape(what, "an activity is not an object");
  auto id = wire::text(item, "id");
  if (!id || id->empty()) return unexpected_shape(what, "an activity has no id");
  const auto start_text = wire::text(item, "start_date");
  const auto start_ms = start_text ? parse_rfc3339_ms(*start_text) : std::nullopt;
  if (!start_ms) return unexpected_shape(what, "an activity has no valid start_date");
  activity::Activity a;
  a.source = std::string(kStrava);
  a.external_id = std::move(*id);
  a.name = wire::text(item, "name").value_or("");
  // sport_type is the finer vocabulary (TrailRun, GravelRide…); `type` is the older, coarser one.
  auto sport = wire::text(item, "sport_type");
  if (!sport || sport->empty()) sport = wire::text(item, "type");
  a.sport = activity::sport_from_source(sport.value_or(""));
  a.device = wire::text(item, "device_name").value_or("");
  a.summary = summary_of(item, *start_ms, boolean(item, "device_watts").value_or(true));
  a.summary.utc_offset_s = utc_offset_of(item, *start_ms);
  return a;
}

std::vector<activity::Lap> laps_of(const json& laps, const activity::Activity& parent, bool device_watts) {
  std::vector<activity::Lap> out;
  if (!laps.is_array()) return out;
  for (const auto& lap : laps) {
    if (!lap.is_object()) continue;
    const auto start_text = wire::text(lap, "start_date");
    const auto start_ms = start_text ? parse_rfc3339_ms(*start_text) : std::nullopt;
    out.push_back(activity::Lap{summary_of(lap, start_ms.value_or(parent.summary.start_time_ms), device_watts)});
  }
  return out;
}

// Streams as Strava sends them with key_by_type=true ({"time": {"data": […]}, …}) or without it
// ([{"type": "time", "data": […]}, …]) → columns of time_s.size() entries, NaN where a channel has no value.
Result<activity::Streams> streams_of(const json& body, std::string_view what) {
  std::map<std::string, const json*, std::less<>> data;
  auto add = [&data](std::string type, const json& stream) {
    if (!stream.is_object()) return;
    const auto it = stream.find("data");
    if (it != stream.end() && it->is_array()) data[std::move(type)] = &*it;
  };
  if (body.is_object()) {
    for (const auto& [type, stream] : body.items()) add(type, stream);
  } else if (body.is_array()) {
    for (const auto& stream : body) {
      if (auto type = wire::text(stream, "type")) add(std::move(*type), stream);
    }
  } else {
    return unexpected_shape(what, "streams are neither an object nor an array");
  }
  activity::Streams s;
  const auto time = data.find("time");
  if (time == data.end()) return s;  // no samples (a manual activity)
  const json& times = *time->second;
  s.time_s.reserve(times.size());
  for (const auto& t : times) {
    if (!t.is_number()) return unexpected_shape(what, "the time stream has a non-number");
    s.time_s.push_back(t.get<double>());
  }
  const std::size_t n = s.time_s.size();
  auto channel = [&](std::string_view type, std::vector<double>& out) {
    const auto it = data.find(type);
    if (it == data.end()) return;
    out.assign(n, kNaN);
    const json& values = *it->second;
    for (std::size_t i = 0; i < n && i < values.size(); ++i) {
      if (values[i].is_number()) out[i] = values[i].get<double>();
    }
  };
  channel("distance", s.distance_m);
  channel("altitude", s.altitude_m);
  channel("heartrate", s.heart_rate_bpm);
  channel("watts", s.power_w);
  channel("cadence", s.cadence_rpm);
  channel("velocity_smooth", s.speed_mps);
  channel("temp", s.temperature_c);
  if (const auto latlng = data.find("latlng"); latlng != data.end()) {
    s.latitude_deg.assign(n, kNaN);
    s.longitude_deg.assign(n, kNaN);
    const json& points = *latlng->second;
    for (std::size_t i = 0; i < n && i < points.size(); ++i) {
      const json& p = points[i];
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) continue;
      const double lat = p[0].get<double>();
      const double lon = p[1].get<double>();
      if (std::abs(lat) > 90 || std::abs(lon) > 180) continue;
      s.latitude_deg[i] = lat;
      s.longitude_deg[i] = lon;
    }
  }
  return s;
}

activity::Athlete athlete_of(const json& body) {
  activity::Athlete a;
  const auto first = wire::text(body, "firstname").value_or("");
  const auto last = wire::text(body, "lastname").value_or("");
  a.display_name = first.empty() || last.empty() ? first + last : first + " " + last;
  if (a.display_name.empty()) a.display_name = wire::text(body, "username").value_or("");
  a.weight_kg = positive(body, "weight");
  if (const auto sex = wire::text(body, "sex"); sex && !sex->empty()) {
    a.sex = *sex == "M" ? "male" : *sex == "F" ? "female" : *sex;
  }
  a.ftp_w = positive(body, "ftp");
  return a;
}

class StravaProvider final : public Provider {
 public:
  explicit StravaProvider(Settings settings) : settings_(std::move(settings)), policy_(settings_.policy) {
    policy_.max_response_bytes = std::max(policy_.max_response_bytes, kStravaMinResponseBytes);
  }

  [[nodiscard]] std::string_view name() const noexcept override { return kStrava; }
  [[nodiscard]] bool configured() const noexcept override { return settings_.configured(); }
  [[nodiscard]] bool uses_pkce() const noexcept override { return false; }

  // approval_prompt=auto: a user who already granted these scopes is sent straight back.
  [[nodiscard]] std::string authorization_url(std::string_view state, std::string_view) const override {
    return fmt::format(
        "{}/authorize?client_id={}&redirect_uri={}&response_type=code&approval_prompt=auto&scope={}&state={}",
        settings_.oauth_base_url, wire::percent_encode(settings_.client_id),
        wire::percent_encode(settings_.redirect_uri), wire::percent_encode(kScope), wire::percent_encode(state));
  }

  Result<TokenSet> exchange_code(std::string_view code, std::string_view) override {
    constexpr std::string_view what = "Strava token exchange";
    if (!configured()) return not_configured(what);
    auto body = token_request(what, wire::form_encode({{"client_id", settings_.client_id},
                                                       {"client_secret", settings_.client_secret},
                                                       {"code", code},
                                                       {"grant_type", "authorization_code"}}));
    if (!body) return std::unexpected(std::move(body.error()));
    auto tokens = wire::token_set(*body, now_epoch_ms(), "", what);
    if (!tokens) return tokens;
    // Strava names the athlete in the code exchange only; the granted scope comes back on the redirect, not here.
    if (const auto athlete = body->find("athlete"); athlete != body->end()) {
      tokens->account_id = wire::text(*athlete, "id").value_or("");
    }
    return tokens;
  }

  Result<TokenSet> refresh(std::string_view refresh_token) override {
    constexpr std::string_view what = "Strava token refresh";
    if (!configured()) return not_configured(what);
    if (refresh_token.empty()) return fail(ErrorCode::external_auth_failed, fmt::format("{}: no refresh token", what));
    auto body = token_request(what, wire::form_encode({{"client_id", settings_.client_id},
                                                       {"client_secret", settings_.client_secret},
                                                       {"grant_type", "refresh_token"},
                                                       {"refresh_token", refresh_token}}));
    if (!body) return std::unexpected(std::move(body.error()));
    return wire::token_set(*body, now_epoch_ms(), refresh_token, what);
  }

  // Strava's deauthorize takes an access token. One that has expired (they live 6 h) is swapped for a fresh one
  // first; a refresh token Strava no longer accepts means the grant is gone already.
  Result<bool> revoke(const TokenSet& tokens) override {
    if (!configured()) return not_configured("Strava deauthorization");
    if (!tokens.access_token.empty()) {
      auto done = deauthorize(tokens.access_token);
      if (done || done.error().code != ErrorCode::external_auth_failed || tokens.refresh_token.empty()) return done;
    }
    auto fresh = refresh(tokens.refresh_token);
    if (!fresh) {
      if (fresh.error().code == ErrorCode::external_auth_failed) return true;
      return std::unexpected(std::move(fresh.error()));
    }
    return deauthorize(fresh->access_token);
  }

  Result<ActivityPage> list_activities(std::string_view access_token, const ListQuery& query) override {
    constexpr std::string_view what = "Strava activity list";
    if (!configured()) return not_configured(what);
    const int per_page = std::clamp(query.per_page, 1, kMaxPerPage);
    int page = 1;
    if (!query.page_token.empty()) {
      const auto& token = query.page_token;
      const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), page);
      if (ec != std::errc{} || end != token.data() + token.size() || page < 2) {
        return fail(ErrorCode::invalid_cursor, "Strava activity list: the page token is not one this server issued");
      }
    }
    // Strava's before/after are exclusive epoch seconds and its start times whole seconds, so "starts before
    // 12.5 s" is before=13 and "starts after 12.5 s" is after=12.
    std::string url = fmt::format("{}/athlete/activities?page={}&per_page={}", settings_.api_base_url, page, per_page);
    if (query.before_ms) url += fmt::format("&before={}", -floor_div(-*query.before_ms, 1000));
    if (query.after_ms) url += fmt::format("&after={}", floor_div(*query.after_ms, 1000));
    auto body = get_json(url, access_token, what);
    if (!body) return std::unexpected(std::move(body.error()));
    if (!body->is_array()) return unexpected_shape(what, "the list is not an array");
    ActivityPage out;
    out.activities.reserve(body->size());
    for (const auto& item : *body) {
      auto a = activity_of(item, what);
      if (!a) return std::unexpected(std::move(a.error()));
      out.activities.push_back(std::move(*a));
    }
    // Strava has no "more" marker: a short page is the last one.
    if (static_cast<int>(body->size()) >= per_page) out.next_page_token = std::to_string(page + 1);
    return out;
  }

  Result<activity::NewActivity> activity_detail(std::string_view access_token, std::string_view external_id) override {
    constexpr std::string_view what = "Strava activity";
    if (!configured()) return not_configured(what);
    if (external_id.empty() || external_id.size() > 20 ||
        external_id.find_first_not_of("0123456789") != std::string_view::npos) {
      return fail(ErrorCode::invalid_input, "Strava activity ids are numbers");
    }
    const auto base = fmt::format("{}/activities/{}", settings_.api_base_url, external_id);
    auto detail = get_json(base, access_token, what);
    if (!detail) return std::unexpected(std::move(detail.error()));
    auto parsed = activity_of(*detail, what);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    activity::NewActivity out;
    out.activity = std::move(*parsed);
    const bool device_watts = boolean(*detail, "device_watts").value_or(true);

    // DetailedActivity carries its laps; ask the laps endpoint only when it did not.
    if (const auto laps = detail->find("laps"); laps != detail->end() && laps->is_array()) {
      out.activity.laps = laps_of(*laps, out.activity, device_watts);
    } else {
      auto listed = get_json(base + "/laps", access_token, "Strava activity laps");
      if (listed) {
        out.activity.laps = laps_of(*listed, out.activity, device_watts);
      } else if (listed.error().code != ErrorCode::resource_not_found) {
        return std::unexpected(std::move(listed.error()));
      }
    }
    out.activity.lap_count = out.activity.laps.size();

    constexpr std::string_view streams_what = "Strava activity streams";
    auto streams =
        get_json(fmt::format("{}/streams?keys={}&key_by_type=true", base, kStreamKeys), access_token, streams_what);
    if (streams) {
      auto mapped = streams_of(*streams, streams_what);
      if (!mapped) return std::unexpected(std::move(mapped.error()));
      out.streams = std::move(*mapped);
    } else if (streams.error().code != ErrorCode::resource_not_found) {  // 404: an activity without samples
      return std::unexpected(std::move(streams.error()));
    }
    return out;
  }

  Result<activity::Athlete> athlete(std::string_view access_token) override {
    constexpr std::string_view what = "Strava athlete";
    if (!configured()) return not_configured(what);
    auto body = get_json(settings_.api_base_url + "/athlete", access_token, what);
    if (!body) return std::unexpected(std::move(body.error()));
    if (!body->is_object() || !wire::text(*body, "id")) return unexpected_shape(what, "the athlete is not an object");
    return athlete_of(*body);
  }

  [[nodiscard]] RateLimitState rate_limit() const override {
    const std::lock_guard lock(mutex_);
    return rate_;
  }

 private:
  static std::unexpected<Error> not_configured(std::string_view what) {
    return fail(ErrorCode::config_missing, fmt::format("{}: Strava is not configured on this server", what));
  }

  Result<json> token_request(std::string_view what, std::string form) {
    net::Request request;
    request.method = "POST";
    request.url = settings_.oauth_base_url + "/token";
    request.content_type = std::string(kForm);
    request.body = std::move(form);
    auto response = send(request, what, wire::Endpoint::token);
    if (!response) return std::unexpected(std::move(response.error()));
    return wire::json_body(*response, what);
  }

  Result<bool> deauthorize(std::string_view access_token) {
    constexpr std::string_view what = "Strava deauthorization";
    net::Request request;
    request.method = "POST";
    request.url = settings_.oauth_base_url + "/deauthorize";
    request.content_type = std::string(kForm);
    request.body = wire::form_encode({{"access_token", access_token}});
    auto response = send(request, what, wire::Endpoint::api);
    if (!response) return std::unexpected(std::move(response.error()));
    return true;
  }

  Result<json> get_json(const std::string& url, std::string_view access_token, std::string_view what) {
    net::Request request;
    request.url = url;
    request.headers = {{"Authorization", wire::bearer(access_token)}};
    auto response = send(request, what, wire::Endpoint::api);
    if (!response) return std::unexpected(std::move(response.error()));
    return wire::json_body(*response, what);
  }

  // wire::call's classification (provider.hpp), recording the rate-limit headers of every response (429 included)
  // and giving Strava's 429s, which carry no Retry-After, the wait until their window resets.
  Result<net::Response> send(const net::Request& request, std::string_view what, wire::Endpoint endpoint) {
    std::optional<std::int64_t> retry_after;
    auto response =
        wire::call(request, policy_, what, endpoint, [&](const net::Response& r) { retry_after = observe(r); });
    if (!response && response.error().code == ErrorCode::external_rate_limited) {
      auto& details = response.error().details;
      if (!details.is_object()) details = nlohmann::json::object();
      if (!details.contains("retry_after_s")) details["retry_after_s"] = retry_after.value_or(900);
    }
    return response;
  }

  // Records the rate-limit headers; returns the seconds to wait when this was a 429.
  std::optional<std::int64_t> observe(const net::Response& response) {
    const auto now_ms = now_epoch_ms();
    const auto limit = parse_pair(response.header("x-ratelimit-limit"));
    const auto usage = parse_pair(response.header("x-ratelimit-usage"));
    const auto read_limit = parse_pair(response.header("x-readratelimit-limit"));
    const auto read_usage = parse_pair(response.header("x-readratelimit-usage"));
    const bool reported = (limit && usage) || (read_limit && read_usage);
    if (!reported && response.status != 429) return std::nullopt;

    const std::lock_guard lock(mutex_);
    if (reported) {
      RateLimitState next;
      if (limit && usage) {
        next.short_limit = limit->first;
        next.short_usage = usage->first;
        next.daily_limit = limit->second;
        next.daily_usage = usage->second;
      }
      if (read_limit && read_usage) {
        keep_tighter(next.short_limit, next.short_usage, read_limit->first, read_usage->first);
        keep_tighter(next.daily_limit, next.daily_usage, read_limit->second, read_usage->second);
      }
      rate_ = next;  // retry_after_s only survives until the next answer: a 2xx means requests pass again
    }
    rate_.observed_at_ms = now_ms;
    if (response.status != 429) return std::nullopt;
    rate_.retry_after_s = retry_after_429(response, rate_, now_ms);
    return rate_.retry_after_s;
  }

  Settings settings_;
  net::FetchPolicy policy_;
  mutable std::mutex mutex_;
  RateLimitState rate_;
};

}  // namespace

std::unique_ptr<Provider> make_strava(Settings settings) {
  return std::make_unique<StravaProvider>(std::move(settings));
}

}  // namespace pierre::providers
