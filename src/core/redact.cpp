#include "pierre/core/redact.hpp"
#include "pierre/core/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pierre::redact {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

bool is_ident(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}
bool is_b64url(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}
bool is_token_char(char c) {
  return is_b64url(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

using text::lower;

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != haystack.end();
}

enum class KeyKind { none, secret, oauth_code, whole_line, coordinate };

KeyKind classify_key(std::string_view key_lower) {
  static constexpr std::array<std::string_view, 14> kSecrets{
      "password",      "passwd",   "pwd",     "secret", "client_secret", "token",       "access_token",
      "refresh_token", "id_token", "api_key", "apikey", "x-api-key",     "private_key", "master_key"};
  static constexpr std::array<std::string_view, 4> kWholeLine{"authorization", "proxy-authorization", "cookie",
                                                              "set-cookie"};
  static constexpr std::array<std::string_view, 6> kCoords{"lat", "lng", "lon", "latitude", "longitude", "latlng"};
  if (std::ranges::find(kSecrets, key_lower) != kSecrets.end()) return KeyKind::secret;
  if (std::ranges::find(kWholeLine, key_lower) != kWholeLine.end()) return KeyKind::whole_line;
  if (std::ranges::find(kCoords, key_lower) != kCoords.end()) return KeyKind::coordinate;
  if (key_lower.ends_with("_latlng") || key_lower.ends_with("password") || key_lower.ends_with("_secret") ||
      key_lower.ends_with("_token")) {
    return key_lower.ends_with("_latlng") ? KeyKind::coordinate : KeyKind::secret;
  }
  if (key_lower == "code") return KeyKind::oauth_code;
  return KeyKind::none;
}

// Masks the value after `key` + separator. Handles key=value, key: value, "key": "value", "key":[…] (latlng).
std::string mask_key_values(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    if (!is_ident(in[i]) || (i > 0 && is_ident(in[i - 1]))) {
      out += in[i++];
      continue;
    }
    std::size_t end = i;
    while (end < in.size() && is_ident(in[end])) ++end;
    const auto key = in.substr(i, end - i);
    out.append(key);
    i = end;
    const auto kind = key.size() <= 32 ? classify_key(lower(key)) : KeyKind::none;
    if (kind == KeyKind::none) continue;

    // Separator: optional closing quote of a JSON key, spaces, then '=' or ':'.
    std::size_t j = i;
    const bool quoted_key = j < in.size() && (in[j] == '"' || in[j] == '\'');
    if (quoted_key) ++j;
    while (j < in.size() && in[j] == ' ') ++j;
    if (j >= in.size() || (in[j] != '=' && in[j] != ':')) continue;
    const char sep = in[j];
    // `code` is only an OAuth code in query strings and forms; JSON "code" keys carry our error codes.
    if (kind == KeyKind::oauth_code && (sep != '=' || quoted_key)) continue;
    ++j;
    while (j < in.size() && in[j] == ' ') ++j;
    out.append(in.substr(i, j - i));
    i = j;
    if (i >= in.size()) break;

    std::size_t value_end = i;
    if (in[i] == '"' || in[i] == '\'') {
      const char q = in[i];
      value_end = i + 1;
      while (value_end < in.size() && in[value_end] != q) value_end += (in[value_end] == '\\') ? 2U : 1U;
      value_end = std::min(value_end, in.size());
      out += q;
      out.append(kRedacted);
      if (value_end < in.size()) out += q;
      i = std::min(value_end + 1, in.size());
      continue;
    }
    if (kind == KeyKind::whole_line) {
      while (value_end < in.size() && in[value_end] != '\n' && in[value_end] != '\r' && in[value_end] != '"' &&
             in[value_end] != ',')
        ++value_end;
    } else if (in[i] == '[' && kind == KeyKind::coordinate) {
      value_end = in.find(']', i);
      value_end = value_end == std::string_view::npos ? in.size() : value_end + 1;
    } else {
      while (value_end < in.size() && in[value_end] != '&' && in[value_end] != ' ' && in[value_end] != ',' &&
             in[value_end] != ';' && in[value_end] != '}' && in[value_end] != ')' && in[value_end] != ']' &&
             in[value_end] != '\n' && in[value_end] != '\r' && in[value_end] != '"' && in[value_end] != '\'')
        ++value_end;
    }
    if (value_end == i) continue;
    out.append(kRedacted);
    i = value_end;
  }
  return out;
}

// Replaces every maximal span starting at a match of `starts_at` and extending while `extend` holds.
template <typename StartsAt, typename SpanEnd>
std::string replace_spans(std::string_view in, StartsAt starts_at, SpanEnd span_end, std::string_view mask) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    if (starts_at(in, i)) {
      if (const std::size_t end = span_end(in, i); end > i) {
        out.append(mask);
        i = end;
        continue;
      }
    }
    out += in[i++];
  }
  return out;
}

std::string mask_emails(std::string_view in) {
  if (in.find('@') == std::string_view::npos) return std::string(in);
  std::string out;
  out.reserve(in.size());
  std::size_t copied = 0;
  auto local_char = [](char c) { return is_ident(c) || c == '.' || c == '+' || c == '%'; };
  auto domain_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.'; };
  for (std::size_t at = in.find('@'); at != std::string_view::npos; at = in.find('@', at + 1)) {
    if (at < copied) continue;
    std::size_t start = at;
    while (start > copied && local_char(in[start - 1])) --start;
    std::size_t end = at + 1;
    while (end < in.size() && domain_char(in[end])) ++end;
    while (end > at + 1 && in[end - 1] == '.') --end;  // sentence-final dot
    const auto domain = in.substr(at + 1, end - at - 1);
    const auto dot = domain.rfind('.');
    const bool plausible = start < at && dot != std::string_view::npos && dot > 0 && domain.size() - dot - 1 >= 2;
    if (!plausible) continue;
    out.append(in.substr(copied, start - copied));
    out.append("[email]");
    copied = end;
    at = end - 1;
  }
  out.append(in.substr(copied));
  return out;
}

std::string mask_auth_schemes(std::string_view in) {
  if (!contains_ci(in, "bearer") && !contains_ci(in, "basic")) return std::string(in);
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    bool matched = false;
    for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
      if (in.size() - i > scheme.size() && (i == 0 || !is_ident(in[i - 1])) &&
          lower(in.substr(i, scheme.size())) == scheme) {
        std::size_t j = i + scheme.size();
        while (j < in.size() && in[j] == ' ') ++j;
        std::size_t end = j;
        while (end < in.size() && is_token_char(in[end])) ++end;
        if (end - j >= 8) {  // a credential, not prose such as "basic auth"
          out.append(in.substr(i, scheme.size()));
          out.append(kRedacted);
          i = end;
          matched = true;
        }
        break;
      }
    }
    if (!matched) out += in[i++];
  }
  return out;
}

std::string mask_jwts(std::string_view in) {
  if (in.find("eyJ") == std::string_view::npos) return std::string(in);
  return replace_spans(
      in,
      [](std::string_view s, std::size_t i) { return s.compare(i, 3, "eyJ") == 0 && (i == 0 || !is_b64url(s[i - 1])); },
      [](std::string_view s, std::size_t i) -> std::size_t {
        std::size_t end = i;
        int dots = 0;
        while (end < s.size() && (is_b64url(s[end]) || (s[end] == '.' && dots < 2))) {
          if (s[end] == '.') ++dots;
          ++end;
        }
        return dots == 2 ? end : i;
      },
      "[jwt]");
}

std::string mask_api_keys(std::string_view in) {
  if (in.find("pk_") == std::string_view::npos) return std::string(in);
  return replace_spans(
      in,
      [](std::string_view s, std::size_t i) {
        return (s.compare(i, 8, "pk_live_") == 0 || s.compare(i, 8, "pk_test_") == 0 ||
                s.compare(i, 9, "pk_trial_") == 0) &&
               (i == 0 || !is_ident(s[i - 1]));
      },
      [](std::string_view s, std::size_t i) -> std::size_t {
        const std::size_t start = i + (s.compare(i, 9, "pk_trial_") == 0 ? 9 : 8);
        std::size_t end = start;
        while (end < s.size() && is_b64url(s[end])) ++end;
        return end > start ? end : i;
      },
      "[api-key]");
}

// A signed decimal with at least 4 fractional digits and |value| <= limit; returns its end or `from` if none.
std::size_t scan_coordinate(std::string_view s, std::size_t from, double limit) {
  std::size_t i = from;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t int_start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  const std::size_t int_digits = i - int_start;
  if (int_digits == 0 || int_digits > 3 || i >= s.size() || s[i] != '.') return from;
  ++i;
  const std::size_t frac_start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i - frac_start < 4) return from;
  const double magnitude = std::stod(std::string(s.substr(int_start, frac_start - 1 - int_start)));
  return magnitude <= limit ? i : from;
}

std::string mask_coordinate_pairs(std::string_view in) {
  return replace_spans(
      in,
      [](std::string_view s, std::size_t i) {
        return (is_digit(s[i]) || s[i] == '-' || s[i] == '+') && (i == 0 || (!is_ident(s[i - 1]) && s[i - 1] != '.'));
      },
      [](std::string_view s, std::size_t i) -> std::size_t {
        const std::size_t lat_end = scan_coordinate(s, i, 90.0);
        if (lat_end == i) return i;
        std::size_t j = lat_end;
        while (j < s.size() && s[j] == ' ') ++j;
        if (j >= s.size() || s[j] != ',') return i;
        ++j;
        while (j < s.size() && s[j] == ' ') ++j;
        const std::size_t lng_end = scan_coordinate(s, j, 180.0);
        if (lng_end == j || (lng_end < s.size() && (is_digit(s[lng_end]) || s[lng_end] == '.'))) return i;
        return lng_end;
      },
      "[coordinates]");
}

}  // namespace

std::string text(std::string_view input) {
  try {
    // Order matters: whole credentials first (JWT, API keys, auth schemes), then key/value secrets, then PII.
    auto out = mask_jwts(input);
    out = mask_api_keys(out);
    out = mask_auth_schemes(out);
    out = mask_key_values(out);
    out = mask_emails(out);
    return mask_coordinate_pairs(out);
  } catch (...) {
    // Redaction must never take a log line down with it, nor let the raw line through.
    return "[unredactable log line]";
  }
}

nlohmann::json json(const nlohmann::json& value) {
  if (value.is_string()) return text(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(json(item));
    return out;
  }
  if (!value.is_object()) return value;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : value.items()) {
    const auto kind = classify_key(lower(key));
    const bool sensitive =
        kind == KeyKind::secret || kind == KeyKind::whole_line || kind == KeyKind::coordinate || lower(key) == "email";
    out[key] = sensitive && !item.is_null() ? nlohmann::json(kRedacted) : json(item);
  }
  return out;
}

}  // namespace pierre::redact
