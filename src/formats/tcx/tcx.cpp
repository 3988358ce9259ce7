// TCX (Garmin TrainingCenterDatabase v2) → Recording. Element names and meanings: TrainingCenterDatabasev2.xsd
// (Activity_t, ActivityLap_t, Trackpoint_t, MultiSportSession_t) and ActivityExtensionv2.xsd
// (ActivityTrackpointExtension_t "TPX", ActivityLapExtension_t "LX"). The mapping decisions are documented in
// pierre/formats/tcx.hpp.

#include "pierre/formats/tcx.hpp"

#include <algorithm>
#include <exception>
#include <new>
#include <string>

#include "xml/track_builder.hpp"
#include "xml/xml_document.hpp"

namespace pierre::formats {

namespace {

using xml::local_name;

using xml::Source;
namespace limits = xml::bounds;

// Accumulates one session's totals from its laps (see tcx.hpp for the rules).
class LapCombiner {
 public:
  void add(const Totals& lap) {
    ++laps_;
    sum(lap.timer_s, timer_, timer_n_);
    sum(lap.distance_m, distance_, distance_n_);
    sum(lap.calories_kcal, calories_, calories_n_);
    const double weight = lap.timer_s.value_or(0.0);
    mean(lap.avg_heart_rate_bpm, weight, hr_);
    mean(lap.avg_cadence_rpm, weight, cadence_);
    mean(lap.avg_speed_mps, weight, speed_);
    mean(lap.avg_power_w, weight, power_);
    max(lap.max_heart_rate_bpm, max_hr_);
    max(lap.max_speed_mps, max_speed_);
    max(lap.max_power_w, max_power_);
  }

  void apply(Totals& t) const {
    if (laps_ == 0) return;
    if (timer_n_ == laps_) t.timer_s = timer_;
    if (distance_n_ == laps_) t.distance_m = distance_;
    if (calories_n_ == laps_) t.calories_kcal = calories_;
    t.avg_heart_rate_bpm = hr_.value();
    t.avg_cadence_rpm = cadence_.value();
    t.avg_speed_mps = speed_.value();
    t.avg_power_w = power_.value();
    t.max_heart_rate_bpm = max_hr_;
    t.max_speed_mps = max_speed_;
    t.max_power_w = max_power_;
  }

 private:
  struct Mean {
    double weighted = 0;
    double weight = 0;
    double plain = 0;  // unweighted fallback when no lap states its time
    std::size_t n = 0;
    [[nodiscard]] std::optional<double> value() const {
      if (n == 0) return std::nullopt;
      return weight > 0 ? weighted / weight : plain / static_cast<double>(n);
    }
  };
  static void sum(const std::optional<double>& v, double& acc, std::size_t& n) {
    if (v) {
      acc += *v;
      ++n;
    }
  }
  static void mean(const std::optional<double>& v, double weight, Mean& m) {
    if (!v) return;
    m.weighted += *v * weight;
    m.weight += weight;
    m.plain += *v;
    ++m.n;
  }
  static void max(const std::optional<double>& v, std::optional<double>& acc) {
    if (v && (!acc || *v > *acc)) acc = v;
  }

  std::size_t laps_ = 0;
  double timer_ = 0, distance_ = 0, calories_ = 0;
  std::size_t timer_n_ = 0, distance_n_ = 0, calories_n_ = 0;
  Mean hr_, cadence_, speed_, power_;
  std::optional<double> max_hr_, max_speed_, max_power_;
};

class TcxDecoder {
 public:
  explicit TcxDecoder(const xml::Source& source) noexcept : source_(source) {}

  Result<Recording> run(const pugi::xml_document& doc) {
    const pugi::xml_node root = doc.document_element();
    if (local_name(root) != "TrainingCenterDatabase") {
      return std::unexpected(
          source_.error_at(root, "root element is <" + std::string(root.name()) + ">, not <TrainingCenterDatabase>"));
    }
    Recording rec;
    rec.format = FileFormat::tcx;

    std::size_t activities = 0;
    for (pugi::xml_node acts = root.first_child(); acts; acts = acts.next_sibling()) {
      if (acts.type() != pugi::node_element || local_name(acts) != "Activities") continue;
      for (pugi::xml_node c = acts.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        const auto name = local_name(c);
        if (name == "Activity") {
          auto ok = activity(c, ++activities, rec);
          if (!ok) return std::unexpected(std::move(ok.error()));
        } else if (name == "MultiSportSession") {
          // FirstSport/NextSport each hold one Activity (NextSport may also hold a Transition lap, skipped).
          for (pugi::xml_node part = c.first_child(); part; part = part.next_sibling()) {
            const auto part_name = local_name(part);
            if (part_name != "FirstSport" && part_name != "NextSport") continue;
            if (const pugi::xml_node a = xml::child(part, "Activity")) {
              auto ok = activity(a, ++activities, rec);
              if (!ok) return std::unexpected(std::move(ok.error()));
            }
          }
        }
      }
    }
    if (rec.sessions.empty()) {
      return std::unexpected(source_.error_at(root,
                                              "no activity (a TCX file without an <Activity> holding laps or "
                                              "trackpoints, e.g. a course, is not a recording)"));
    }
    if (rec.device.empty()) {
      // No Creator (the device): the Author (the exporting application) is the next best description.
      rec.device = xml::text(xml::child(xml::child(root, "Author"), "Name"));
    }
    return rec;
  }

 private:
  // Empty elements count as absent; the first occurrence wins.
  Result<void> optional_number(pugi::xml_node node, const Source::Bounds& bounds, std::optional<double>& out) const {
    if (!node || out || xml::text(node).empty()) return {};
    auto v = source_.number(node, xml::text(node), bounds);
    if (!v) return std::unexpected(std::move(v.error()));
    out = *v;
    return {};
  }

  // HeartRateBpm/AverageHeartRateBpm/MaximumHeartRateBpm wrap their number in <Value>.
  Result<void> optional_value(pugi::xml_node node, const Source::Bounds& bounds, std::optional<double>& out) const {
    return node ? optional_number(xml::child(node, "Value"), bounds, out) : Result<void>{};
  }

  Result<void> activity(pugi::xml_node act, std::size_t index, Recording& rec) const {
    Session session;
    session.sport = xml::trim(xml::attribute(act, "Sport").value());
    const pugi::xml_node id = xml::child(act, "Id");
    const std::string_view id_text = xml::text(id);
    std::optional<std::int64_t> start;
    // Id is an xsd:dateTime in the schema; a writer that put something else there still gets a usable source id.
    if (const auto t = xml::parse_datetime(id_text)) start = t->epoch_ms;
    const std::string_view notes = xml::text(xml::child(act, "Notes"));
    session.name = notes.empty() ? id_text : notes;

    // One cheap pass to size the samples vector: no reallocation while filling it.
    std::size_t points = 0;
    for (pugi::xml_node lap = act.first_child(); lap; lap = lap.next_sibling()) {
      if (local_name(lap) != "Lap") continue;
      for (pugi::xml_node track = lap.first_child(); track; track = track.next_sibling()) {
        if (local_name(track) != "Track") continue;
        for (pugi::xml_node tp = track.first_child(); tp; tp = tp.next_sibling()) {
          if (local_name(tp) == "Trackpoint") ++points;  // only what becomes a sample
        }
      }
    }
    session.samples.reserve(points);
    xml::TrackBuilder builder(session.samples);
    LapCombiner combiner;
    bool first_point = true;
    for (pugi::xml_node lap_node = act.first_child(); lap_node; lap_node = lap_node.next_sibling()) {
      if (lap_node.type() != pugi::node_element || local_name(lap_node) != "Lap") continue;
      Lap lap;
      auto ok = lap_totals(lap_node, lap.totals);
      if (!ok) return std::unexpected(std::move(ok.error()));
      if (!start && *ok) start = lap.totals.start_time_ms;  // no usable Id: the first lap's StartTime
      combiner.add(lap.totals);
      session.laps.push_back(lap);
      for (pugi::xml_node track = lap_node.first_child(); track; track = track.next_sibling()) {
        if (track.type() != pugi::node_element || local_name(track) != "Track") continue;
        builder.begin_segment();
        for (pugi::xml_node tp = track.first_child(); tp; tp = tp.next_sibling()) {
          if (tp.type() != pugi::node_element || local_name(tp) != "Trackpoint") continue;
          Sample s;
          std::optional<xml::Timestamp> t;
          auto point_ok = trackpoint(tp, s, t);
          if (!point_ok) return point_ok;
          if (first_point && t && t->offset_s) session.utc_offset_s = t->offset_s;
          first_point = false;
          builder.add(s, t ? std::optional<std::int64_t>(t->epoch_ms) : std::nullopt, tp.offset_debug());
        }
      }
    }
    if (session.laps.empty() && session.samples.empty()) return {};  // not a recording: skipped
    if (!rec.source_id && !id_text.empty()) rec.source_id = "tcx:" + std::string(id_text);
    if (rec.device.empty()) rec.device = xml::text(xml::child(xml::child(act, "Creator"), "Name"));

    if (!builder.any_distance()) builder.derive_distances();
    const std::int64_t fallback = start.value_or(0);
    const std::string label = "TCX activity " + std::to_string(index);
    if (!session.samples.empty() && !builder.finish(fallback)) {
      rec.warnings.push_back(label + " has no trackpoint times: its " + std::to_string(session.samples.size()) +
                             " samples all carry the activity start " + xml::format_datetime(fallback));
    } else if (builder.untimed() > 0) {
      rec.warnings.push_back(label + ": " + std::to_string(builder.untimed()) +
                             " trackpoints have no time; each takes the previous timed point's time");
    }
    if (builder.dropped() > 0) {
      rec.warnings.push_back(label + ": dropped " + std::to_string(builder.dropped()) +
                             " trackpoint(s) whose time goes backwards, the first at line " +
                             std::to_string(xml::position_at(source_.bytes(), builder.first_dropped_offset()).line));
    }

    combiner.apply(session.totals);
    // Neither Id nor a lap StartTime is a time: the first sample's, or 0 for laps without samples.
    session.totals.start_time_ms = start ? *start : (session.samples.empty() ? 0 : session.samples.front().time_ms);
    rec.sessions.push_back(std::move(session));
    return {};
  }

  // Returns whether the lap states its StartTime.
  Result<bool> lap_totals(pugi::xml_node lap, Totals& t) const {
    const auto st = xml::attribute(lap, "StartTime");
    auto start = source_.time(lap, st.value());
    if (!start) return std::unexpected(std::move(start.error()));
    if (*start) t.start_time_ms = (*start)->epoch_ms;
    std::optional<double> run_cadence;
    for (pugi::xml_node c = lap.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = local_name(c);
      Result<void> ok;
      if (name == "TotalTimeSeconds") {
        ok = optional_number(c, limits::kDuration, t.timer_s);
      } else if (name == "DistanceMeters") {
        ok = optional_number(c, limits::kDistance, t.distance_m);
      } else if (name == "MaximumSpeed") {
        ok = optional_number(c, limits::kSpeed, t.max_speed_mps);
      } else if (name == "Calories") {
        ok = optional_number(c, limits::kCalories, t.calories_kcal);
      } else if (name == "AverageHeartRateBpm") {
        ok = optional_value(c, limits::kHeartRate, t.avg_heart_rate_bpm);
      } else if (name == "MaximumHeartRateBpm") {
        ok = optional_value(c, limits::kHeartRate, t.max_heart_rate_bpm);
      } else if (name == "Cadence") {
        ok = optional_number(c, limits::kCadence, t.avg_cadence_rpm);
      } else if (name == "Extensions") {
        // ActivityExtension v2 LX: <LX><AvgSpeed/><MaxBikeCadence/><AvgRunCadence/><MaxRunCadence/><Steps/>
        // <AvgWatts/><MaxWatts/></LX>.
        const pugi::xml_node lx = xml::child(c, "LX");
        for (pugi::xml_node e = lx.first_child(); e && ok; e = e.next_sibling()) {
          const auto ename = local_name(e);
          if (ename == "AvgSpeed") ok = optional_number(e, limits::kSpeed, t.avg_speed_mps);
          if (ename == "AvgWatts") ok = optional_number(e, limits::kPower, t.avg_power_w);
          if (ename == "MaxWatts") ok = optional_number(e, limits::kPower, t.max_power_w);
          if (ename == "AvgRunCadence") ok = optional_number(e, limits::kCadence, run_cadence);
        }
      }
      if (!ok) return std::unexpected(std::move(ok.error()));
    }
    if (!t.avg_cadence_rpm) t.avg_cadence_rpm = run_cadence;
    return start->has_value();
  }

  Result<void> trackpoint(pugi::xml_node tp, Sample& s, std::optional<xml::Timestamp>& t) const {
    std::optional<double> run_cadence;
    for (pugi::xml_node c = tp.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = local_name(c);
      Result<void> ok;
      if (name == "Time") {
        if (!t) {
          auto parsed = source_.time(c, c.child_value());
          if (!parsed) return std::unexpected(std::move(parsed.error()));
          t = *parsed;
        }
      } else if (name == "Position") {
        const pugi::xml_node lat = xml::child(c, "LatitudeDegrees");
        const pugi::xml_node lon = xml::child(c, "LongitudeDegrees");
        if (!lat || !lon) return std::unexpected(source_.error_at(c, "Position without latitude and longitude"));
        ok = optional_number(lat, limits::kLatitude, s.latitude_deg);
        if (ok) ok = optional_number(lon, limits::kLongitude, s.longitude_deg);
        // An empty coordinate beside a present one is no position at all.
        if (ok && s.latitude_deg.has_value() != s.longitude_deg.has_value()) {
          return std::unexpected(source_.error_at(c, "Position without latitude and longitude"));
        }
      } else if (name == "AltitudeMeters") {
        ok = optional_number(c, limits::kAltitude, s.altitude_m);
      } else if (name == "DistanceMeters") {
        ok = optional_number(c, limits::kDistance, s.distance_m);
      } else if (name == "HeartRateBpm") {
        ok = optional_value(c, limits::kHeartRate, s.heart_rate_bpm);
      } else if (name == "Cadence") {
        ok = optional_number(c, limits::kCadence, s.cadence_rpm);
      } else if (name == "Extensions") {
        // ActivityExtension v2 TPX: <TPX><Speed/><RunCadence/><Watts/></TPX>.
        const pugi::xml_node tpx = xml::child(c, "TPX");
        for (pugi::xml_node e = tpx.first_child(); e && ok; e = e.next_sibling()) {
          const auto ename = local_name(e);
          if (ename == "Speed") ok = optional_number(e, limits::kSpeed, s.speed_mps);
          if (ename == "Watts") ok = optional_number(e, limits::kPower, s.power_w);
          if (ename == "RunCadence") ok = optional_number(e, limits::kCadence, run_cadence);
        }
      }
      if (!ok) return ok;
    }
    if (!s.cadence_rpm) s.cadence_rpm = run_cadence;
    return {};
  }

  const Source& source_;
};

}  // namespace

Result<Recording> decode_tcx(std::string_view bytes, const TcxOptions& options) {
  try {
    const xml::Source source(bytes, "TCX");
    pugi::xml_document doc;
    auto loaded = xml::load(doc, source, xml::LoadLimits{options.max_input_bytes});
    if (!loaded) return std::unexpected(std::move(loaded.error()));
    return TcxDecoder(source).run(doc);
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::payload_too_large, "TCX file needs more memory than available");
  } catch (const std::exception&) {  // nothing above throws by design; keep the no-exceptions boundary anyway
    return fail(ErrorCode::internal_error, "TCX decoding failed");
  }
}

Result<Recording> decode_tcx(std::span<const std::uint8_t> bytes, const TcxOptions& options) {
  // char may alias any object, so viewing the bytes as chars is well defined.
  return decode_tcx(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), options);
}

}  // namespace pierre::formats
