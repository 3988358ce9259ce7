#pragma once
// JSON-RPC 2.0 message model with strict parsing: anything that is not exactly a request, notification or response
// object is an RpcError carrying the standard code, never an exception. Shared by MCP and A2A, which add their own
// codes (pierre/mcp/jsonrpc.hpp, a2a/protocol.hpp).

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace pierre::jsonrpc {

// JSON-RPC 2.0 section 5.1.
namespace code {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
inline constexpr int server_error = -32000;  // implementation-defined (-32000 to -32099)
}  // namespace code

struct RpcError {
  int code = code::internal_error;
  std::string message;
  nlohmann::json data = nullptr;
};

struct Message {
  enum class Kind { request, notification, response };
  Kind kind = Kind::request;
  nlohmann::json id;  // string or integer for requests and responses; null for notifications
  std::string method;
  nlohmann::json params;  // object, array or null (absent)
  nlohmann::json raw;     // the whole message, for responses (result or error)
};

// Parses one JSON-RPC message. Batches (arrays) are rejected: MCP since 2025-06-18 sends one message per POST, and
// A2A never batches. On failure, `id` is set to the request id when it could be recovered, so the error response can
// carry it.
struct ParseFailure {
  RpcError error;
  nlohmann::json id = nullptr;
};
std::variant<Message, ParseFailure> parse_message(std::string_view body);

nlohmann::json make_result(const nlohmann::json& id, nlohmann::json result);
nlohmann::json make_error(const nlohmann::json& id, const RpcError& error);
nlohmann::json make_notification(std::string_view method, nlohmann::json params);

}  // namespace pierre::jsonrpc
