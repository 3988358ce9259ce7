// A2A message round-trip latency against a running server: SendMessage (JSON-RPC, blocking) naming
// analyze_training_load, versus the same tool through MCP tools/call (2026-07-28, stateless) as the reference measured
// in the same rounds on the same keep-alive connection, interleaved because the machine is noisy. Both go through the
// same registry call; the difference is what A2A adds (task row insert + two updates + the reload, the Task JSON).
//   a2a_bench PORT TOKEN [ROUNDS=5] [CALLS_PER_ROUND=40]
// TOKEN is a JWT or an API key of a user with activities (bench/run.sh a2a starts the server with --demo).
// Output: one line per path with p50/p95/mean in ms, then the ratio of medians.

#include <utility>  // before Asio (see DESIGN.md pitfalls)

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using json = nlohmann::json;

class Connection {
 public:
  explicit Connection(const std::string& port) : socket_(io_) {
    asio::ip::tcp::resolver resolver(io_);
    asio::connect(socket_, resolver.resolve("127.0.0.1", port));
    socket_.set_option(asio::ip::tcp::no_delay(true));
  }

  std::string post(const std::string& target, const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    if (res.result_int() != 200)
      throw std::runtime_error("HTTP " + std::to_string(res.result_int()) + ": " + res.body());
    return res.body();
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

struct Summary {
  double p50 = 0;
  double p95 = 0;
  double mean = 0;
};

Summary summarise(std::vector<double> ms) {
  std::ranges::sort(ms);
  Summary s;
  s.p50 = ms[ms.size() / 2];
  s.p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
  for (double v : ms) s.mean += v;
  s.mean /= static_cast<double>(ms.size());
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: a2a_bench PORT TOKEN [ROUNDS] [CALLS_PER_ROUND]\n");
    return 2;
  }
  const std::string port = argv[1];
  const std::string auth = std::string(argv[2]).starts_with("pk_") ? "X-API-Key" : "Authorization";
  const std::string credential = auth == "X-API-Key" ? argv[2] : std::string("Bearer ") + argv[2];
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  const int calls = argc > 4 ? std::atoi(argv[4]) : 40;
  try {
    Connection c(port);
    const json arguments{{"timeframe", "month"}};
    json mcp_params{{"name", "analyze_training_load"}, {"arguments", arguments}};
    mcp_params["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
    mcp_params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json::object();
    const auto mcp_body = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", mcp_params}}.dump();
    const std::vector<std::pair<std::string, std::string>> mcp_headers{
        {auth, credential},
        {"Accept", "application/json, text/event-stream"},
        {"MCP-Protocol-Version", "2026-07-28"},
        {"Mcp-Method", "tools/call"},
        {"Mcp-Name", "analyze_training_load"}};
    const std::vector<std::pair<std::string, std::string>> a2a_headers{{auth, credential}, {"A2A-Version", "1.0"}};
    int message = 0;
    auto a2a_body = [&] {
      const json msg{
          {"messageId", "bench-" + std::to_string(++message)},
          {"role", "ROLE_USER"},
          {"parts", json::array({{{"data", {{"tool", "analyze_training_load"}, {"arguments", arguments}}}}})}};
      return json{{"jsonrpc", "2.0"}, {"id", message}, {"method", "SendMessage"}, {"params", {{"message", msg}}}}
          .dump();
    };
    auto time_ms = [](auto&& call) {
      const auto start = std::chrono::steady_clock::now();
      call();
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    // Warm-up, and a check that both paths succeed.
    const auto a2a_first = json::parse(c.post("/a2a/jsonrpc", a2a_body(), a2a_headers));
    if (a2a_first["result"]["task"]["status"]["state"] != "TASK_STATE_COMPLETED") {
      std::fprintf(stderr, "A2A call did not complete: %s\n", a2a_first.dump().substr(0, 400).c_str());
      return 1;
    }
    const auto mcp_first = json::parse(c.post("/mcp", mcp_body, mcp_headers));
    if (!mcp_first.contains("result") || mcp_first["result"].value("isError", false)) {
      std::fprintf(stderr, "MCP call failed: %s\n", mcp_first.dump().substr(0, 400).c_str());
      return 1;
    }
    std::vector<double> a2a_ms;
    std::vector<double> mcp_ms;
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < calls; ++i) {
        const auto body = a2a_body();
        a2a_ms.push_back(time_ms([&] { c.post("/a2a/jsonrpc", body, a2a_headers); }));
        mcp_ms.push_back(time_ms([&] { c.post("/mcp", mcp_body, mcp_headers); }));
      }
    }
    const auto a2a = summarise(a2a_ms);
    const auto mcp = summarise(mcp_ms);
    std::printf("a2a SendMessage analyze_training_load: p50=%.2f ms p95=%.2f ms mean=%.2f ms (n=%zu)\n", a2a.p50,
                a2a.p95, a2a.mean, a2a_ms.size());
    std::printf("mcp tools/call  analyze_training_load: p50=%.2f ms p95=%.2f ms mean=%.2f ms (n=%zu)\n", mcp.p50,
                mcp.p95, mcp.mean, mcp_ms.size());
    std::printf("ratio a2a/mcp (p50): %.2f\n", a2a.p50 / mcp.p50);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "a2a_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
