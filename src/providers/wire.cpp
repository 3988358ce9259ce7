#include "wire.hpp"

#include <cctype>
#include <ctime>

#include <fmt/format.h>

namespace pierre::providers::wire {

using nlohmann::json;

std::optional<std::int64_t> retry_after_seconds(std::string_view header, std::int64_t now_ms) {
  if (header.empty()) return std::nullopt;
  if (header.find_first_not_of("0123456789") == std::string_view::npos && header.size() <= 9) {
    return std::stoll(std::string(header));
  }
  std::tm tm{};  // IMF-fixdate, RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT"
  const std::string copy(header);
  const char* end = ::strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto at_s = static_cast<std::int64_t>(::timegm(&tm));
  return std::max<std::int64_t>(0, at_s - now_ms / 1000);
}

Result<net::Response> call(const net::Request& request, const net::FetchPolicy& policy, std::string_view what,
                           Endpoint endpoint, const std::function<void(const net::Response&)>& on_response) {
  auto response = net::send(request, policy);
  if (!response) {
    // net's messages are already safe (no addresses, no TLS internals); keep its code, name the call.
    return fail(response.error().code == ErrorCode::invalid_input ? ErrorCode::config_invalid : response.error().code,
                fmt::format("{}: {}", what, response.error().message));
  }
  if (on_response) on_response(*response);
  const long status = response->status;
  if (status >= 200 && status < 300) return std::move(*response);
  if (status == 429) {
    json details = {{"status", status}};
    const auto now = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    if (auto s = retry_after_seconds(response->header("retry-after"), now)) details["retry_after_s"] = *s;
    return fail(ErrorCode::external_rate_limited, fmt::format("{}: the provider's rate limit is reached", what),
                std::move(details));
  }
  if (status >= 500) {
    return fail(ErrorCode::external_service_unavailable, fmt::format("{}: the provider answered {}", what, status),
                {{"status", status}});
  }
  if (status == 401 || status == 403 || (endpoint == Endpoint::token && status == 400)) {
    return fail(ErrorCode::external_auth_failed,
                fmt::format("{}: the provider refused the authorization ({})", what, status), {{"status", status}});
  }
  if (status == 404) {
    return fail(ErrorCode::resource_not_found, fmt::format("{}: not found at the provider", what),
                {{"status", status}});
  }
  return fail(ErrorCode::external_service_error, fmt::format("{}: the provider answered {}", what, status),
              {{"status", status}});
}

Result<json> json_body(const net::Response& response, std::string_view what) {
  auto parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return fail(ErrorCode::external_service_error, fmt::format("{}: malformed response from the provider", what));
  }
  return parsed;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(name);
    out.push_back('=');
    out += percent_encode(value);
  }
  return out;
}

std::string bearer(std::string_view access_token) {
  return fmt::format("Bearer {}", access_token);
}

std::optional<double> number(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::optional<std::string> text(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());  // ids sent as numbers
  return std::nullopt;
}

Result<TokenSet> token_set(const json& body, std::int64_t now_ms, std::string_view previous_refresh,
                           std::string_view what) {
  TokenSet t;
  auto access = text(body, "access_token");
  if (!access || access->empty()) {
    return fail(ErrorCode::external_service_error, fmt::format("{}: the token response has no access_token", what));
  }
  t.access_token = std::move(*access);
  t.refresh_token = text(body, "refresh_token").value_or(std::string(previous_refresh));
  if (auto at = number(body, "expires_at")) {
    t.expires_at_ms = static_cast<std::int64_t>(*at) * 1000;
  } else if (auto in = number(body, "expires_in")) {
    t.expires_at_ms = now_ms + static_cast<std::int64_t>(*in * 1000);
  }
  t.scope = text(body, "scope").value_or("");
  return t;
}

}  // namespace pierre::providers::wire
