#pragma once
// Request parsing and formatting shared by the REST route files (module-internal).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/http/types.hpp"

namespace pierre::rest::detail {

using QueryParams = std::map<std::string, std::string, std::less<>>;

// The body as a JSON object: 415 unless Content-Type is application/json, 400 unless it parses to an object.
Result<nlohmann::json> json_body(const http::Request& req);

// A required string field: MISSING_REQUIRED_FIELD when absent or null, INVALID_INPUT when not a string.
Result<std::string> string_field(const nlohmann::json& body, const char* name);

// "a=1&b=2" of the request target, percent-decoded; the first occurrence of a name wins.
QueryParams query_params(std::string_view target);

// An optional `limit` query parameter: 1..max, default when absent; INVALID_INPUT otherwise.
Result<std::size_t> parse_limit(const QueryParams& params, std::size_t default_limit, std::size_t max_limit);

// The head of a Server-Sent Events response: text/event-stream, not cached or transformed, not buffered by proxies.
http::Response event_stream_head(const http::Request& req);

}  // namespace pierre::rest::detail
