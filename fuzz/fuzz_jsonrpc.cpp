// Raw bytes → JSON-RPC parser → response builders: never crash, never throw, and whatever parses must obey the
// message model (ids are strings or integers, params are objects or arrays, responses carry exactly one of
// result/error) and survive a round trip through our own builders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "pierre/core/jsonrpc.hpp"
#include "pierre/mcp/jsonrpc.hpp"

namespace {

using nlohmann::json;
namespace jsonrpc = pierre::jsonrpc;

void check(bool condition) {
  if (!condition) std::abort();
}

bool valid_id(const json& id) {
  return id.is_string() || id.is_number_integer() || id.is_number_unsigned();
}

// What the endpoint does with every message: serialise it. Strict dump() throws on invalid UTF-8, which the parser
// must never let through.
std::string dump(const json& j) {
  return j.dump();
}

// A response we build for `id` must parse back as a response with the same id.
void check_round_trip(const json& id, const json& built) {
  const auto text = dump(built);
  auto parsed = jsonrpc::parse_message(text);
  check(std::holds_alternative<jsonrpc::Message>(parsed));
  const auto& m = std::get<jsonrpc::Message>(parsed);
  check(m.kind == jsonrpc::Message::Kind::response);
  check(m.id == id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = jsonrpc::parse_message(body);

  if (const auto* failure = std::get_if<jsonrpc::ParseFailure>(&parsed)) {
    check(failure->error.code == jsonrpc::code::parse_error || failure->error.code == jsonrpc::code::invalid_request);
    check(!failure->error.message.empty());
    check(failure->id.is_null() || valid_id(failure->id));
    const auto reply = jsonrpc::make_error(failure->id, failure->error);
    (void)dump(reply);
    if (!failure->id.is_null()) check_round_trip(failure->id, reply);
    return 0;
  }

  const auto& m = std::get<jsonrpc::Message>(parsed);
  check(m.params.is_null() || m.params.is_object() || m.params.is_array());
  switch (m.kind) {
    case jsonrpc::Message::Kind::request: {
      check(valid_id(m.id));
      check(!m.method.empty());
      check_round_trip(m.id, jsonrpc::make_result(m.id, {{"method", m.method}, {"params", m.params}}));
      // An error carrying client-controlled text and data, as to_rpc_error produces for validation failures.
      const auto code =
          size > 0
              ? static_cast<pierre::ErrorCode>(data[0] % (static_cast<int>(pierre::ErrorCode::serialization_error) + 1))
              : pierre::ErrorCode::invalid_input;
      const auto rpc =
          pierre::mcp::to_rpc_error(pierre::Error{code, m.method, m.params}, size > 1 && (data[1] & 1) != 0);
      check(rpc.code <= -32000 && rpc.code >= -32700);
      check_round_trip(m.id, jsonrpc::make_error(m.id, rpc));
      break;
    }
    case jsonrpc::Message::Kind::notification: {
      check(m.id.is_null());
      check(!m.method.empty());
      const auto again = jsonrpc::make_notification(m.method, m.params.is_null() ? json::object() : m.params);
      auto reparsed = jsonrpc::parse_message(dump(again));
      check(std::holds_alternative<jsonrpc::Message>(reparsed));
      check(std::get<jsonrpc::Message>(reparsed).kind == jsonrpc::Message::Kind::notification);
      check(std::get<jsonrpc::Message>(reparsed).method == m.method);
      break;
    }
    case jsonrpc::Message::Kind::response: {
      check(valid_id(m.id));
      check(m.raw.is_object());
      check(m.raw.contains("result") != m.raw.contains("error"));
      (void)dump(m.raw);
      break;
    }
  }
  return 0;
}
