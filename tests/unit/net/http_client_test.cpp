#include "pierre/net/http_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pierre::net {
namespace {

using namespace std::chrono_literals;

// ---- a loopback TCP listener for the tests ------------------------------------------------------------------------

// Listens on 127.0.0.1 or [::1] (port 0: the kernel picks one) and hands every accepted connection to `handler` on
// its own thread (one connection at a time), counting them. The handler gets the socket and a flag that turns true
// when the server is being stopped; the server closes the socket after the handler returns.
class TcpServer {
 public:
  using Handler = std::function<void(int fd, const std::atomic<bool>& stopping)>;

  // nullopt when the address family cannot be bound here (no IPv6 loopback, for instance).
  static std::unique_ptr<TcpServer> start(int family, Handler handler) {
    auto server = std::unique_ptr<TcpServer>(new TcpServer(std::move(handler)));
    if (!server->listen_on(family)) return nullptr;
    server->thread_ = std::thread([s = server.get()] { s->run(); });
    return server;
  }

  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;
  ~TcpServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  [[nodiscard]] unsigned port() const { return port_; }
  [[nodiscard]] int accepted() const { return accepted_.load(); }

 private:
  explicit TcpServer(Handler handler) : handler_(std::move(handler)) {}

  bool listen_on(int family) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (family == AF_INET6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_addr = in6addr_loopback;
      std::memcpy(&storage, &a, sizeof a);
      length = sizeof a;
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      std::memcpy(&storage, &a, sizeof a);
      length = sizeof a;
    }
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&storage), length) != 0 || ::listen(fd_, 16) != 0) return false;
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) return false;
    if (family == AF_INET6) {
      sockaddr_in6 a{};
      std::memcpy(&a, &bound, sizeof a);
      port_ = ntohs(a.sin6_port);
    } else {
      sockaddr_in a{};
      std::memcpy(&a, &bound, sizeof a);
      port_ = ntohs(a.sin_port);
    }
    return true;
  }

  void run() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      ++accepted_;
      if (handler_) handler_(client, stopping_);
      ::close(client);
    }
  }

  Handler handler_;
  int fd_ = -1;
  unsigned port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Reads until the end of the request head (or EOF / 2 s of silence / the server stopping).
std::string read_request_head(int fd, const std::atomic<bool>& stopping) {
  std::string head;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (head.find("\r\n\r\n") == std::string::npos && !stopping && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the client gave up (e.g. it stopped reading at its size limit)
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// A server that answers every request with `response` (raw bytes) and closes; it keeps the request heads it saw.
struct CannedServer {
  explicit CannedServer(std::string response) : response_(std::move(response)) {
    server = TcpServer::start(AF_INET, [this](int fd, const std::atomic<bool>& stopping) {
      auto head = read_request_head(fd, stopping);
      std::string canned;
      {
        const std::lock_guard lock(mutex);
        requests.push_back(std::move(head));
        canned = response_;
      }
      write_all(fd, canned);
      ::shutdown(fd, SHUT_WR);
    });
  }
  [[nodiscard]] std::string url(std::string_view path = "/x") const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }
  void respond_with(std::string response) {
    const std::lock_guard lock(mutex);
    response_ = std::move(response);
  }
  std::vector<std::string> seen() {
    const std::lock_guard lock(mutex);
    return requests;
  }

  std::string response_;
  std::mutex mutex;
  std::vector<std::string> requests;
  std::unique_ptr<TcpServer> server;
};

FetchPolicy local_http_policy() {
  FetchPolicy p;
  p.allowed_schemes = {"http"};
  p.allow_private_addresses = true;
  p.connect_timeout = 1000ms;
  p.total_timeout = 3000ms;
  return p;
}

std::string describe(const Result<Response>& r) {
  if (r) return "HTTP " + std::to_string(r->status);
  return std::string(code_name(r.error().code)) + ": " + r.error().message + " " + r.error().details.dump();
}

// ---- is_public_address ------------------------------------------------------------------------------------------

TEST(IsPublicAddress, ClassifiesSpecialPurposeRanges) {
  for (const char* address : {"8.8.8.8", "1.1.1.1", "2606:4700::1111", "172.15.255.255", "172.32.0.0",
                              "2a00:1450:4001:80b::200e", "93.184.216.34"}) {
    EXPECT_TRUE(is_public_address(std::string_view(address))) << address;
  }
  for (const char* address : {
           "127.0.0.1",
           "10.1.2.3",
           "172.16.0.1",
           "172.31.255.255",
           "192.168.1.1",
           "169.254.169.254",
           "100.64.0.1",
           "0.0.0.0",
           "255.255.255.255",
           "224.0.0.1",
           "198.18.0.1",
           "::1",
           "::",
           "fe80::1",
           "fc00::1",
           "fd12::1",
           "ff02::1",
           "::ffff:127.0.0.1",
           "::ffff:10.0.0.1",
           "64:ff9b::7f00:1",
           "2002:7f00:1::1",
           "2001:db8::1",
           "2001::1",
           "not an ip",
           "",
           "192.0.2.1",
           "203.0.113.9",
           "127.255.255.254",
           "::127.0.0.1",
           "fec0::1",
       }) {
    EXPECT_FALSE(is_public_address(std::string_view(address))) << address;
  }
  // The embedded-IPv4 forms of a public address stay public.
  EXPECT_TRUE(is_public_address(std::string_view("::ffff:8.8.8.8")));
  EXPECT_TRUE(is_public_address(std::string_view("2002:808:808::1")));
  EXPECT_FALSE(is_public_address(static_cast<const sockaddr*>(nullptr)));
}

// ---- parse_url --------------------------------------------------------------------------------------------------

TEST(ParseUrl, SplitsTheUrlAsLibcurlSeesIt) {
  auto p = parse_url("https://app.example.com/a/../b/./c?q=1&r=2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->scheme, "https");
  EXPECT_EQ(p->host, "app.example.com");
  EXPECT_EQ(p->port, 443U);
  EXPECT_EQ(p->path, "/a/../b/./c");  // PATH_AS_IS: dot segments stay visible
  EXPECT_EQ(p->query, "q=1&r=2");
  EXPECT_TRUE(p->user.empty());
  EXPECT_TRUE(p->fragment.empty());

  auto v6 = parse_url("https://[2001:db8::1]:8443/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "2001:db8::1");  // without the brackets
  EXPECT_EQ(v6->port, 8443U);

  auto http = parse_url("http://example.com/");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->port, 80U);

  auto creds = parse_url("https://alice:s3cret@example.com/x#frag");
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->user, "alice");
  EXPECT_EQ(creds->password, "s3cret");
  EXPECT_EQ(creds->host, "example.com");
  EXPECT_EQ(creds->fragment, "frag");

  for (const char* bad : {"not a url", "", "https://", "://example.com/x", "https://exa mple.com/x"}) {
    auto r = parse_url(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << bad;
  }
  EXPECT_FALSE(parse_url("https://example.com/" + std::string(3000, 'a')));
}

// ---- get(): refusals before any connection ---------------------------------------------------------------------

void expect_refused_without_connecting(const std::string& url, const TcpServer& listener, const char* reason_part) {
  auto r = get(url, FetchPolicy{});
  ASSERT_FALSE(r) << url << " → " << describe(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << url << " → " << describe(r);
  ASSERT_TRUE(r.error().details.is_object()) << url;
  EXPECT_NE(r.error().details.value("reason", "").find(reason_part), std::string::npos) << url << " → " << describe(r);
  EXPECT_EQ(listener.accepted(), 0) << url;
}

TEST(HttpGet, RefusesLoopbackTargetsBeforeConnecting) {
  auto listener = TcpServer::start(AF_INET, nullptr);
  ASSERT_TRUE(listener) << "cannot listen on 127.0.0.1";
  const auto port = std::to_string(listener->port());
  for (const auto& url : {
           "https://127.0.0.1:" + port + "/x",
           "https://localhost:" + port + "/x",
           "https://2130706433:" + port + "/x",  // 127.0.0.1 in decimal
           "https://0x7f000001:" + port + "/x",  // and in hex
           "https://127.1:" + port + "/x",
           "https://[::ffff:127.0.0.1]:" + port + "/x",
       }) {
    expect_refused_without_connecting(url, *listener, "public internet address");
  }
  // Allowing the scheme is not enough: the address policy still applies.
  FetchPolicy http_only;
  http_only.allowed_schemes = {"http"};
  auto r = get("http://127.0.0.1:" + port + "/x", http_only);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << describe(r);
  EXPECT_EQ(listener->accepted(), 0);
}

TEST(HttpGet, RefusesIpv6LoopbackBeforeConnecting) {
  auto listener = TcpServer::start(AF_INET6, nullptr);
  if (!listener) GTEST_SKIP() << "cannot bind [::1] here (no IPv6 loopback in this environment)";
  const auto port = std::to_string(listener->port());
  expect_refused_without_connecting("https://[::1]:" + port + "/x", *listener, "public internet address");
  expect_refused_without_connecting("https://[::ffff:127.0.0.1]:" + port + "/x", *listener, "public internet address");
}

TEST(HttpGet, RefusesSchemesAndCredentialsBeforeResolving) {
  auto listener = TcpServer::start(AF_INET, nullptr);
  ASSERT_TRUE(listener);
  const auto port = std::to_string(listener->port());
  // Under the default https-only policy, http is refused even for a loopback server that is listening.
  expect_refused_without_connecting("http://127.0.0.1:" + port + "/x", *listener, "scheme");
  expect_refused_without_connecting("http://example.com/x", *listener, "scheme");
  expect_refused_without_connecting("ftp://example.com/x", *listener, "scheme");
  expect_refused_without_connecting("https://user:pw@example.com/x", *listener, "credentials");
  expect_refused_without_connecting("https://user@example.com/x", *listener, "credentials");
  // Credentials are refused even where private addresses and http are allowed.
  auto r = get("http://user:pw@127.0.0.1:" + port + "/x", local_http_policy());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << describe(r);
  EXPECT_EQ(listener->accepted(), 0);
  auto garbage = get("not a url", FetchPolicy{});
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::invalid_input);
}

// ---- get(): against a canned local server (private addresses and http allowed) ---------------------------------

TEST(HttpGet, ReturnsStatusBodyAndHeaders) {
  const std::string body = R"({"client_id":"x"})";
  CannedServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
      "cache-control:   max-age=600, public  \r\nContent-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  ASSERT_TRUE(server.server);
  auto r = get(server.url("/doc.json?a=1"), local_http_policy());
  ASSERT_TRUE(r) << describe(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
  EXPECT_EQ(r->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r->cache_control, "max-age=600, public");
  EXPECT_TRUE(r->location.empty());
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_TRUE(seen[0].starts_with("GET /doc.json?a=1 HTTP/1.1\r\n")) << seen[0];
  EXPECT_NE(seen[0].find("\r\nAccept: application/json\r\n"), std::string::npos) << seen[0];
  EXPECT_NE(seen[0].find("\r\nUser-Agent: pierre-mcp-server/"), std::string::npos) << seen[0];
}

TEST(HttpSend, PostsABodyWithHeadersAndExposesEveryResponseHeader) {
  CannedServer server(
      "HTTP/1.1 201 Created\r\nX-RateLimit-Limit: 100,1000\r\nx-ratelimit-usage:  7,42 \r\n"
      "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  ASSERT_TRUE(server.server);
  Request request;
  request.method = "POST";
  request.url = server.url("/oauth/token");
  request.headers = {{"Authorization", "Bearer abc"}};
  request.content_type = "application/x-www-form-urlencoded";
  request.body = "grant_type=refresh_token&refresh_token=r1";
  auto r = send(request, local_http_policy());
  ASSERT_TRUE(r) << describe(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->header("X-RateLimit-Usage"), "7,42");
  EXPECT_EQ(r->header("x-ratelimit-limit"), "100,1000");
  EXPECT_EQ(r->header("retry-after"), "");
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_TRUE(seen[0].starts_with("POST /oauth/token HTTP/1.1\r\n")) << seen[0];
  EXPECT_NE(seen[0].find("\r\nAuthorization: Bearer abc\r\n"), std::string::npos) << seen[0];
  EXPECT_NE(seen[0].find("\r\nContent-Type: application/x-www-form-urlencoded\r\n"), std::string::npos) << seen[0];
  EXPECT_NE(seen[0].find("\r\nContent-Length: 41\r\n"), std::string::npos) << seen[0];
  EXPECT_EQ(seen[0].find("Expect:"), std::string::npos) << seen[0];
}

TEST(HttpSend, RefusesHeaderInjectionBeforeConnecting) {
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(server.server);
  Request request;
  request.url = server.url("/x");
  request.headers = {{"Authorization", "Bearer a\r\nX-Evil: 1"}};
  auto r = send(request, local_http_policy());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  request.headers = {{"X-Ok", "1"}};
  request.method = "DELETE\r\n";
  EXPECT_FALSE(send(request, local_http_policy()));
  EXPECT_TRUE(server.seen().empty());
}

TEST(HttpGet, AcceptsLocalhostByNameWhenPrivateAddressesAreAllowed) {
  const std::string body = "ok";
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  ASSERT_TRUE(server.server);
  // The server listens on 127.0.0.1 only; "localhost" may also resolve to ::1 first.
  auto r = get("http://localhost:" + std::to_string(server.server->port()) + "/x", local_http_policy());
  ASSERT_TRUE(r) << describe(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
}

TEST(HttpGet, DoesNotFollowRedirects) {
  CannedServer server("");
  ASSERT_TRUE(server.server);
  // A redirect to the same server: following it would show up as a second request.
  server.respond_with("HTTP/1.1 302 Found\r\nLocation: " + server.url("/elsewhere") +
                      "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  auto r = get(server.url("/x"), local_http_policy());
  ASSERT_TRUE(r) << describe(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->location, server.url("/elsewhere"));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server.seen().size(), 1U);
  EXPECT_EQ(server.server->accepted(), 1);
}

TEST(HttpGet, RefusesBodiesOverTheLimit) {
  const std::string big(10 * 1024, 'a');
  auto policy = local_http_policy();
  policy.max_response_bytes = 4096;
  {
    SCOPED_TRACE("with Content-Length");
    CannedServer server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(big.size()) + "\r\nConnection: close\r\n\r\n" + big);
    ASSERT_TRUE(server.server);
    auto r = get(server.url(), policy);
    ASSERT_FALSE(r) << describe(r);
    EXPECT_EQ(r.error().code, ErrorCode::external_service_error);
    EXPECT_NE(r.error().message.find("larger than 4096 bytes"), std::string::npos) << describe(r);
  }
  {
    SCOPED_TRACE("without Content-Length (read until close)");
    CannedServer server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + big);
    ASSERT_TRUE(server.server);
    auto r = get(server.url(), policy);
    ASSERT_FALSE(r) << describe(r);
    EXPECT_EQ(r.error().code, ErrorCode::external_service_error);
    EXPECT_NE(r.error().message.find("larger than 4096 bytes"), std::string::npos) << describe(r);
  }
  {
    SCOPED_TRACE("exactly at the limit");
    const std::string fits(4096, 'b');
    CannedServer server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + fits);
    ASSERT_TRUE(server.server);
    auto r = get(server.url(), policy);
    ASSERT_TRUE(r) << describe(r);
    EXPECT_EQ(r->body, fits);
  }
}

TEST(HttpGet, TimesOutOnASilentServer) {
  auto server = TcpServer::start(AF_INET, [](int fd, const std::atomic<bool>& stopping) {
    read_request_head(fd, stopping);
    while (!stopping) std::this_thread::sleep_for(10ms);  // never answers
  });
  ASSERT_TRUE(server);
  auto policy = local_http_policy();
  policy.total_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = get("http://127.0.0.1:" + std::to_string(server->port()) + "/x", policy);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r) << describe(r);
  EXPECT_EQ(r.error().code, ErrorCode::external_service_unavailable);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << describe(r);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 900ms);
  EXPECT_EQ(server->accepted(), 1);
}

TEST(HttpGet, ReportsNothingListeningAsUnavailable) {
  // A port that was free a moment ago: bind without listening, note it, close.
  unsigned port = 0;
  {
    auto probe = TcpServer::start(AF_INET, nullptr);
    ASSERT_TRUE(probe);
    port = probe->port();
  }
  auto r = get("http://127.0.0.1:" + std::to_string(port) + "/x", local_http_policy());
  ASSERT_FALSE(r) << describe(r);
  EXPECT_EQ(r.error().code, ErrorCode::external_service_unavailable) << describe(r);
}

TEST(HttpGet, UnresolvableHostIsUnavailable) {
  auto r = get("https://does-not-exist.invalid/x", FetchPolicy{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::external_service_unavailable) << describe(r);
}

}  // namespace
}  // namespace pierre::net
