#include "pierre/mcp_client/errors.hpp"

#include <gtest/gtest.h>

#include "pierre/mcp_client/bridge.hpp"

namespace pierre::mcp_client {
namespace {

TEST(ErrorResponse, KeepsTheRequestIdAndNamesTheReason) {
  const auto response =
      error_response("req-1", {ErrorCode::external_service_unavailable, "server down", {{"stage", "connect"}}});
  EXPECT_EQ(response["jsonrpc"], "2.0");
  EXPECT_EQ(response["id"], "req-1");
  EXPECT_EQ(response["error"]["code"], rpc_code::server_unavailable);
  EXPECT_EQ(response["error"]["message"], "server down");
  EXPECT_EQ(response["error"]["data"]["reason"], "EXTERNAL_SERVICE_UNAVAILABLE");
  EXPECT_EQ(response["error"]["data"]["stage"], "connect");
  EXPECT_TRUE(error_response(nullptr, {ErrorCode::invalid_format, "Parse error"})["id"].is_null());
}

TEST(JsonRpcCodeFor, OneCodePerFamily) {
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::invalid_format), -32700);
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::invalid_input), -32600);
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::auth_invalid), rpc_code::unauthorized);
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::external_auth_failed), rpc_code::unauthorized);
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::request_timeout), rpc_code::server_unavailable);
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::rate_limit_exceeded), rpc_code::server_unavailable);
  EXPECT_EQ(jsonrpc_code_for(ErrorCode::storage_error), -32603);
}

TEST(ErrorForHttpStatus, MapsStatusesWithoutJsonRpcBodies) {
  EXPECT_EQ(error_for_http_status(401).code, ErrorCode::auth_invalid);
  EXPECT_EQ(error_for_http_status(403).code, ErrorCode::permission_denied);
  EXPECT_EQ(error_for_http_status(429).code, ErrorCode::rate_limit_exceeded);
  EXPECT_EQ(error_for_http_status(504).code, ErrorCode::request_timeout);
  EXPECT_EQ(error_for_http_status(500).code, ErrorCode::external_service_unavailable);
  EXPECT_EQ(error_for_http_status(418).code, ErrorCode::external_service_error);
  EXPECT_EQ(error_for_http_status(502).details["http_status"], 502);
}

TEST(IsRetryableStatus, GatewayAndUnavailableOnly) {
  EXPECT_TRUE(is_retryable_status(502));
  EXPECT_TRUE(is_retryable_status(503));
  EXPECT_TRUE(is_retryable_status(504));
  EXPECT_FALSE(is_retryable_status(500));
  EXPECT_FALSE(is_retryable_status(404));
}

TEST(HeaderSafe, PlainAsciiAsIsOtherwiseBase64Sentinel) {
  EXPECT_EQ(header_safe("get_connection_status"), "get_connection_status");
  EXPECT_EQ(header_safe("ui://pierre/activities?limit=5"), "ui://pierre/activities?limit=5");
  EXPECT_EQ(header_safe("caf\xc3\xa9"), "=?base64?Y2Fmw6k=?=");
  EXPECT_EQ(header_safe(" padded"), "=?base64?IHBhZGRlZA==?=");
  EXPECT_EQ(header_safe("line\nbreak"), "=?base64?bGluZQpicmVhaw==?=");
}

}  // namespace
}  // namespace pierre::mcp_client
