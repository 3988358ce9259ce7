#include "pierre/mcp_client/errors.hpp"

#include <fmt/format.h>

namespace pierre::mcp_client {

int jsonrpc_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_format: return rpc_code::parse_error;
    case ErrorCode::invalid_input:
    case ErrorCode::malformed_request:
    case ErrorCode::missing_required_field: return rpc_code::invalid_request;
    case ErrorCode::auth_required:
    case ErrorCode::auth_invalid:
    case ErrorCode::auth_expired:
    case ErrorCode::auth_malformed:
    case ErrorCode::permission_denied:
    case ErrorCode::external_auth_failed: return rpc_code::unauthorized;
    case ErrorCode::external_service_unavailable:
    case ErrorCode::external_service_error:
    case ErrorCode::external_rate_limited:
    case ErrorCode::rate_limit_exceeded:
    case ErrorCode::request_timeout:
    case ErrorCode::resource_unavailable: return rpc_code::server_unavailable;
    default: return rpc_code::internal_error;
  }
}

nlohmann::json error_response(const nlohmann::json& id, const Error& error) {
  nlohmann::json data = {{"reason", code_name(error.code)}};
  if (error.details.is_object()) data.update(error.details);
  return jsonrpc::make_error(id, {jsonrpc_code_for(error.code), error.message, std::move(data)});
}

Error error_for_http_status(long status) {
  const nlohmann::json details = {{"http_status", status}};
  if (status == 401) return {ErrorCode::auth_invalid, "the server refused the credentials", details};
  if (status == 403) return {ErrorCode::permission_denied, "the server refused the request", details};
  if (status == 408 || status == 504) return {ErrorCode::request_timeout, "the server timed out", details};
  if (status == 429) return {ErrorCode::rate_limit_exceeded, "the server is rate limiting requests", details};
  if (status >= 500) {
    return {ErrorCode::external_service_unavailable, fmt::format("the server failed (HTTP {})", status), details};
  }
  return {ErrorCode::external_service_error, fmt::format("unexpected HTTP {} from the server", status), details};
}

bool is_retryable_status(long status) noexcept {
  return status == 502 || status == 503 || status == 504;
}

}  // namespace pierre::mcp_client
