// GPX 1.0/1.1 → Recording. Element names and meanings: GPX 1.1 schema (topografix.com/GPX/1/1/gpx.xsd), GPX 1.0
// schema (topografix.com/GPX/1/0/gpx.xsd, which also puts <course> and <speed> on trkpt), Garmin
// TrackPointExtension v1/v2 (garmin.com/xmlschemas/TrackPointExtensionv1.xsd, ...v2.xsd). The mapping decisions are
// documented in pierre/formats/gpx.hpp.

#include "pierre/formats/gpx.hpp"

#include <exception>
#include <new>
#include <string>

#include "xml/track_builder.hpp"
#include "xml/xml_document.hpp"

namespace pierre::formats {

namespace {

using xml::local_name;

constexpr int kMaxExtensionDepth = 6;  // <extensions><ns:TrackPointExtension><ns:hr> is depth 2; leave room

using xml::Source;
namespace limits = xml::bounds;

class GpxDecoder {
 public:
  explicit GpxDecoder(const xml::Source& source) noexcept : source_(source) {}

  Result<Recording> run(const pugi::xml_document& doc) {
    const pugi::xml_node root = doc.document_element();
    if (local_name(root) != "gpx") {
      return std::unexpected(source_.error_at(root, "root element is <" + std::string(root.name()) + ">, not <gpx>"));
    }
    Recording rec;
    rec.format = FileFormat::gpx;
    rec.device = xml::trim(xml::attribute(root, "creator").value());

    // The file's own time (GPX 1.1 metadata/time, GPX 1.0 gpx/time): the fallback for tracks without times.
    std::int64_t file_time = 0;
    for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
      const auto name = local_name(c);
      pugi::xml_node time_node;
      if (name == "time") time_node = c;
      if (name == "metadata") time_node = xml::child(c, "time");
      if (time_node) {
        auto t = source_.time(time_node, time_node.child_value());
        if (!t) return std::unexpected(std::move(t.error()));
        if (*t) file_time = (*t)->epoch_ms;
      }
    }

    std::size_t index = 0;
    for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element || local_name(c) != "trk") continue;
      ++index;
      auto ok = track(c, index, file_time, rec);
      if (!ok) return std::unexpected(std::move(ok.error()));
    }
    if (rec.sessions.empty()) {
      // Like a FIT settings file: a valid file that records no activity. Import says so; decoding succeeds.
      rec.warnings.emplace_back(
          "no track points: a GPX file without a <trk> holding <trkpt>s is a route or waypoint list, not an activity");
    }
    return rec;
  }

 private:
  // Sets `out` from the element's text; empty text (<ele/>, <ele></ele>) counts as absent.
  Result<void> optional_number(pugi::xml_node node, const Source::Bounds& bounds, std::optional<double>& out) const {
    const auto value = xml::text(node);
    if (value.empty() || out) return {};  // the first occurrence wins
    auto v = source_.number(node, value, bounds);
    if (!v) return std::unexpected(std::move(v.error()));
    out = *v;
    return {};
  }

  Result<void> extensions(pugi::xml_node ext, Sample& s) const {
    // Iterative walk (no recursion: hostile nesting depth is unbounded in the input) over the elements under
    // <extensions>, matched by local name whatever the namespace prefix, or without one as Strava writes <power>.
    pugi::xml_node n = ext.first_child();
    int depth = 1;
    while (n && n != ext) {
      if (n.type() == pugi::node_element) {
        const auto name = local_name(n);
        Result<void> ok;
        if (name == "hr" || name == "heartrate") {
          ok = optional_number(n, limits::kHeartRate, s.heart_rate_bpm);
        } else if (name == "cad" || name == "cadence") {
          ok = optional_number(n, limits::kCadence, s.cadence_rpm);
        } else if (name == "atemp" || name == "temp") {
          ok = optional_number(n, limits::kTemperature, s.temperature_c);
        } else if (name == "speed") {
          ok = optional_number(n, limits::kSpeed, s.speed_mps);
        } else if (name == "power" || name == "PowerInW") {
          ok = optional_number(n, limits::kPower, s.power_w);
        }
        if (!ok) return ok;
        if (depth < kMaxExtensionDepth && n.first_child()) {
          n = n.first_child();
          ++depth;
          continue;
        }
      }
      while (n != ext && !n.next_sibling()) {
        n = n.parent();
        --depth;
      }
      if (n == ext) break;
      n = n.next_sibling();
    }
    return {};
  }

  Result<void> track(pugi::xml_node trk, std::size_t index, std::int64_t file_time, Recording& rec) const {
    Session session;
    // One cheap pass to size the samples vector: no reallocation while filling it.
    std::size_t points = 0;
    for (pugi::xml_node seg = trk.first_child(); seg; seg = seg.next_sibling()) {
      if (local_name(seg) != "trkseg") continue;
      for (pugi::xml_node pt = seg.first_child(); pt; pt = pt.next_sibling()) {
        if (local_name(pt) == "trkpt") ++points;  // only what becomes a sample: no amplification by junk nodes
      }
    }
    session.samples.reserve(points);
    xml::TrackBuilder builder(session.samples);
    bool first_point = true;
    for (pugi::xml_node c = trk.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = local_name(c);
      if (name == "name") {
        if (session.name.empty()) session.name = xml::text(c);
      } else if (name == "type") {
        if (session.sport.empty()) session.sport = xml::text(c);
      } else if (name == "trkseg") {
        builder.begin_segment();
        for (pugi::xml_node pt = c.first_child(); pt; pt = pt.next_sibling()) {
          if (pt.type() != pugi::node_element || local_name(pt) != "trkpt") continue;
          Sample s;
          std::optional<xml::Timestamp> t;
          auto ok = point(pt, s, t);
          if (!ok) return ok;
          if (first_point && t && t->offset_s) session.utc_offset_s = t->offset_s;
          first_point = false;
          builder.add(s, t ? std::optional<std::int64_t>(t->epoch_ms) : std::nullopt, pt.offset_debug());
        }
      }
    }
    if (session.samples.empty()) return {};

    builder.derive_distances();
    const std::string label = "GPX track " + std::to_string(index);
    const bool timed = builder.finish(file_time);
    if (!timed) {
      rec.warnings.push_back(label + " has no timestamps: its " + std::to_string(session.samples.size()) +
                             " samples all carry " +
                             (file_time != 0 ? "the file's time " + xml::format_datetime(file_time)
                                             : std::string("time 0 (1970-01-01), the file states no time")));
    } else if (builder.untimed() > 0) {
      rec.warnings.push_back(label + ": " + std::to_string(builder.untimed()) + " of " +
                             std::to_string(session.samples.size() + builder.dropped()) +
                             " points have no time; each takes the previous timed point's time");
    }
    if (builder.dropped() > 0) {
      rec.warnings.push_back(label + ": dropped " + std::to_string(builder.dropped()) +
                             " point(s) whose time goes backwards, the first at line " +
                             std::to_string(xml::position_at(source_.bytes(), builder.first_dropped_offset()).line));
    }

    Totals& totals = session.totals;
    totals.start_time_ms = session.samples.front().time_ms;
    if (timed) totals.elapsed_s = static_cast<double>(session.samples.back().time_ms - totals.start_time_ms) / 1000.0;
    totals.distance_m = session.samples.back().distance_m;
    rec.sessions.push_back(std::move(session));
    return {};
  }

  Result<void> point(pugi::xml_node pt, Sample& s, std::optional<xml::Timestamp>& t) const {
    const auto lat = xml::attribute(pt, "lat");
    const auto lon = xml::attribute(pt, "lon");
    if (!lat || !lon) return std::unexpected(source_.error_at(pt, "trkpt without lat/lon attributes"));
    auto lat_v = source_.number(pt, lat.value(), limits::kLatitude);
    if (!lat_v) return std::unexpected(std::move(lat_v.error()));
    auto lon_v = source_.number(pt, lon.value(), limits::kLongitude);
    if (!lon_v) return std::unexpected(std::move(lon_v.error()));
    s.latitude_deg = *lat_v;
    s.longitude_deg = *lon_v;

    for (pugi::xml_node c = pt.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = local_name(c);
      Result<void> ok;
      if (name == "ele") {
        ok = optional_number(c, limits::kAltitude, s.altitude_m);
      } else if (name == "time") {
        if (!t) {
          auto parsed = source_.time(c, c.child_value());
          if (!parsed) return std::unexpected(std::move(parsed.error()));
          t = *parsed;
        }
      } else if (name == "speed") {  // GPX 1.0 only; m/s
        ok = optional_number(c, limits::kSpeed, s.speed_mps);
      } else if (name == "extensions") {
        ok = extensions(c, s);
      }
      if (!ok) return ok;
    }
    return {};
  }

  const Source& source_;
};

}  // namespace

Result<Recording> decode_gpx(std::string_view bytes, const GpxOptions& options) {
  try {
    const xml::Source source(bytes, "GPX");
    pugi::xml_document doc;
    auto loaded = xml::load(doc, source, xml::LoadLimits{options.max_input_bytes});
    if (!loaded) return std::unexpected(std::move(loaded.error()));
    return GpxDecoder(source).run(doc);
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::payload_too_large, "GPX file needs more memory than available");
  } catch (const std::exception&) {  // nothing above throws by design; keep the no-exceptions boundary anyway
    return fail(ErrorCode::internal_error, "GPX decoding failed");
  }
}

Result<Recording> decode_gpx(std::span<const std::uint8_t> bytes, const GpxOptions& options) {
  // char may alias any object, so viewing the bytes as chars is well defined.
  return decode_gpx(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), options);
}

}  // namespace pierre::formats
