#pragma once
// HTTP for the bridge, on libcurl: one exchange at a time per call, the body either collected or handed over chunk by
// chunk as it arrives (SSE answers), cancellable from another thread. Easy handles are pooled so that keep-alive
// connections (and TLS sessions) survive from one request to the next.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pierre/core/error.hpp"

namespace pierre::mcp_client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  Headers headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  Headers headers;   // names lower-cased, values trimmed
  std::string body;  // empty when a BodySink took it

  // The first header with this lower-case name, or "".
  [[nodiscard]] std::string_view header(std::string_view lower_name) const noexcept;
};

// Called with the response head (status + headers complete) and each body chunk; returning false stops the transfer.
using BodySink = std::function<bool(const HttpResponse& head, std::string_view chunk)>;

struct ExchangeLimits {
  std::chrono::milliseconds connect_timeout{5000};
  // 0 = unbounded (streams of long tool calls); the idle limit still catches a dead peer.
  std::chrono::milliseconds total_timeout{0};
  std::chrono::seconds idle_timeout{300};
};

// Failures carry details {"stage": "connect" | "transfer" | "cancelled", "curl": "<curl message>"}: "connect" means
// nothing reached the server, so the request can be sent again safely.
class HttpClient {
 public:
  HttpClient() = default;
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> perform(const HttpRequest& request, const ExchangeLimits& limits, const BodySink& sink = {},
                               const std::atomic<bool>* cancelled = nullptr);

 private:
  void* acquire();
  void release(void* handle);

  std::mutex mutex_;
  std::vector<void*> idle_handles_;  // CURL*, kept opaque so this header needs no curl.h
};

// application/x-www-form-urlencoded (token and registration requests).
[[nodiscard]] std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
// The query of a URL (without '?'), decoded; '+' is a space. Later duplicates win.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace pierre::mcp_client
