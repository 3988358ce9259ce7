#pragma once
// The one table from the bridge's failures to JSON-RPC errors for the desktop client, and from HTTP answers that
// carry no JSON-RPC body to failures. Whatever goes wrong between bridge and server, a request still gets exactly one
// response with its own id.

#include <string_view>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/core/jsonrpc.hpp"

namespace pierre::mcp_client {

namespace rpc_code {
using namespace pierre::jsonrpc::code;  // JSON-RPC 2.0's own codes
// Implementation-defined range (-32000..-32019, kept by 2026-07-28 for existing uses).
inline constexpr int server_unavailable = -32000;
inline constexpr int unauthorized = -32001;
inline constexpr int request_cancelled = -32800;  // LSP's RequestCancelled, what SDKs report for aborted calls
}  // namespace rpc_code

[[nodiscard]] int jsonrpc_code_for(ErrorCode code) noexcept;

// {"jsonrpc":"2.0","id":id,"error":{"code":…,"message":…,"data":{"reason":"<ERROR_CODE>", …details}}}
[[nodiscard]] nlohmann::json error_response(const nlohmann::json& id, const Error& error);

// An HTTP answer from the server that is not JSON-RPC (a proxy's 502 page, an empty 500) as an Error.
[[nodiscard]] Error error_for_http_status(long status);

// Whether a failed exchange is worth retrying after a pause: the server is (re)starting or overloaded.
[[nodiscard]] bool is_retryable_status(long status) noexcept;

}  // namespace pierre::mcp_client
