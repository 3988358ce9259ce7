#include "pierre/core/error.hpp"

namespace pierre {

std::string_view code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::auth_required: return "AUTH_REQUIRED";
    case ErrorCode::auth_invalid: return "AUTH_INVALID";
    case ErrorCode::auth_expired: return "AUTH_EXPIRED";
    case ErrorCode::auth_malformed: return "AUTH_MALFORMED";
    case ErrorCode::permission_denied: return "PERMISSION_DENIED";
    case ErrorCode::rate_limit_exceeded: return "RATE_LIMIT_EXCEEDED";
    case ErrorCode::quota_exceeded: return "QUOTA_EXCEEDED";
    case ErrorCode::invalid_input: return "INVALID_INPUT";
    case ErrorCode::missing_required_field: return "MISSING_REQUIRED_FIELD";
    case ErrorCode::invalid_format: return "INVALID_FORMAT";
    case ErrorCode::value_out_of_range: return "VALUE_OUT_OF_RANGE";
    case ErrorCode::invalid_cursor: return "INVALID_CURSOR";
    case ErrorCode::capability_missing: return "CAPABILITY_MISSING";
    case ErrorCode::resource_not_found: return "RESOURCE_NOT_FOUND";
    case ErrorCode::resource_already_exists: return "RESOURCE_ALREADY_EXISTS";
    case ErrorCode::resource_locked: return "RESOURCE_LOCKED";
    case ErrorCode::resource_unavailable: return "RESOURCE_UNAVAILABLE";
    case ErrorCode::external_service_error: return "EXTERNAL_SERVICE_ERROR";
    case ErrorCode::external_service_unavailable: return "EXTERNAL_SERVICE_UNAVAILABLE";
    case ErrorCode::external_auth_failed: return "EXTERNAL_AUTH_FAILED";
    case ErrorCode::external_rate_limited: return "EXTERNAL_RATE_LIMITED";
    case ErrorCode::config_error: return "CONFIG_ERROR";
    case ErrorCode::config_missing: return "CONFIG_MISSING";
    case ErrorCode::config_invalid: return "CONFIG_INVALID";
    case ErrorCode::route_not_found: return "ROUTE_NOT_FOUND";
    case ErrorCode::method_not_allowed: return "METHOD_NOT_ALLOWED";
    case ErrorCode::payload_too_large: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::headers_too_large: return "HEADERS_TOO_LARGE";
    case ErrorCode::malformed_request: return "MALFORMED_REQUEST";
    case ErrorCode::request_timeout: return "REQUEST_TIMEOUT";
    case ErrorCode::unsupported_media_type: return "UNSUPPORTED_MEDIA_TYPE";
    case ErrorCode::internal_error: return "INTERNAL_ERROR";
    case ErrorCode::database_error: return "DATABASE_ERROR";
    case ErrorCode::storage_error: return "STORAGE_ERROR";
    case ErrorCode::serialization_error: return "SERIALIZATION_ERROR";
  }
  return "INTERNAL_ERROR";
}

}  // namespace pierre
