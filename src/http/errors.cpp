#include "pierre/http/errors.hpp"

#include <boost/beast/http/field.hpp>

namespace pierre::http {

Status status_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_input:
    case ErrorCode::missing_required_field:
    case ErrorCode::invalid_format:
    case ErrorCode::value_out_of_range:
    case ErrorCode::invalid_cursor:
    case ErrorCode::capability_missing:
    case ErrorCode::malformed_request: return Status::bad_request;
    // Unlike Pierre (403), expired or malformed credentials are 401: the client should re-authenticate (RFC 6750).
    case ErrorCode::auth_required:
    case ErrorCode::auth_invalid:
    case ErrorCode::auth_expired:
    case ErrorCode::auth_malformed: return Status::unauthorized;
    case ErrorCode::permission_denied: return Status::forbidden;
    case ErrorCode::resource_not_found:
    case ErrorCode::route_not_found: return Status::not_found;
    case ErrorCode::method_not_allowed: return Status::method_not_allowed;
    case ErrorCode::request_timeout: return Status::request_timeout;
    case ErrorCode::resource_already_exists:
    case ErrorCode::resource_locked: return Status::conflict;
    case ErrorCode::payload_too_large: return Status::payload_too_large;
    case ErrorCode::unsupported_media_type: return Status::unsupported_media_type;
    case ErrorCode::headers_too_large: return Status::request_header_fields_too_large;
    case ErrorCode::rate_limit_exceeded:
    case ErrorCode::quota_exceeded: return Status::too_many_requests;
    case ErrorCode::external_service_error:
    case ErrorCode::external_auth_failed: return Status::bad_gateway;
    case ErrorCode::resource_unavailable:
    case ErrorCode::external_service_unavailable:
    case ErrorCode::external_rate_limited: return Status::service_unavailable;
    case ErrorCode::config_error:
    case ErrorCode::config_missing:
    case ErrorCode::config_invalid:
    case ErrorCode::internal_error:
    case ErrorCode::database_error:
    case ErrorCode::storage_error:
    case ErrorCode::serialization_error: return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

namespace {

nlohmann::json error_body(const Error& error, const RequestContext& context) {
  nlohmann::json inner = {{"code", code_name(error.code)}, {"message", error.message}};
  if (!context.request_id.empty()) inner["request_id"] = context.request_id;
  if (!error.details.is_null()) inner["details"] = error.details;
  return {{"error", std::move(inner)}};
}

Response make_json(Status status, const nlohmann::json& body, unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  // error_handler_t::replace: a message can never make serialisation throw, even if it holds invalid UTF-8.
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

Response error_response(const Error& error, const Request& request, const RequestContext& context) {
  auto res = make_json(status_for(error.code), error_body(error, context), request.version(), request.keep_alive());
  if (error.code == ErrorCode::method_not_allowed && error.details.contains("allow")) {
    res.set(beast_http::field::allow, error.details["allow"].get<std::string>());
  }
  return res;
}

Response error_response(const Error& error, const RequestContext& context, unsigned http_version) {
  // The connection is in an unknown state after a framing error: always close it.
  return make_json(status_for(error.code), error_body(error, context), http_version, false);
}

Response json_response(Status status, const nlohmann::json& body, const Request& request) {
  return make_json(status, body, request.version(), request.keep_alive());
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace pierre::http
