#include "pierre/mcp_client/loopback_redirect.hpp"

#include <utility>  // before Asio (DESIGN.md: Boost 1.74 + GCC 12)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <optional>

#include <fmt/format.h>

#include "pierre/mcp_client/http_exchange.hpp"

namespace pierre::mcp_client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct LoopbackRedirect::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string redirect_uri;
};

namespace {

constexpr std::string_view kCallbackPath = "/callback";
constexpr auto kWaitSlice = std::chrono::milliseconds(200);

std::string page(std::string_view title, std::string_view text) {
  return fmt::format(
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>{0}</title></head>"
      "<body style=\"font-family:sans-serif;margin:3em\"><h1>{0}</h1><p>{1}</p></body></html>",
      title, text);
}

// Answers one request; returns the redirect parameters when it was the callback.
std::optional<RedirectParams> serve(tcp::socket& socket) {
  // A browser may open a connection it never uses (preconnect): bound the blocking read so waiting goes on.
  const timeval read_timeout{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  beast::error_code ec;
  http::read(socket, buffer, request, ec);
  if (ec) return std::nullopt;

  const std::string_view target = request.target();
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  std::optional<RedirectParams> params;
  if (request.method() == http::verb::get && path == kCallbackPath && question != std::string_view::npos) {
    RedirectParams found;
    for (auto& [name, value] : parse_query(target.substr(question + 1))) {
      if (name == "code") found.code = std::move(value);
      if (name == "state") found.state = std::move(value);
      if (name == "iss") found.iss = std::move(value);
      if (name == "error") found.error = std::move(value);
      if (name == "error_description") found.error_description = std::move(value);
    }
    if (!found.code.empty() || !found.error.empty()) params = std::move(found);
  }

  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(false);
  response.set(http::field::content_type, "text/html; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  if (!params) {
    response.result(http::status::not_found);
    response.body() = page("Not found", "This address only receives the Pierre authorization.");
  } else if (!params->error.empty()) {
    response.result(http::status::ok);
    response.body() =
        page("Authorization failed", "Pierre did not authorize the MCP client. You can close this window.");
  } else {
    response.result(http::status::ok);
    response.body() = page("Pierre MCP client authorized", "You can close this window and return to your MCP client.");
  }
  response.prepare_payload();
  http::write(socket, response, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  return params;
}

}  // namespace

LoopbackRedirect::LoopbackRedirect(std::unique_ptr<State> state) : state_(std::move(state)) {}
LoopbackRedirect::~LoopbackRedirect() = default;
LoopbackRedirect::LoopbackRedirect(LoopbackRedirect&&) noexcept = default;
LoopbackRedirect& LoopbackRedirect::operator=(LoopbackRedirect&&) noexcept = default;

Result<LoopbackRedirect> LoopbackRedirect::listen(int port) {
  auto state = std::make_unique<State>();
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port));
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(ErrorCode::config_error,
                fmt::format("cannot listen on 127.0.0.1:{} for the OAuth redirect: {}", port, ec.message()));
  }
  state->redirect_uri = fmt::format("http://127.0.0.1:{}{}", state->acceptor.local_endpoint().port(), kCallbackPath);
  return LoopbackRedirect(std::move(state));
}

const std::string& LoopbackRedirect::redirect_uri() const noexcept {
  return state_->redirect_uri;
}

Result<RedirectParams> LoopbackRedirect::wait(std::chrono::seconds timeout, const std::atomic<bool>* abandoned) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto given_up = [&] {
    return std::chrono::steady_clock::now() >= deadline || (abandoned != nullptr && abandoned->load());
  };
  std::optional<RedirectParams> params;
  while (!params && !given_up()) {
    tcp::socket socket(state_->io);
    bool completed = false;
    bool accepted = false;
    state_->acceptor.async_accept(socket, [&](const beast::error_code& ec) {
      completed = true;
      accepted = !ec;
    });
    // Short slices, so that a bridge being shut down (abandoned) does not wait out the whole timeout.
    while (!completed && !given_up()) {
      state_->io.restart();
      state_->io.run_for(kWaitSlice);
    }
    if (!completed) {
      state_->acceptor.cancel();
      state_->io.restart();
      state_->io.run();  // let the cancelled accept complete before its handler's captures go away
    }
    if (!accepted) break;
    params = serve(socket);
  }
  if (params) return std::move(*params);
  if (abandoned != nullptr && abandoned->load())
    return fail(ErrorCode::resource_unavailable, "authorization abandoned");
  return fail(ErrorCode::request_timeout, "nobody came back from the browser in time");
}

}  // namespace pierre::mcp_client
