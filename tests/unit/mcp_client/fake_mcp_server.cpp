#include "fake_mcp_server.hpp"

#include <utility>  // before Boost.Asio (Boost 1.74 + GCC 12, see DESIGN.md)

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

namespace pierre::mcp_client::test_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct FakeMcpServer::State {
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  std::atomic<bool> stopping{false};
  std::thread accept_thread;
  mutable std::mutex mutex;
  std::vector<FakeRequest> requests;
  std::vector<std::thread> connections;

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      FakeRequest recorded{std::string(request.method_string()), std::string(request.target()), {}, request.body()};
      for (const auto& field : request) {
        std::string name(field.name_string());
        std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        recorded.headers[name] = std::string(field.value());
      }
      {
        const std::lock_guard lock(mutex);
        requests.push_back(recorded);
      }
      const auto answer = handler(recorded);
      if (answer.status == 0) return;  // the connection drops with the request received and nothing answered
      http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }
};

FakeMcpServer::FakeMcpServer(Handler handler) : state_(std::make_unique<State>()) {
  state_->handler = std::move(handler);
  state_->accept_thread = std::thread([state = state_.get()] {
    while (!state->stopping) {
      tcp::socket socket(state->io);
      beast::error_code ec;
      state->acceptor.accept(socket, ec);
      if (ec || state->stopping) return;
      const std::lock_guard lock(state->mutex);
      state->connections.emplace_back([state, s = std::move(socket)]() mutable { state->serve(std::move(s)); });
    }
  });
}

FakeMcpServer::~FakeMcpServer() {
  state_->stopping = true;
  // Wakes the blocking accept with a connection of our own.
  tcp::socket wake(state_->io);
  beast::error_code ec;
  wake.connect(state_->acceptor.local_endpoint(), ec);
  state_->accept_thread.join();
  wake.close(ec);
  for (auto& connection : state_->connections) connection.join();
}

std::string FakeMcpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port());
}

std::vector<FakeRequest> FakeMcpServer::requests() const {
  const std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace pierre::mcp_client::test_support
