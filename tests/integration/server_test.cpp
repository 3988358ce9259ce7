// Black-box tests of the server binary over loopback HTTP: the foundation's endpoints, error model, limits,
// timeouts, start-up validation and graceful shutdown.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using namespace std::chrono_literals;

LaunchOptions dev_server(const TempDir& dir, std::map<std::string, std::string> extra_env = {}) {
  LaunchOptions o;
  o.args = {"--dev",    "--port",         "0",
            "--host",   "127.0.0.1",      "--data-dir",
            dir.path(), "--database-url", "sqlite:" + dir.path() + "/pierre.db"};
  o.env = {{"LOG_LEVEL", "warn"}, {"HTTP_THREADS", "2"}};
  for (auto& [k, v] : extra_env) o.env[k] = v;
  return o;
}

nlohmann::json body_json(const HttpResponse& res) {
  return nlohmann::json::parse(res.body());
}

void expect_error(const HttpResponse& res, unsigned status, const std::string& code) {
  EXPECT_EQ(res.result_int(), status) << res.body();
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/json");
  ASSERT_TRUE(nlohmann::json::accept(res.body())) << res.body();
  auto body = body_json(res);
  EXPECT_EQ(body["error"]["code"], code) << res.body();
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
  ASSERT_TRUE(body["error"]["request_id"].is_string());
  EXPECT_EQ(body["error"]["request_id"], std::string(res["X-Request-Id"]));
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server = std::make_unique<ServerProcess>(dev_server(dir, env)); }
  void TearDown() override { server.reset(); }
  void expect_still_serving() {
    HttpClient c(server->port());
    EXPECT_EQ(c.get("/health").result_int(), 200);
  }
  std::map<std::string, std::string> env;
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
};

TEST_F(ServerTest, HealthReadyAndMetrics) {
  HttpClient c(server->port());
  auto health = c.get("/health");
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_EQ(body_json(health)["status"], "ok");
  EXPECT_FALSE(std::string(health["X-Request-Id"]).empty());

  auto ready = c.get("/ready");
  EXPECT_EQ(ready.result_int(), 200);
  EXPECT_EQ(body_json(ready)["database"], "sqlite");

  c.get("/nope");
  auto metrics = c.get("/metrics");
  EXPECT_EQ(metrics.result_int(), 200);
  EXPECT_TRUE(std::string(metrics[boost::beast::http::field::content_type]).starts_with("text/plain; version=0.0.4"));
  const auto& text = metrics.body();
  EXPECT_NE(text.find("pierre_build_info{"), std::string::npos);
  EXPECT_NE(text.find(R"(pierre_http_requests_total{method="GET",route="/health",status="200"} 1)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(pierre_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(pierre_http_request_duration_seconds_bucket{method="GET",route="/ready",le="+Inf"} 1)"),
            std::string::npos);
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient c(server->port());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(c.get("/health").result_int(), 200);
  EXPECT_FALSE(c.closed_by_server(50ms));
}

TEST_F(ServerTest, HeadReturnsHeadersOnly) {
  HttpClient c(server->port());
  auto head = c.head("/health");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_GT(std::stoi(std::string(head[boost::beast::http::field::content_length])), 0);
  // Same connection: the next response must parse cleanly, proving no stray body bytes were sent.
  EXPECT_EQ(c.get("/health").result_int(), 200);
}

TEST_F(ServerTest, UnknownRouteIs404WithJsonBody) {
  HttpClient c(server->port());
  expect_error(c.get("/does/not/exist"), 404, "ROUTE_NOT_FOUND");
  expect_still_serving();
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  HttpClient c(server->port());
  auto res = c.request(verb::post, "/health", "{}");
  expect_error(res, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(res[boost::beast::http::field::allow], "GET, HEAD");
  // The connection stays usable after a 405.
  EXPECT_EQ(c.get("/health").result_int(), 200);
}

TEST_F(ServerTest, MalformedHttpIs400AndServerKeepsServing) {
  for (const std::string& garbage :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /health HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("GET /health HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15) /* TLS hello */}) {
    HttpClient c(server->port());
    auto res = c.raw(garbage);
    expect_error(res, 400, "MALFORMED_REQUEST");
    EXPECT_TRUE(c.closed_by_server(2000ms));
  }
  expect_still_serving();
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  HttpClient c(server->port());
  const std::string big(1024 * 1024 + 1, 'x');
  try {
    c.send_raw("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big);
  } catch (const std::exception&) {
    // The server answers as soon as it has read Content-Length; it may stop reading before we finish sending.
  }
  expect_error(c.read_response(), 413, "PAYLOAD_TOO_LARGE");
  expect_still_serving();
}

TEST_F(ServerTest, BodyOverLimitWithChunkedEncodingIs413) {
  HttpClient c(server->port());
  std::string req = "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(64 * 1024, 'y');
  c.send_raw(req);
  std::string chunks;
  for (int i = 0; i < 20; ++i) chunks += "10000\r\n" + chunk + "\r\n";
  try {
    c.send_raw(chunks + "0\r\n\r\n");
  } catch (const std::exception&) {
    // The server may close before we finish sending; the response is what matters.
  }
  expect_error(c.read_response(), 413, "PAYLOAD_TOO_LARGE");
  expect_still_serving();
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  HttpClient c(server->port());
  auto res = c.raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  expect_error(res, 431, "HEADERS_TOO_LARGE");
  expect_still_serving();
}

TEST_F(ServerTest, ClientRequestIdIsEchoedWhenSafe) {
  HttpClient c(server->port());
  auto res = c.request(verb::get, "/health", {}, {{"X-Request-Id", "trace-abc-123"}});
  EXPECT_EQ(res["X-Request-Id"], "trace-abc-123");
  auto unsafe = c.request(verb::get, "/nope", {}, {{"X-Request-Id", "evil<script>"}});
  EXPECT_NE(unsafe["X-Request-Id"], "evil<script>");
  EXPECT_EQ(body_json(unsafe)["error"]["request_id"], std::string(unsafe["X-Request-Id"]));
}

TEST_F(ServerTest, ManyConcurrentClients) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      HttpClient c(server->port());
      for (int i = 0; i < 100; ++i) {
        if (c.get(i % 2 ? "/health" : "/ready").result_int() == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1600);
}

class TimeoutTest : public ServerTest {
 protected:
  void SetUp() override {
    env = {{"HTTP_HEADER_TIMEOUT_SECS", "1"}, {"HTTP_IDLE_TIMEOUT_SECS", "1"}, {"HTTP_REQUEST_TIMEOUT_SECS", "1"}};
    ServerTest::SetUp();
  }
};

TEST_F(TimeoutTest, SlowHeadersGet408) {
  HttpClient c(server->port());
  c.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n");  // never finishes the head
  expect_error(c.read_response(), 408, "REQUEST_TIMEOUT");
  EXPECT_TRUE(c.closed_by_server(2000ms));
  expect_still_serving();
}

TEST_F(TimeoutTest, SlowBodyGets408) {
  HttpClient c(server->port());
  c.send_raw("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-some");
  expect_error(c.read_response(), 408, "REQUEST_TIMEOUT");
  expect_still_serving();
}

TEST_F(TimeoutTest, IdleKeepAliveConnectionIsClosed) {
  HttpClient c(server->port());
  EXPECT_EQ(c.get("/health").result_int(), 200);
  EXPECT_TRUE(c.closed_by_server(3000ms));
}

TEST(ServerLifecycle, SigtermFinishesInFlightRequestThenExitsZero) {
  TempDir dir;
  ServerProcess server(dev_server(dir));
  HttpClient idle(server.port());
  EXPECT_EQ(idle.get("/health").result_int(), 200);  // an idle keep-alive connection must not block shutdown

  HttpClient busy(server.port());
  busy.send_raw("GET /ready HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
  std::this_thread::sleep_for(100ms);
  server.signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  busy.send_raw("67890");
  auto res = busy.read_response();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());  // the server says it is closing

  auto status = server.wait(5000ms);
  ASSERT_TRUE(status.has_value()) << "server did not exit after SIGTERM";
  EXPECT_EQ(*status, 0);
  // New connections are refused once it has stopped.
  EXPECT_THROW(HttpClient late(server.port()), std::exception);
}

TEST(ServerLifecycle, SigintAlsoExitsZero) {
  TempDir dir;
  ServerProcess server(dev_server(dir));
  server.signal(SIGINT);
  auto status = server.wait(5000ms);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
}

TEST(ServerLifecycle, StartsQuicklyAndRestartKeepsDatabaseAndDevKey) {
  TempDir dir;
  const auto budget = std::chrono::milliseconds(
      std::stoi(std::getenv("PIERRE_TEST_STARTUP_BUDGET_MS") ? std::getenv("PIERRE_TEST_STARTUP_BUDGET_MS") : "1000"));
  std::string first_key;
  {
    ServerProcess server(dev_server(dir));
    HttpClient c(server.port());
    EXPECT_EQ(c.get("/health").result_int(), 200);
    EXPECT_LT(server.startup_time(), budget) << "start-up took " << server.startup_time().count() << " us";
    EXPECT_NE(server.stderr_text().find("DEVELOPMENT MODE"), std::string::npos);
    std::ifstream in(dir.path() + "/master.key");
    std::getline(in, first_key);
    EXPECT_EQ(first_key.size(), 44u);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(5000ms), 0);
  }
  ASSERT_TRUE(std::filesystem::exists(dir.path() + "/pierre.db"));
  const auto db_size = std::filesystem::file_size(dir.path() + "/pierre.db");
  {
    ServerProcess server(dev_server(dir));
    HttpClient c(server.port());
    EXPECT_EQ(c.get("/ready").result_int(), 200);
    std::ifstream in(dir.path() + "/master.key");
    std::string key;
    std::getline(in, key);
    EXPECT_EQ(key, first_key) << "restart must reuse the persisted development key";
    EXPECT_EQ(server.stderr_text().find("newly generated"), std::string::npos);
  }
  EXPECT_GE(std::filesystem::file_size(dir.path() + "/pierre.db"), db_size);
}

struct StartupCase {
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string expected_prefix;
};

class StartupRejects : public ::testing::TestWithParam<StartupCase> {};

TEST_P(StartupRejects, OneLineErrorNamingTheSettingAndNonZeroExit) {
  const auto& c = GetParam();
  TempDir dir;
  auto args = c.args;
  args.insert(args.end(), {"--data-dir", dir.path()});
  auto env = c.env;
  env.emplace("DATABASE_URL", "sqlite:" + dir.path() + "/pierre.db");
  auto result = run_to_exit(args, env);
  EXPECT_NE(result.exit_status, 0);
  EXPECT_EQ(result.err.rfind("pierre-mcp-server: error: " + c.expected_prefix, 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

INSTANTIATE_TEST_SUITE_P(
    All, StartupRejects,
    ::testing::Values(StartupCase{{"--dev"}, {{"HTTP_PORT", "80x"}}, "HTTP_PORT:"},
                      StartupCase{{"--dev", "--port", "99999"}, {}, "--port:"},
                      StartupCase{{"--dev"}, {{"DATABASE_URL", "mysql://root:pw@db/x"}}, "DATABASE_URL:"},
                      StartupCase{
                          {}, {{"PIERRE_MASTER_ENCRYPTION_KEY", "dG9vLXNob3J0"}}, "PIERRE_MASTER_ENCRYPTION_KEY:"},
                      StartupCase{{}, {}, "PIERRE_MASTER_ENCRYPTION_KEY:"},  // production requires a key
                      StartupCase{{"--dev", "--host", "not-an-ip", "--port", "0"}, {}, "--host:"},
                      StartupCase{{"--dev", "--bogus"}, {}, ""}));

TEST(ServerStartup, PortInUseIsReported) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = taken.local_endpoint().port();
  TempDir dir;
  auto result = run_to_exit({"--dev", "--port", std::to_string(port), "--data-dir", dir.path(), "--database-url",
                             "sqlite:" + dir.path() + "/pierre.db"},
                            {});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_NE(result.err.find("HTTP_PORT"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("already in use"), std::string::npos) << result.err;
}

TEST(ServerStartup, DatabaseDirectoryThatCannotBeCreatedIsAnError) {
  TempDir dir;
  std::ofstream(dir.path() + "/file") << "x";
  auto result = run_to_exit({"--dev", "--port", "0", "--data-dir", dir.path(), "--database-url",
                             "sqlite:" + dir.path() + "/file/sub/pierre.db"},
                            {});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_NE(result.err.find("DATABASE_URL"), std::string::npos) << result.err;
}

TEST(ServerStartup, HelpAndVersion) {
  auto help = run_to_exit({"--help"}, {});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.out.find("--database-url"), std::string::npos);
  auto version = run_to_exit({"--version"}, {});
  EXPECT_EQ(version.exit_status, 0);
  EXPECT_NE(version.out.find("pierre-mcp-server"), std::string::npos);
}

TEST(ServerStartup, ProductionKeyFromEnvironmentIsAccepted) {
  TempDir dir;
  LaunchOptions o;
  o.args = {"--port", "0", "--database-url", "sqlite:" + dir.path() + "/p.db"};
  o.env = {{"PIERRE_MASTER_ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}, {"LOG_LEVEL", "warn"}};
  ServerProcess server(o);
  HttpClient c(server.port());
  EXPECT_EQ(c.get("/health").result_int(), 200);
  EXPECT_EQ(server.stderr_text().find("DEVELOPMENT MODE"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/master.key"));
}

}  // namespace
}  // namespace pierre::testing
