#include "fake_http_server.hpp"

#include <utility>  // before Boost.Asio (Boost 1.74 + GCC 12, see DESIGN.md)

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <thread>

namespace pierre::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_form(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const auto pair = text.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      out.emplace(percent_decode(pair.substr(0, eq)),
                  eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

std::string url_query_param(std::string_view url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return {};
  const auto fields = parse_form(url.substr(q + 1));
  const auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

std::string_view FakeRequest::header(std::string_view name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

std::map<std::string, std::string, std::less<>> FakeRequest::form() const {
  return parse_form(body);
}

std::string FakeRequest::bearer_token() const {
  const auto value = header("authorization");
  if (value.size() < 7 || lower(value.substr(0, 7)) != "bearer ") return {};
  return std::string(value.substr(7));
}

struct FakeHttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  Handler handler;
  unsigned short port = 0;

  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket socket, Impl& owner) : stream(std::move(socket)), timer(stream.get_executor()), impl(owner) {}
    beast::tcp_stream stream;
    asio::steady_timer timer;
    Impl& impl;
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    http::response<http::string_body> response;

    void start() {
      parser.body_limit(16 * 1024 * 1024);
      stream.expires_after(std::chrono::seconds(10));
      http::async_read(stream, buffer, parser, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->respond();
      });
    }

    void respond() {
      const auto& request = parser.get();
      FakeRequest in;
      in.method = std::string(request.method_string());
      in.target = std::string(request.target());
      const auto question = in.target.find('?');
      in.path = in.target.substr(0, question);
      if (question != std::string::npos) in.query = parse_form(std::string_view(in.target).substr(question + 1));
      for (const auto& field : request) in.headers[lower(field.name_string())] = std::string(field.value());
      in.body = request.body();
      FakeResponse out;
      try {
        out = impl.handler(in);
      } catch (const std::exception& e) {
        out = FakeResponse::text(500, std::string("fake handler threw: ") + e.what());
      }
      response = http::response<http::string_body>{static_cast<http::status>(out.status), request.version()};
      response.set(http::field::content_type, out.content_type);
      for (const auto& [name, value] : out.headers) response.set(name, value);
      response.keep_alive(false);
      response.body() = std::move(out.body);
      response.prepare_payload();
      if (out.delay.count() > 0) {
        timer.expires_after(out.delay);
        timer.async_wait([self = shared_from_this()](beast::error_code) { self->write(); });
      } else {
        write();
      }
    }

    void write() {
      stream.expires_after(std::chrono::seconds(10));
      http::async_write(stream, response, [self = shared_from_this()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
  };

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), *this)->start();
      accept();
    });
  }
};

FakeHttpServer::FakeHttpServer(Handler handler, int threads) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  for (int i = 0; i < std::max(1, threads); ++i) impl_->threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
}

FakeHttpServer::~FakeHttpServer() {
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

std::string FakeHttpServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}
unsigned short FakeHttpServer::port() const {
  return impl_->port;
}

}  // namespace pierre::testing
