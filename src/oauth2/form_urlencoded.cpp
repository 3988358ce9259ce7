#include "form_urlencoded.hpp"

#include <initializer_list>
#include <optional>

namespace pierre::oauth2::form {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::expected<Params, std::string> parse(std::string_view encoded) {
  Params out;
  Params seen_empty;  // names sent without a value still count for the duplicate check
  while (!encoded.empty()) {
    const auto amp = encoded.find('&');
    const auto pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = decode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::optional<std::string>{std::string{}} : decode(pair.substr(eq + 1));
    if (!name || !value) return std::unexpected(std::string("malformed percent-encoding"));
    if (name->empty()) return std::unexpected(std::string("a parameter has no name"));
    if (out.contains(*name) || seen_empty.contains(*name)) {
      return std::unexpected("duplicate parameter: " + *name);
    }
    if (value->empty()) {
      seen_empty.emplace(std::move(*name), std::string{});
    } else {
      out.emplace(std::move(*name), std::move(*value));
    }
  }
  return out;
}

std::string_view query_of(std::string_view target) noexcept {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  auto rest = target.substr(q + 1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  return rest;
}

std::string encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string append_query(std::string_view uri,
                         std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  std::string out(uri);
  // Registered redirect URIs carry no fragment (RFC 6749 §3.1.2); be safe anyway: parameters go before one.
  std::string fragment;
  if (const auto hash = out.find('#'); hash != std::string::npos) {
    fragment = out.substr(hash);
    out.resize(hash);
  }
  char sep = out.find('?') == std::string::npos ? '?' : '&';
  if (sep == '&' && (out.back() == '?' || out.back() == '&')) sep = '\0';
  for (const auto& [name, value] : params) {
    if (sep != '\0') out += sep;
    out += encode(name);
    out += '=';
    out += encode(value);
    sep = '&';
  }
  return out;
}

}  // namespace pierre::oauth2::form
