// The mapping of our errors onto MCP's JSON-RPC codes (the parser itself is core's: tests/unit/core/jsonrpc_test.cpp).
//
// Suite names start with "mcp_" so that `ctest -R mcp` selects them.

#include "pierre/mcp/jsonrpc.hpp"

#include <gtest/gtest.h>

namespace pierre::mcp {
namespace {

using nlohmann::json;

// ---- Error → JSON-RPC --------------------------------------------------------------------------------------------

TEST(mcp_JsonRpcErrors, ResourceNotFoundDependsOnTheEra) {
  const Error e{ErrorCode::resource_not_found, "Resource not found: test://x", {{"uri", "test://x"}}};
  const auto modern = to_rpc_error(e, /*legacy=*/false);
  EXPECT_EQ(modern.code, rpc_code::invalid_params);
  EXPECT_EQ(modern.code, -32602);
  EXPECT_EQ(modern.message, "Resource not found: test://x");
  EXPECT_EQ(modern.data, (json{{"uri", "test://x"}}));
  const auto legacy = to_rpc_error(e, /*legacy=*/true);
  EXPECT_EQ(legacy.code, rpc_code::resource_not_found_legacy);
  EXPECT_EQ(legacy.code, -32002);
  EXPECT_EQ(legacy.data, (json{{"uri", "test://x"}}));
}

TEST(mcp_JsonRpcErrors, ValidationCodesAreInvalidParamsInBothEras) {
  for (auto code : {ErrorCode::invalid_input, ErrorCode::missing_required_field, ErrorCode::invalid_format,
                    ErrorCode::value_out_of_range, ErrorCode::invalid_cursor}) {
    for (bool legacy : {false, true}) {
      const auto rpc = to_rpc_error(Error{code, "bad thing", {{"field", "f"}}}, legacy);
      EXPECT_EQ(rpc.code, -32602) << code_name(code) << " legacy=" << legacy;
      EXPECT_EQ(rpc.message, "bad thing");
      EXPECT_EQ(rpc.data, (json{{"field", "f"}}));
    }
  }
}

TEST(mcp_JsonRpcErrors, CapabilityMissingCarriesRequiredCapabilities) {
  const json details = {{"requiredCapabilities", {{"sampling", json::object()}}}};
  for (bool legacy : {false, true}) {
    const auto rpc = to_rpc_error(Error{ErrorCode::capability_missing, "needs sampling", details}, legacy);
    EXPECT_EQ(rpc.code, rpc_code::missing_client_capability);
    EXPECT_EQ(rpc.code, -32021);
    EXPECT_EQ(rpc.message, "needs sampling");
    EXPECT_EQ(rpc.data, details);
  }
  // Without details the data still has the shape clients look for.
  const auto bare = to_rpc_error(Error{ErrorCode::capability_missing, "needs something"}, false);
  EXPECT_EQ(bare.code, -32021);
  ASSERT_TRUE(bare.data.is_object());
  ASSERT_TRUE(bare.data.contains("requiredCapabilities"));
  EXPECT_TRUE(bare.data["requiredCapabilities"].is_object());
}

TEST(mcp_JsonRpcErrors, InternalErrorsDoNotLeakDetails) {
  for (auto code : {ErrorCode::internal_error, ErrorCode::database_error, ErrorCode::storage_error}) {
    const auto rpc = to_rpc_error(Error{code, "something failed", {{"sql", "SELECT secret FROM keys"}}}, false);
    EXPECT_EQ(rpc.code, rpc_code::internal_error) << code_name(code);
    EXPECT_EQ(rpc.code, -32603);
    EXPECT_TRUE(rpc.data.is_null()) << code_name(code) << ": " << rpc.data.dump();
    EXPECT_EQ(rpc.message, "something failed");
  }
}

TEST(mcp_JsonRpcErrors, ErrorResponseEndToEnd) {
  const auto rpc =
      to_rpc_error(Error{ErrorCode::resource_not_found, "Resource not found: a:b", {{"uri", "a:b"}}}, false);
  const auto message = make_error("id-1", rpc);
  EXPECT_EQ(message["error"]["code"], -32602);
  EXPECT_EQ(message["error"]["data"]["uri"], "a:b");
  EXPECT_EQ(message["id"], "id-1");
}

}  // namespace
}  // namespace pierre::mcp
