#include "support.hpp"

#include <boost/beast/http/field.hpp>
#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace pierre::rest::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<nlohmann::json> json_body(const http::Request& req) {
  std::string content_type(req[boost::beast::http::field::content_type]);
  for (auto& c : content_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!content_type.starts_with("application/json")) {
    return fail(ErrorCode::unsupported_media_type, "request body must be Content-Type: application/json");
  }
  auto body = nlohmann::json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) return fail(ErrorCode::invalid_format, "request body is not valid JSON");
  if (!body.is_object()) return fail(ErrorCode::invalid_format, "request body must be a JSON object");
  return body;
}

Result<std::string> string_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    return fail(ErrorCode::missing_required_field, fmt::format("missing required field: {}", name), {{"field", name}});
  }
  if (!it->is_string()) {
    return fail(ErrorCode::invalid_input, fmt::format("field {} must be a string", name), {{"field", name}});
  }
  return it->get<std::string>();
}

QueryParams query_params(std::string_view target) {
  QueryParams out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    out.try_emplace(std::move(name), std::move(value));
  }
  return out;
}

Result<std::size_t> parse_limit(const QueryParams& params, std::size_t default_limit, std::size_t max_limit) {
  auto it = params.find("limit");
  if (it == params.end()) return default_limit;
  std::size_t value = 0;
  const auto* first = it->second.data();
  const auto* last = first + it->second.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last || it->second.empty() || value < 1 || value > max_limit) {
    return fail(ErrorCode::invalid_input, fmt::format("limit must be an integer from 1 to {}", max_limit),
                {{"field", "limit"}});
  }
  return value;
}

http::Response event_stream_head(const http::Request& req) {
  http::Response head{http::Status::ok, req.version()};
  head.set(boost::beast::http::field::content_type, "text/event-stream");
  head.set(boost::beast::http::field::cache_control, "no-cache, no-transform");
  // Reverse proxies (nginx) would otherwise buffer the stream.
  head.set("X-Accel-Buffering", "no");
  return head;
}

}  // namespace pierre::rest::detail
