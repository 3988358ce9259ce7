#include "pierre/core/jsonrpc.hpp"

#include "pierre/core/json_depth.hpp"

#include <fmt/format.h>
#include <variant>

namespace pierre::jsonrpc {
namespace {

bool valid_id(const nlohmann::json& id) {
  // JSON-RPC allows null ids only in error responses; MCP forbids them in requests. Fractional numbers SHOULD NOT be
  // used; we reject them so ids round-trip exactly.
  return id.is_string() || id.is_number_integer() || id.is_number_unsigned();
}

ParseFailure invalid(std::string message, nlohmann::json id = nullptr) {
  return {{code::invalid_request, std::move(message), nullptr}, std::move(id)};
}

// Nesting deeper than this is refused before parsing: copying, validating and destroying JSON values recurses, so
// a hostile 100 000-deep array would otherwise exhaust the stack. Real MCP and A2A messages nest a dozen levels at
// most.
constexpr int kMaxDepth = 64;

}  // namespace

std::variant<Message, ParseFailure> parse_message(std::string_view body) {
  if (!json_nesting_within(body, kMaxDepth)) {
    return ParseFailure{
        {code::invalid_request, fmt::format("Invalid Request: JSON nested deeper than {} levels", kMaxDepth), nullptr}};
  }
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ParseFailure{{code::parse_error, "Parse error: body is not valid JSON", nullptr}};
  if (doc.is_array()) return invalid("Invalid Request: batches are not supported; send one message per request");
  if (!doc.is_object()) return invalid("Invalid Request: a JSON-RPC message must be an object");

  nlohmann::json id = nullptr;
  if (auto it = doc.find("id"); it != doc.end()) {
    if (!valid_id(*it)) return invalid("Invalid Request: id must be a string or an integer");
    id = *it;
  }
  const auto version = doc.find("jsonrpc");
  if (version == doc.end() || !version->is_string() || *version != "2.0") {
    return invalid("Invalid Request: jsonrpc must be \"2.0\"", id);
  }

  Message message;
  message.id = id;
  const auto method = doc.find("method");
  if (method != doc.end()) {
    if (!method->is_string() || method->get_ref<const std::string&>().empty()) {
      return invalid("Invalid Request: method must be a non-empty string", id);
    }
    message.method = *method;
    message.kind = doc.contains("id") ? Message::Kind::request : Message::Kind::notification;
    if (auto params = doc.find("params"); params != doc.end()) {
      if (!params->is_object() && !params->is_array()) {
        return invalid("Invalid Request: params must be an object or an array", id);
      }
      message.params = *params;
    }
    return message;
  }
  const bool has_result = doc.contains("result");
  const bool has_error = doc.contains("error");
  if (has_result == has_error || !doc.contains("id")) {
    return invalid("Invalid Request: missing method (or a response without exactly one of result/error)", id);
  }
  message.kind = Message::Kind::response;
  message.raw = std::move(doc);
  return message;
}

nlohmann::json make_result(const nlohmann::json& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json make_error(const nlohmann::json& id, const RpcError& error) {
  nlohmann::json body = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) body["data"] = error.data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(body)}};
}

nlohmann::json make_notification(std::string_view method, nlohmann::json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace pierre::jsonrpc
