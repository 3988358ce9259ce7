#include "xml/xml_document.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace pierre::formats::xml {

namespace {

bool is_xml_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Howard Hinnant's days_from_civil (proleptic Gregorian), exact for every year we accept.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(int y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) noexcept {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` ASCII digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) noexcept {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Position position_at(std::string_view bytes, std::ptrdiff_t offset) noexcept {
  Position p;
  const auto end = std::min(bytes.size(), static_cast<std::size_t>(std::max<std::ptrdiff_t>(offset, 0)));
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0U) != 0x80U) {  // UTF-8 continuation bytes do not start a character
      ++p.column;
    }
  }
  return p;
}

Error Source::error_at(std::ptrdiff_t offset, std::string_view reason) const {
  Position p{0, 0};
  if (offset >= 0) p = position_at(bytes_, offset);
  std::string message;
  message.reserve(64 + reason.size());
  message.append(format_).append(" file: ").append(reason);
  message.append(" (line ").append(std::to_string(p.line)).append(", column ").append(std::to_string(p.column));
  message.append(")");
  return Error{ErrorCode::invalid_format, std::move(message),
               nlohmann::json{{"line", p.line}, {"column", p.column}, {"reason", std::string(reason)}}};
}

namespace {

std::string quoted(std::string_view value) {
  constexpr std::size_t kMax = 40;
  std::string out = "\"";
  out.append(value.substr(0, kMax));
  if (value.size() > kMax) out.append("...");
  out.append("\"");
  return out;
}

std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

Result<double> Source::number(pugi::xml_node node, std::string_view value, const Bounds& b) const {
  const auto v = parse_number(value);
  if (!v) return std::unexpected(error_at(node, std::string(b.what) + " " + quoted(value) + " is not a number"));
  if (*v < b.lo || *v > b.hi) {
    return std::unexpected(error_at(node, std::string(b.what) + " " + quoted(value) + " is out of range [" +
                                              shortest(b.lo) + ", " + shortest(b.hi) + "]"));
  }
  return *v;
}

Result<std::optional<Timestamp>> Source::time(pugi::xml_node node, std::string_view value) const {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  const auto t = parse_datetime(value);
  if (!t) return std::unexpected(error_at(node, "time " + quoted(value) + " is not an ISO 8601 date-time"));
  return t;
}

Result<void> load(pugi::xml_document& doc, const Source& source, const LoadLimits& limits) {
  const auto bytes = source.bytes();
  if (bytes.size() > limits.max_input_bytes) {
    return fail(ErrorCode::payload_too_large,
                std::string(source.format()) + " file is larger than the " + std::to_string(limits.max_input_bytes) +
                    "-byte limit",
                {{"limit_bytes", limits.max_input_bytes}, {"size_bytes", bytes.size()}});
  }
  // parse_default = CDATA, escapes (predefined entities + character references only), EOL normalisation;
  // no parse_doctype, no parse_comments/pi: those are skipped and never reach the tree.
  constexpr unsigned kOptions = pugi::parse_default | pugi::parse_embed_pcdata;
  const pugi::xml_parse_result result = doc.load_buffer(bytes.data(), bytes.size(), kOptions, pugi::encoding_auto);
  if (result.status == pugi::status_out_of_memory) {
    return fail(ErrorCode::payload_too_large, std::string(source.format()) + " file needs more memory than available");
  }
  if (!result) return std::unexpected(source.error_at(result.offset, result.description()));
  return {};
}

pugi::xml_node child(pugi::xml_node parent, std::string_view local) noexcept {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == local) return c;
  }
  return {};
}

pugi::xml_attribute attribute(pugi::xml_node node, std::string_view local) noexcept {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    const auto colon = name.rfind(':');
    if (colon != std::string_view::npos) name = name.substr(colon + 1);
    if (name == local) return a;
  }
  return {};
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_xml_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_xml_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view text(pugi::xml_node node) noexcept {
  return trim(node.child_value());
}

std::optional<double> parse_number(std::string_view s) noexcept {
  s = trim(s);
  // from_chars takes no leading '+', which xsd:decimal allows; a second sign after it is still rejected.
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  // from_chars also reads "inf"/"nan"/hex-free forms; only digits, '.', sign and exponent are numbers in XML.
  const char first = s.front() == '-' ? (s.size() > 1 ? s[1] : '\0') : s.front();
  if (!((first >= '0' && first <= '9') || first == '.')) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::general);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<Timestamp> parse_datetime(std::string_view s) noexcept {
  s = trim(s);
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) || !expect(s, pos, '-') ||
      !digits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) || !expect(s, pos, ':') ||
      !digits(s, pos, 2, second)) {
    return std::nullopt;
  }
  // Fraction: keep up to 9 digits (nanoseconds), ignore the rest, round to the millisecond below.
  std::int64_t nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t n = 0;
    std::int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) {
        nanos += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
  }
  std::optional<std::int32_t> offset_s;
  if (pos < s.size()) {
    const char z = s[pos];
    if (z == 'Z' || z == 'z') {
      ++pos;
    } else if (z == '+' || z == '-') {
      ++pos;
      int oh = 0, om = 0;
      if (!digits(s, pos, 2, oh)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (!digits(s, pos, 2, om)) return std::nullopt;
      if (oh > 14 || om > 59) return std::nullopt;
      offset_s = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  const bool end_of_day = hour == 24 && minute == 0 && second == 0 && nanos == 0;
  // Seconds 60 is a leap second (UTC allows it; xsd:dateTime does not, but GPS receivers have written it).
  if ((hour > 23 && !end_of_day) || minute > 59 || second > 60) return std::nullopt;

  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - (offset_s ? *offset_s : 0);
  return Timestamp{secs * 1000 + (nanos + 500'000) / 1'000'000, offset_s};
}

std::string format_datetime(std::int64_t epoch_ms) {
  // civil_from_days (Hinnant), the inverse of days_from_civil.
  const std::int64_t ms = ((epoch_ms % 1000) + 1000) % 1000;
  std::int64_t secs = (epoch_ms - ms) / 1000;
  std::int64_t z = (secs >= 0 ? secs : secs - 86399) / 86400;
  const std::int64_t sod = secs - z * 86400;
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[128];  // sized for any int64 fields, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(sod / 3600),
                static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60), static_cast<long long>(ms));
  return buf;
}

}  // namespace pierre::formats::xml
