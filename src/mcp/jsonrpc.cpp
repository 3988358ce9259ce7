#include "pierre/mcp/jsonrpc.hpp"

namespace pierre::mcp {

RpcError to_rpc_error(const Error& error, bool legacy) {
  switch (error.code) {
    case ErrorCode::resource_not_found:
      return {legacy ? rpc_code::resource_not_found_legacy : rpc_code::invalid_params, error.message, error.details};
    case ErrorCode::invalid_input:
    case ErrorCode::missing_required_field:
    case ErrorCode::invalid_format:
    case ErrorCode::value_out_of_range:
    case ErrorCode::invalid_cursor: return {rpc_code::invalid_params, error.message, error.details};
    case ErrorCode::capability_missing:
      return {rpc_code::missing_client_capability, error.message,
              error.details.is_object() ? error.details
                                        : nlohmann::json{{"requiredCapabilities", nlohmann::json::object()}}};
    default: return {rpc_code::internal_error, error.message, nullptr};
  }
}

}  // namespace pierre::mcp
