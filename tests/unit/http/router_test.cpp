#include "pierre/http/router.hpp"

#include <gtest/gtest.h>

#include "pierre/http/errors.hpp"

namespace pierre::http {
namespace {

Handler named(std::string name) {
  return [name](const Request& req, RequestContext&) {
    Response res{Status::ok, req.version()};
    res.body() = name;
    return res;
  };
}

class RouterTest : public testing::Test {
 protected:
  void SetUp() override {
    router.add(Method::get, "/health", named("health"));
    router.add(Method::get, "/api/keys/{id}", named("get-key"));
    router.add(Method::delete_, "/api/keys/{id}", named("delete-key"));
    router.add(Method::post, "/api/keys", named("create-key"));
  }
  std::string call(Method m, std::string_view target) {
    auto matched = router.match(m, target, ctx);
    if (!matched) return std::string(code_name(matched.error().code));
    Request req{m, target, 11};
    return (*matched->handler)(req, ctx).body();
  }
  Router router;
  RequestContext ctx;
};

TEST_F(RouterTest, MatchesLiteralsAndCaptures) {
  EXPECT_EQ(call(Method::get, "/health"), "health");
  EXPECT_EQ(call(Method::get, "/health?verbose=1"), "health");
  EXPECT_EQ(call(Method::get, "/api/keys/k42"), "get-key");
  EXPECT_EQ(ctx.path_params.at("id"), "k42");
  EXPECT_EQ(ctx.route, "/api/keys/{id}");
  EXPECT_EQ(call(Method::delete_, "/api/keys/k42"), "delete-key");
}

TEST_F(RouterTest, TailCaptureTakesTheRestOfThePath) {
  router.add(Method::get, "/dashboard/{path*}", named("dashboard"));
  EXPECT_EQ(call(Method::get, "/dashboard"), "dashboard");
  EXPECT_EQ(ctx.path_params.at("path"), "");
  EXPECT_EQ(call(Method::get, "/dashboard/"), "dashboard");
  EXPECT_EQ(ctx.path_params.at("path"), "");
  EXPECT_EQ(call(Method::get, "/dashboard/assets/a%2Eb.js?x=1"), "dashboard");
  EXPECT_EQ(ctx.path_params.at("path"), "assets/a%2Eb.js");
  EXPECT_EQ(ctx.route, "/dashboard/{path*}");
  EXPECT_EQ(call(Method::get, "/dashboard/users/"), "dashboard");
  EXPECT_EQ(ctx.path_params.at("path"), "users/");
  EXPECT_EQ(call(Method::get, "/dashboardx"), "ROUTE_NOT_FOUND");
  // Routes registered before it still win for their own paths.
  EXPECT_EQ(call(Method::get, "/health"), "health");
}

TEST_F(RouterTest, HeadIsServedByGet) {
  EXPECT_EQ(call(Method::head, "/health"), "health");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  EXPECT_EQ(call(Method::get, "/nope"), "ROUTE_NOT_FOUND");
  EXPECT_EQ(call(Method::get, "/health/"), "ROUTE_NOT_FOUND");
  EXPECT_EQ(call(Method::get, "/api/keys/a/b"), "ROUTE_NOT_FOUND");
  EXPECT_EQ(call(Method::get, ""), "ROUTE_NOT_FOUND");
  EXPECT_EQ(call(Method::get, "*"), "ROUTE_NOT_FOUND");
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
  auto matched = router.match(Method::put, "/api/keys/k1", ctx);
  ASSERT_FALSE(matched.has_value());
  EXPECT_EQ(matched.error().code, ErrorCode::method_not_allowed);
  EXPECT_EQ(matched.error().details["allow"], "DELETE, GET, HEAD");
  Request req{Method::put, "/api/keys/k1", 11};
  auto res = error_response(matched.error(), req, ctx);
  EXPECT_EQ(res.result(), Status::method_not_allowed);
  EXPECT_EQ(res[beast_http::field::allow], "DELETE, GET, HEAD");
}

TEST(ErrorMapping, StatusesFollowTheTable) {
  EXPECT_EQ(status_for(ErrorCode::invalid_cursor), Status::bad_request);
  EXPECT_EQ(status_for(ErrorCode::auth_expired), Status::unauthorized);
  EXPECT_EQ(status_for(ErrorCode::payload_too_large), Status::payload_too_large);
  EXPECT_EQ(status_for(ErrorCode::database_error), Status::internal_server_error);
  EXPECT_EQ(status_for(ErrorCode::rate_limit_exceeded), Status::too_many_requests);
  for (int c = 0; c <= static_cast<int>(ErrorCode::serialization_error); ++c) {
    EXPECT_GE(static_cast<int>(status_for(static_cast<ErrorCode>(c))), 400);
  }
}

TEST(ErrorMapping, BodyShapeIsStable) {
  RequestContext ctx;
  ctx.request_id = "req-1";
  Request req{Method::get, "/x", 11};
  auto res = error_response(Error{ErrorCode::resource_not_found, "activity not found"}, req, ctx);
  auto body = nlohmann::json::parse(res.body());
  EXPECT_EQ(body["error"]["code"], "RESOURCE_NOT_FOUND");
  EXPECT_EQ(body["error"]["message"], "activity not found");
  EXPECT_EQ(body["error"]["request_id"], "req-1");
  EXPECT_FALSE(body["error"].contains("details"));
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
}

TEST(ErrorMapping, InvalidUtf8InMessageDoesNotThrow) {
  RequestContext ctx;
  Request req{Method::get, "/x", 11};
  auto res = error_response(Error{ErrorCode::invalid_input, std::string("bad \xff\xfe byte")}, req, ctx);
  EXPECT_TRUE(nlohmann::json::accept(res.body()));
}

}  // namespace
}  // namespace pierre::http
