#pragma once
// MCP's view of JSON-RPC 2.0: the shared message model (pierre/core/jsonrpc.hpp) plus the MCP error codes and the
// mapping of our errors onto them.

#include "pierre/core/error.hpp"
#include "pierre/core/jsonrpc.hpp"

namespace pierre::mcp {

namespace rpc_code {
using namespace pierre::jsonrpc::code;
inline constexpr int resource_not_found_legacy = -32002;  // 2025-era only; 2026-07-28 uses invalid_params
inline constexpr int header_mismatch = -32020;
inline constexpr int missing_client_capability = -32021;
inline constexpr int unsupported_protocol_version = -32022;
}  // namespace rpc_code

using jsonrpc::make_error;
using jsonrpc::make_notification;
using jsonrpc::make_result;
using jsonrpc::Message;
using jsonrpc::parse_message;
using jsonrpc::ParseFailure;
using jsonrpc::RpcError;

// The JSON-RPC mapping of our error codes (the HTTP mapping lives in http/errors.cpp).
RpcError to_rpc_error(const Error& error, bool legacy);

}  // namespace pierre::mcp
