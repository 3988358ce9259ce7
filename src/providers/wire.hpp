#pragma once
// What every provider client shares: one outbound call with the error classification of provider.hpp, JSON bodies,
// form encoding, standard OAuth token responses. Private to the module.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/net/http_client.hpp"
#include "pierre/providers/provider.hpp"

namespace pierre::providers::wire {

enum class Endpoint {
  api,    // 401/403 → external_auth_failed (the access token), 404 → resource_not_found
  token,  // OAuth token endpoint: 400 and 401 (invalid_grant, invalid_client…) → external_auth_failed
};

// Sends `request` and returns the response when its status is 2xx; otherwise the classified error (provider.hpp),
// whose message names `what` (e.g. "Strava activity list") and never quotes the body. 429's Retry-After (seconds
// or HTTP date) becomes details.retry_after_s.
// `on_response` sees every response that arrived, whatever its status, before it is classified (a provider's
// rate-limit headers come on errors too).
Result<net::Response> call(const net::Request& request, const net::FetchPolicy& policy, std::string_view what,
                           Endpoint endpoint = Endpoint::api,
                           const std::function<void(const net::Response&)>& on_response = {});

// The body parsed as JSON (external_service_error "malformed response" otherwise); depth-limited by the parser's
// own recursion guard is not enough for hostile input, so bodies are also bounded by FetchPolicy::max_response_bytes.
Result<nlohmann::json> json_body(const net::Response& response, std::string_view what);

// application/x-www-form-urlencoded (RFC 3986 unreserved characters kept, everything else %XX).
std::string percent_encode(std::string_view text);
std::string form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

std::string bearer(std::string_view access_token);

// An RFC 6749 §5.1 token response: access_token (required), refresh_token, expires_in (seconds) or Strava's
// expires_at (epoch seconds), scope. `previous_refresh` is kept when the response has no refresh_token.
Result<TokenSet> token_set(const nlohmann::json& body, std::int64_t now_ms, std::string_view previous_refresh,
                           std::string_view what);

// Retry-After as seconds (delta-seconds or an IMF-fixdate relative to now), or nothing.
std::optional<std::int64_t> retry_after_seconds(std::string_view header, std::int64_t now_ms);

// JSON accessors that never throw: a missing or mistyped field is nothing.
std::optional<double> number(const nlohmann::json& object, std::string_view key);
std::optional<std::string> text(const nlohmann::json& object, std::string_view key);

// Integer division rounding toward negative infinity (epoch arithmetic before 1970 and windows that start there).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace pierre::providers::wire
