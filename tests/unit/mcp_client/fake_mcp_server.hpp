#pragma once
// A scripted HTTP server on 127.0.0.1 for the bridge's tests: every request is recorded and answered by the test's
// handler, one thread per connection (the bridge keeps connections alive and runs requests in parallel).

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pierre::mcp_client::test_support {

struct FakeRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct FakeResponse {
  int status = 200;  // 0: close the connection without answering (a server that dies mid-request)
  std::map<std::string, std::string> headers;
  std::string body;
};

class FakeMcpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;
  explicit FakeMcpServer(Handler handler);
  ~FakeMcpServer();
  FakeMcpServer(const FakeMcpServer&) = delete;
  FakeMcpServer& operator=(const FakeMcpServer&) = delete;

  [[nodiscard]] std::string url() const;  // http://127.0.0.1:<port>
  [[nodiscard]] std::vector<FakeRequest> requests() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pierre::mcp_client::test_support
