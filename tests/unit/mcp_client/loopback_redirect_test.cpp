#include "pierre/mcp_client/loopback_redirect.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pierre/mcp_client/http_exchange.hpp"

namespace pierre::mcp_client {
namespace {

using namespace std::chrono_literals;

TEST(LoopbackRedirect, ReturnsTheCallbackParametersAndIgnoresOtherRequests) {
  auto redirect = LoopbackRedirect::listen(0);
  ASSERT_TRUE(redirect) << redirect.error().message;
  const auto uri = redirect->redirect_uri();
  ASSERT_TRUE(uri.starts_with("http://127.0.0.1:")) << uri;
  ASSERT_TRUE(uri.ends_with("/callback")) << uri;

  long favicon_status = 0;
  long callback_status = 0;
  std::thread browser([&] {
    HttpClient http;
    const auto origin = uri.substr(0, uri.size() - std::string_view("/callback").size());
    if (auto r = http.perform({.method = "GET", .url = origin + "/favicon.ico", .headers = {}, .body = {}}, {})) {
      favicon_status = r->status;
    }
    if (auto r = http.perform(
            {.method = "GET", .url = uri + "?code=c%2B1&state=s&iss=http%3A%2F%2Fas", .headers = {}, .body = {}}, {})) {
      callback_status = r->status;
    }
  });
  auto params = redirect->wait(10s);
  browser.join();
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_EQ(params->code, "c+1");
  EXPECT_EQ(params->state, "s");
  EXPECT_EQ(params->iss, "http://as");
  EXPECT_EQ(favicon_status, 404);
  EXPECT_EQ(callback_status, 200);
}

TEST(LoopbackRedirect, AnErrorAnswerIsReturnedToo) {
  auto redirect = LoopbackRedirect::listen(0);
  ASSERT_TRUE(redirect);
  std::thread browser([uri = redirect->redirect_uri()] {
    HttpClient http;
    static_cast<void>(
        http.perform({.method = "GET", .url = uri + "?error=access_denied&state=s", .headers = {}, .body = {}}, {}));
  });
  auto params = redirect->wait(10s);
  browser.join();
  ASSERT_TRUE(params);
  EXPECT_EQ(params->error, "access_denied");
}

TEST(LoopbackRedirect, NobodyComingBackIsATimeout) {
  auto redirect = LoopbackRedirect::listen(0);
  ASSERT_TRUE(redirect);
  const auto started = std::chrono::steady_clock::now();
  auto params = redirect->wait(1s);
  ASSERT_FALSE(params);
  EXPECT_EQ(params.error().code, ErrorCode::request_timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(LoopbackRedirect, AbandoningEndsTheWaitAtOnce) {
  auto redirect = LoopbackRedirect::listen(0);
  ASSERT_TRUE(redirect);
  std::atomic<bool> abandoned{false};
  std::thread shutdown([&] {
    std::this_thread::sleep_for(300ms);
    abandoned = true;
  });
  const auto started = std::chrono::steady_clock::now();
  auto params = redirect->wait(60s, &abandoned);
  shutdown.join();
  ASSERT_FALSE(params);
  EXPECT_EQ(params.error().code, ErrorCode::resource_unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace pierre::mcp_client
