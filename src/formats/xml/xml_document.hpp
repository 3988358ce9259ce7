#pragma once
// What the GPX and TCX decoders share: loading untrusted bytes into a pugixml DOM with limits, turning parse and
// node offsets into line/column for error reports, and the small lexical parsers (xsd:dateTime, xsd:decimal) both
// formats use. Private to the formats module.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "pierre/core/error.hpp"

namespace pierre::formats::xml {

// 1-based line and column; the column counts UTF-8 code points, so it matches what an editor shows.
struct Position {
  std::size_t line = 1;
  std::size_t column = 1;
};

// Position of byte `offset` in `bytes` (clamped to the buffer). Offsets are those pugixml reports: byte offsets into
// the input as given (a UTF-8 BOM included). For inputs pugixml converted from another encoding (UTF-16, Latin-1)
// the offset is into the converted text, so line/column are approximate there.
[[nodiscard]] Position position_at(std::string_view bytes, std::ptrdiff_t offset) noexcept;

struct Timestamp {
  std::int64_t epoch_ms = 0;             // UTC
  std::optional<std::int32_t> offset_s;  // the zone written as ±hh:mm; nullopt for "Z" or no zone
};

// The input a decoder works on: its bytes (for positions) and the format name used in messages ("GPX", "TCX").
class Source {
 public:
  Source(std::string_view bytes, std::string_view format) noexcept : bytes_(bytes), format_(format) {}

  [[nodiscard]] std::string_view bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::string_view format() const noexcept { return format_; }

  // ErrorCode::invalid_format, message "<FORMAT> file: <reason> (line L, column C)",
  // details {"line", "column", "reason"}. `offset` < 0 (pugixml's "unknown") reports line 0, column 0.
  [[nodiscard]] Error error_at(std::ptrdiff_t offset, std::string_view reason) const;
  [[nodiscard]] Error error_at(pugi::xml_node node, std::string_view reason) const {
    return error_at(node.offset_debug(), reason);
  }

  struct Bounds {
    std::string_view what;  // "latitude", "heart rate"...
    double lo;
    double hi;
  };
  // The number in `value` (an element's text or an attribute of `node`) within [lo, hi], else an error at `node`
  // naming the value (cut to 40 characters: hostile values can be megabytes long).
  [[nodiscard]] Result<double> number(pugi::xml_node node, std::string_view value, const Bounds& bounds) const;
  // The xsd:dateTime in `value`; nullopt when it is empty (an empty element counts as absent), else an error.
  [[nodiscard]] Result<std::optional<Timestamp>> time(pugi::xml_node node, std::string_view value) const;

 private:
  std::string_view bytes_;
  std::string_view format_;
};

// Generous physical limits shared by the decoders: they catch corrupt values (and hostile 1e308s), not unusual
// athletes.
namespace bounds {
inline constexpr Source::Bounds kLatitude{"latitude", -90.0, 90.0};
inline constexpr Source::Bounds kLongitude{"longitude", -180.0, 180.0};
inline constexpr Source::Bounds kAltitude{"elevation", -20'000.0, 100'000.0};
inline constexpr Source::Bounds kDistance{"distance", 0.0, 1e9};
inline constexpr Source::Bounds kDuration{"duration", 0.0, 1e8};
inline constexpr Source::Bounds kSpeed{"speed", 0.0, 1'000.0};
inline constexpr Source::Bounds kHeartRate{"heart rate", 0.0, 400.0};
inline constexpr Source::Bounds kCadence{"cadence", 0.0, 1'000.0};
inline constexpr Source::Bounds kPower{"power", 0.0, 100'000.0};
inline constexpr Source::Bounds kTemperature{"temperature", -100.0, 150.0};
inline constexpr Source::Bounds kCalories{"calories", 0.0, 1e6};
}  // namespace bounds

struct LoadLimits {
  std::size_t max_input_bytes = std::size_t{256} << 20U;
};

// Parses `bytes` into `doc`. Refuses inputs over the limit (payload_too_large) before pugixml allocates anything.
// pugixml never expands DTD entities: the DOCTYPE is skipped (parse_doctype is off), only the five predefined
// entities and character references are decoded, and an undeclared &name; stays literal text — so neither
// "billion laughs" nor external entities (XXE) can expand or fetch anything. The DOM costs a bounded multiple of
// the input (pugixml pages; parse_embed_pcdata keeps element text in the element node, saving a node per value).
[[nodiscard]] Result<void> load(pugi::xml_document& doc, const Source& source, const LoadLimits& limits);

// The element name without its namespace prefix: GPX/TCX writers choose prefixes freely (gpxtpx:, ns3:, tp1:, or
// none with a default namespace), so matching is by local name only.
[[nodiscard]] inline std::string_view local_name(pugi::xml_node node) noexcept {
  const std::string_view name = node.name();
  const auto colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// First child element with that local name, or an empty node.
[[nodiscard]] pugi::xml_node child(pugi::xml_node parent, std::string_view local) noexcept;

// Attribute by local name (lat, lon, StartTime, Sport...).
[[nodiscard]] pugi::xml_attribute attribute(pugi::xml_node node, std::string_view local) noexcept;

// The element's text with XML whitespace (space, tab, CR, LF) trimmed; empty when it has none.
[[nodiscard]] std::string_view text(pugi::xml_node node) noexcept;
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;

// xsd:decimal / xsd:double as writers use them: optional sign, digits, optional fraction, optional exponent
// (not allowed by xsd:decimal, but harmless). Rejects empty text, trailing garbage, NaN and infinities.
[[nodiscard]] std::optional<double> parse_number(std::string_view s) noexcept;

// xsd:dateTime (XML Schema 1.1 part 2, §3.3.7, itself ISO 8601): YYYY-MM-DDThh:mm:ss[.f+][Z|±hh:mm].
// Fractions of any length are rounded to the millisecond. No zone means UTC: both GPX ("Coordinated Universal
// Time") and TCX state their times in UTC. Also accepts ±hhmm, a lower-case 't' and a space separator, which
// some writers emit. Years 0001..9999; 24:00:00 is the end of the day.
[[nodiscard]] std::optional<Timestamp> parse_datetime(std::string_view s) noexcept;

// "1970-01-01T00:00:00.000Z" rendering, for warnings.
[[nodiscard]] std::string format_datetime(std::int64_t epoch_ms);

}  // namespace pierre::formats::xml
