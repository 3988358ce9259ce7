#pragma once
// HTTP/1.1 server: one acceptor, one io_context per worker thread (connections are handed out round-robin and then
// stay on their thread, so a connection's state is never shared), C++20 coroutines, keep-alive, bounded reads and
// timeouts, graceful shutdown. Everything protocol-specific lives in handlers registered on the Router.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pierre/core/config.hpp"
#include "pierre/core/error.hpp"
#include "pierre/http/metrics.hpp"
#include "pierre/http/router.hpp"

namespace pierre::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8081;  // 0 = any free port; read the actual one with Server::port()
  unsigned threads = 1;
  config::HttpLimits limits;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. config_invalid naming HTTP_HOST / HTTP_PORT when the address is bad or already in use.
  Result<void> listen();
  std::uint16_t port() const noexcept;

  // Serves until stop() or SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish (bounded by
  // limits.shutdown_grace) and returns. Blocks the calling thread.
  void run();
  // Thread-safe; may be called from any thread or a signal handler context via asio.
  void stop();
  // Runs once, on the acceptor's thread, when shutdown begins (stop() or a signal), before in-flight requests are
  // drained: the place to close long-lived streams so they end promptly. Set it before run().
  void on_shutdown(std::function<void()> callback);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::http
