#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "pierre/activity/import.hpp"
#include "pierre/core/text.hpp"
#include "pierre/formats/fit.hpp"
#include "pierre/formats/gpx.hpp"
#include "pierre/formats/tcx.hpp"

namespace pierre::activity {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPauseGapS = 30;        // a gap longer than this between samples is a pause, not movement
constexpr double kMovingSpeedMps = 0.3;  // slower than ~1 km/h is standing still
constexpr double kElevationHysteresisM = 2;
constexpr double kEarthRadiusM = 6'371'008.8;  // IUGG mean radius

bool finite(double v) {
  return std::isfinite(v);
}

// Text from files is whatever the device wrote: keep valid UTF-8, replace anything else (and control characters)
// so names and device strings are safe to store (PostgreSQL refuses invalid UTF-8) and to show.
std::string clean_text(std::string_view in, std::size_t max_bytes = 200) {
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  std::size_t i = 0;
  while (i < in.size() && out.size() < max_bytes) {
    const auto c = static_cast<unsigned char>(in[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5U) == 0x6 ? 2 : (c >> 4U) == 0xe ? 3 : (c >> 3U) == 0x1e ? 4 : 0;
    bool ok = len != 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xc0U) == 0x80;
    if (ok && len == 2 && c < 0xc2) ok = false;  // overlong
    if (!ok) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (len == 1 && (c < 0x20 || c == 0x7f)) {
      out += ' ';
    } else {
      out.append(in.substr(i, len));
    }
    i += len;
  }
  return out;
}

using text::lower;

double haversine_m(double lat1, double lon1, double lat2, double lon2) {
  const double to_rad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * to_rad;
  const double dlon = (lon2 - lon1) * to_rad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * to_rad) * std::cos(lat2 * to_rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

struct Stats {
  double sum = 0;
  double max = -std::numeric_limits<double>::infinity();
  std::size_t count = 0;
  void add(double v) {
    sum += v;
    max = std::max(max, v);
    ++count;
  }
  [[nodiscard]] std::optional<double> mean() const { return count ? std::optional(sum / double(count)) : std::nullopt; }
  [[nodiscard]] std::optional<double> maximum() const { return count ? std::optional(max) : std::nullopt; }
};

Stats stats_of(const std::vector<double>& values, bool skip_zero = false) {
  Stats s;
  for (const double v : values) {
    if (finite(v) && !(skip_zero && v == 0)) s.add(v);
  }
  return s;
}

// Coggan's normalised power: 30 s rolling mean of power on a 1 s grid (holding the last value across gaps up to
// kPauseGapS, zero beyond), then the 4th root of the mean of its 4th powers.
std::optional<double> normalized_power(const Streams& s) {
  if (s.power_w.size() != s.size() || s.size() < 2) return std::nullopt;
  const double duration = s.time_s.back() - s.time_s.front();
  if (!(duration >= 30)) return std::nullopt;
  const auto seconds = static_cast<std::size_t>(duration) + 1;
  std::vector<double> grid(seconds, 0.0);
  std::size_t j = 0;
  for (std::size_t sec = 0; sec < seconds; ++sec) {
    const double t = s.time_s.front() + double(sec);
    while (j + 1 < s.size() && s.time_s[j + 1] <= t) ++j;
    const double p = s.power_w[j];
    grid[sec] = finite(p) && t - s.time_s[j] <= kPauseGapS ? p : 0.0;
  }
  double window = 0;
  double sum4 = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    window += grid[i];
    if (i >= 30) window -= grid[i - 30];
    if (i >= 29) {
      const double mean = window / 30.0;
      sum4 += mean * mean * mean * mean;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return std::pow(sum4 / double(n), 0.25);
}

void apply_totals(Summary& out, const formats::Totals& t) {
  if (t.start_time_ms > 0) out.start_time_ms = t.start_time_ms;
  if (t.elapsed_s) out.elapsed_time_s = *t.elapsed_s;
  if (t.timer_s) out.moving_time_s = *t.timer_s;
  if (t.distance_m) out.distance_m = *t.distance_m;
  const auto take = [](std::optional<double>& dst, const std::optional<double>& src) {
    if (src) dst = src;
  };
  take(out.total_ascent_m, t.ascent_m);
  take(out.total_descent_m, t.descent_m);
  take(out.avg_hr_bpm, t.avg_heart_rate_bpm);
  take(out.max_hr_bpm, t.max_heart_rate_bpm);
  take(out.avg_power_w, t.avg_power_w);
  take(out.max_power_w, t.max_power_w);
  take(out.normalized_power_w, t.normalized_power_w);
  take(out.avg_cadence_rpm, t.avg_cadence_rpm);
  take(out.avg_speed_mps, t.avg_speed_mps);
  take(out.max_speed_mps, t.max_speed_mps);
  take(out.calories_kcal, t.calories_kcal);
}

std::string sport_label(SportType sport) {
  switch (sport) {
    case SportType::run:
    case SportType::trail_run:
    case SportType::treadmill_run: return "Run";
    case SportType::ride:
    case SportType::mountain_bike_ride:
    case SportType::gravel_ride:
    case SportType::virtual_ride:
    case SportType::e_bike_ride: return "Ride";
    case SportType::swim:
    case SportType::open_water_swim: return "Swim";
    case SportType::walk: return "Walk";
    case SportType::hike: return "Hike";
    default: {
      std::string label(sport_name(sport));
      std::replace(label.begin(), label.end(), '_', ' ');
      if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
      return label;
    }
  }
}

std::string default_name(SportType sport, std::int64_t start_ms, std::optional<std::int32_t> offset_s) {
  const std::int64_t local_s = start_ms / 1000 + offset_s.value_or(0);
  const auto hour = ((local_s % 86400) + 86400) % 86400 / 3600;
  const char* part = hour >= 5 && hour < 12    ? "Morning"
                     : hour >= 12 && hour < 17 ? "Afternoon"
                     : hour >= 17 && hour < 21 ? "Evening"
                                               : "Night";
  return std::string(part) + " " + sport_label(sport);
}

}  // namespace

FileKind detect_file_kind(std::span<const std::uint8_t> bytes, std::string_view filename) {
  if (bytes.size() >= 12 && std::memcmp(bytes.data() + 8, ".FIT", 4) == 0) return FileKind::fit;
  // XML: look for the root element in the first few KB (after a BOM, declaration, comments).
  const std::string_view head(reinterpret_cast<const char*>(bytes.data()), std::min<std::size_t>(bytes.size(), 4096));
  if (head.find("<gpx") != std::string_view::npos) return FileKind::gpx;
  if (head.find("TrainingCenterDatabase") != std::string_view::npos) return FileKind::tcx;
  const auto name = lower(filename);
  if (name.ends_with(".fit")) return FileKind::fit;
  if (name.ends_with(".gpx")) return FileKind::gpx;
  if (name.ends_with(".tcx")) return FileKind::tcx;
  return FileKind::unknown;
}

Result<formats::Recording> decode_activity_file(std::span<const std::uint8_t> bytes, std::string_view filename) {
  switch (detect_file_kind(bytes, filename)) {
    case FileKind::fit: return formats::fit::decode_recording(std::as_bytes(bytes));
    case FileKind::gpx: return formats::decode_gpx(bytes);
    case FileKind::tcx: return formats::decode_tcx(bytes);
    case FileKind::unknown: break;
  }
  return fail(ErrorCode::invalid_format, "not a FIT, GPX or TCX activity file",
              {{"offset", 0}, {"reason", "unrecognised format"}});
}

Summary summarize_streams(const Streams& s, std::int64_t start_time_ms) {
  Summary out;
  out.start_time_ms = start_time_ms;
  const std::size_t n = s.size();
  if (n == 0) return out;
  out.elapsed_time_s = std::max(0.0, s.time_s.back() - s.time_s.front());

  // Distance: the recorded cumulative distance, else the path through the positions.
  std::vector<double> distance(n, kNaN);
  if (s.distance_m.size() == n) distance = s.distance_m;
  if (stats_of(distance).count == 0 && s.latitude_deg.size() == n && s.longitude_deg.size() == n) {
    double total = 0;
    std::optional<std::size_t> last;
    for (std::size_t i = 0; i < n; ++i) {
      if (!finite(s.latitude_deg[i]) || !finite(s.longitude_deg[i])) continue;
      if (last)
        total += haversine_m(s.latitude_deg[*last], s.longitude_deg[*last], s.latitude_deg[i], s.longitude_deg[i]);
      distance[i] = total;
      last = i;
    }
  }
  double last_distance = 0;
  for (const double d : distance) {
    if (finite(d)) last_distance = std::max(last_distance, d);
  }
  out.distance_m = last_distance;

  // Moving time: intervals with movement, no long gaps; without any distance or speed data, all but the gaps.
  const bool has_motion = stats_of(distance).count > 0 || stats_of(s.speed_mps).count > 0;
  double moving = 0;
  double previous_distance = finite(distance[0]) ? distance[0] : kNaN;
  for (std::size_t i = 1; i < n; ++i) {
    const double dt = s.time_s[i] - s.time_s[i - 1];
    if (finite(distance[i])) {
      const double dd = finite(previous_distance) ? distance[i] - previous_distance : 0;
      previous_distance = distance[i];
      if (!(dt > 0) || dt > kPauseGapS) continue;
      const double speed = s.speed_mps.size() == n && finite(s.speed_mps[i]) ? s.speed_mps[i] : dd / dt;
      if (speed >= kMovingSpeedMps) moving += dt;
    } else if (!(dt > 0) || dt > kPauseGapS) {
      continue;
    } else if (!has_motion ||
               (s.speed_mps.size() == n && finite(s.speed_mps[i]) && s.speed_mps[i] >= kMovingSpeedMps)) {
      moving += dt;
    }
  }
  out.moving_time_s = moving;

  if (s.altitude_m.size() == n) {
    double ascent = 0;
    double descent = 0;
    std::optional<double> anchor;
    for (const double a : s.altitude_m) {
      if (!finite(a)) continue;
      if (!anchor) {
        anchor = a;
      } else if (a - *anchor >= kElevationHysteresisM) {
        ascent += a - *anchor;
        anchor = a;
      } else if (*anchor - a >= kElevationHysteresisM) {
        descent += *anchor - a;
        anchor = a;
      }
    }
    if (anchor) {
      out.total_ascent_m = ascent;
      out.total_descent_m = descent;
    }
  }
  if (s.heart_rate_bpm.size() == n) {
    const auto hr = stats_of(s.heart_rate_bpm, true);
    out.avg_hr_bpm = hr.mean();
    out.max_hr_bpm = hr.maximum();
  }
  if (s.power_w.size() == n) {
    const auto power = stats_of(s.power_w);
    out.avg_power_w = power.mean();
    out.max_power_w = power.maximum();
    out.normalized_power_w = normalized_power(s);
  }
  if (s.cadence_rpm.size() == n) out.avg_cadence_rpm = stats_of(s.cadence_rpm, true).mean();
  if (s.speed_mps.size() == n) out.max_speed_mps = stats_of(s.speed_mps).maximum();
  if (out.moving_time_s > 0 && out.distance_m > 0) out.avg_speed_mps = out.distance_m / out.moving_time_s;
  return out;
}

std::vector<NewActivity> activities_from_recording(const formats::Recording& recording, std::string_view content_id) {
  std::vector<NewActivity> out;
  const std::string base_id = recording.source_id ? *recording.source_id : "sha256:" + std::string(content_id);
  const bool multisport = recording.sessions.size() > 1;
  for (std::size_t index = 0; index < recording.sessions.size(); ++index) {
    const auto& session = recording.sessions[index];
    if (session.samples.empty() && !session.totals.elapsed_s && !session.totals.distance_m) continue;
    NewActivity item;
    auto& a = item.activity;
    a.source = "file";
    a.external_id = multisport ? base_id + "#" + std::to_string(index) : base_id;
    a.sport = sport_from_source(session.sport, session.sub_sport);
    a.device = clean_text(recording.device);
    if (multisport) a.group_id = "grp_" + base_id;
    const std::int64_t start = session.totals.start_time_ms > 0 ? session.totals.start_time_ms
                               : session.samples.empty()        ? 0
                                                                : session.samples.front().time_ms;
    auto& st = item.streams;
    const auto channel = [&](std::vector<double> Streams::*member, auto get) {
      bool any = false;
      for (const auto& sample : session.samples) any = any || get(sample).has_value();
      if (!any) return;
      auto& values = st.*member;
      values.reserve(session.samples.size());
      for (const auto& sample : session.samples) values.push_back(get(sample).value_or(kNaN));
    };
    st.time_s.reserve(session.samples.size());
    for (const auto& sample : session.samples) st.time_s.push_back(double(sample.time_ms - start) / 1000.0);
    channel(&Streams::distance_m, [](const formats::Sample& x) { return x.distance_m; });
    channel(&Streams::latitude_deg, [](const formats::Sample& x) { return x.latitude_deg; });
    channel(&Streams::longitude_deg, [](const formats::Sample& x) { return x.longitude_deg; });
    channel(&Streams::altitude_m, [](const formats::Sample& x) { return x.altitude_m; });
    channel(&Streams::heart_rate_bpm, [](const formats::Sample& x) { return x.heart_rate_bpm; });
    channel(&Streams::power_w, [](const formats::Sample& x) { return x.power_w; });
    channel(&Streams::cadence_rpm, [](const formats::Sample& x) { return x.cadence_rpm; });
    channel(&Streams::speed_mps, [](const formats::Sample& x) { return x.speed_mps; });
    channel(&Streams::temperature_c, [](const formats::Sample& x) { return x.temperature_c; });

    a.summary = summarize_streams(st, start);
    apply_totals(a.summary, session.totals);
    a.summary.utc_offset_s = session.utc_offset_s;
    for (const auto& lap : session.laps) {
      Lap l;
      apply_totals(l.summary, lap.totals);
      a.laps.push_back(std::move(l));
    }
    a.name = session.name.empty() ? default_name(a.sport, a.summary.start_time_ms, a.summary.utc_offset_s)
                                  : clean_text(session.name);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace pierre::activity
