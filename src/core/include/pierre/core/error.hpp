#pragma once
// Errors are values: every fallible function at a module boundary returns Result<T>.
// Codes are stable strings on the wire (Pierre's AppError names, plus the HTTP-level ones Pierre left to its
// framework); transports map them to HTTP statuses / JSON-RPC codes in one table at the edge.

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pierre {

enum class ErrorCode {
  // Authentication & authorization
  auth_required,
  auth_invalid,
  auth_expired,
  auth_malformed,
  permission_denied,
  // Rate limiting
  rate_limit_exceeded,
  quota_exceeded,
  // Validation
  invalid_input,
  missing_required_field,
  invalid_format,
  value_out_of_range,
  invalid_cursor,
  capability_missing,  // the caller lacks a protocol capability the operation needs (details say which)
  // Resources
  resource_not_found,
  resource_already_exists,
  resource_locked,
  resource_unavailable,
  // External services
  external_service_error,
  external_service_unavailable,
  external_auth_failed,
  external_rate_limited,
  // Configuration
  config_error,
  config_missing,
  config_invalid,
  // HTTP protocol level
  route_not_found,
  method_not_allowed,
  payload_too_large,
  headers_too_large,
  malformed_request,
  request_timeout,
  unsupported_media_type,
  // Internal
  internal_error,
  database_error,
  storage_error,
  serialization_error,
};

// The stable wire name, e.g. "RESOURCE_NOT_FOUND".
[[nodiscard]] std::string_view code_name(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal_error;
  // Safe to show to a client: never internal detail (SQL, paths, stack) and never a secret.
  std::string message;
  // Optional structured extras that are equally safe to show (field name, limit, retry-after...).
  nlohmann::json details = nullptr;

  Error() = default;
  Error(ErrorCode c, std::string msg, nlohmann::json extra = nullptr)
      : code(c), message(std::move(msg)), details(std::move(extra)) {}
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for `return fail(ErrorCode::x, "...")` in functions returning Result<T>.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message,
                                                 nlohmann::json details = nullptr) {
  return std::unexpected<Error>(std::in_place, code, std::move(message), std::move(details));
}

}  // namespace pierre
