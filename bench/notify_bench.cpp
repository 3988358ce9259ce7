// Live notification streams at scale (`bench/run.sh notify` runs it and prints the report; this program prints one
// machine-readable line per measurement, key=value separated by spaces).
//
// What, against the release pierre-mcp-server started here (SQLite in a temp dir, HTTP_THREADS=2, Strava pointed at
// the fake Strava of tests/support running in this process on loopback):
//   1. BENCH_NOTIFY_STREAMS (default 10 000) idle GET /notifications/sse streams of one user, opened with the user's
//      JWT, all kept open; the server's VmRSS (/proc/<pid>/status) before and after, and the cost per stream.
//   2. Fan-out, BENCH_NOTIFY_ROUNDS (default 5) times per source, every stream's arrival of one event timed from the
//      moment the request that causes it was sent:
//      a. the user connects Strava again — the real OAuth callback (code exchange with the fake, tokens encrypted and
//         stored) publishes oauth_complete, and the sync it starts publishes sync events right behind it;
//      b. an A2A SendMessage running get_configuration_catalog — its completion publishes one a2a_message and
//         nothing else.
//      The latency therefore includes the request's own work; the spread (first to last arrival) is the fan-out
//      alone. This process reads all N sockets on one thread with epoll, so the client's own reading is in the
//      numbers too, on the same 2 cores as the server.
//   3. The broker alone, in process: notify::Broker over an events::LocalHub with N attached http::EventStreams;
//      the time for one publish() to queue the event on all N streams (what a publisher thread pays), median of
//      rounds.
// Only public routes and a real event source are used: no test-only route exists in the server.
//
//   4. The reference, in the same run: the same reader, the same N loopback sockets, but a sender that does nothing
//      except one send(2) per socket from as many threads as the server has (notify_fanout source=floor): the kernel's
//      and this reader's share of any fan-out on this machine.
// Lines: notify_setup, notify_rss, notify_fanout (per round and source), notify_broker.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fake_strava.hpp"
#include "pierre/core/events.hpp"
#include "pierre/notify/broker.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "notify_bench: %s\n", what.c_str());
  std::exit(1);
}

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  const long n = std::strtol(v, nullptr, 10);
  if (n <= 0) die(std::string(name) + " is not a positive number");
  return n;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die(fmt::format("socket(): {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    die(fmt::format("connect(127.0.0.1:{}): {}", port, std::strerror(errno)));
  }
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) die("send() failed");
    sent += static_cast<std::size_t>(n);
  }
}

struct Reply {
  int status = 0;
  std::string location;
  std::string body;
};

// One request with `Connection: close`, read to EOF (10 s at most).
Reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                   const std::string& token = {}, const std::string& body = {}) {
  const int fd = connect_loopback(port);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  send_all(fd, request);
  std::string raw;
  char buffer[8192];
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  Reply reply;
  if (raw.size() < 12) die(fmt::format("{} {}: no answer", method, target));
  reply.status = std::stoi(raw.substr(9, 3));
  const auto head_end = raw.find("\r\n\r\n");
  const auto head = raw.substr(0, head_end);
  if (const auto at = head.find("\r\nLocation: "); at != std::string::npos) {
    const auto end = head.find("\r\n", at + 2);
    reply.location = head.substr(at + 12, end - at - 12);
  }
  reply.body = head_end == std::string::npos ? std::string() : raw.substr(head_end + 4);
  // Our JSON answers have a Content-Length; the fake's redirects carry no body worth decoding.
  return reply;
}

// "http://127.0.0.1:PORT/x" → (PORT, "/x")
std::pair<std::uint16_t, std::string> split_loopback(const std::string& url) {
  constexpr std::string_view prefix = "http://127.0.0.1:";
  if (!url.starts_with(prefix)) die("not a loopback URL: " + url);
  const auto rest = url.substr(prefix.size());
  const auto slash = rest.find('/');
  return {static_cast<std::uint16_t>(std::stoi(rest.substr(0, slash))), rest.substr(slash)};
}

long rss_kb(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

struct Server {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

Server start_server(const std::string& binary, const std::string& dir, const pierre::testing::FakeStrava& strava,
                    long streams, long threads) {
  int out[2];
  if (::pipe(out) != 0) die("pipe() failed");
  const pid_t pid = ::fork();
  if (pid < 0) die("fork() failed");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    // Its logs (warnings only) would interleave with this program's report lines.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) ::dup2(null, STDERR_FILENO);
    const auto limit = std::to_string(streams + 100);
    ::setenv("LOG_LEVEL", "warn", 1);
    ::setenv("HTTP_THREADS", std::to_string(threads).c_str(), 1);
    ::setenv("PIERRE_RSA_KEY_SIZE", "2048", 1);
    ::setenv("PIERRE_SSE_MAX_STREAMS", limit.c_str(), 1);
    ::setenv("PIERRE_SSE_MAX_STREAMS_PER_USER", limit.c_str(), 1);
    ::setenv("SYNC_STALENESS_SECS", "86400", 1);
    ::setenv("SYNC_INTERVAL_SECS", "86400", 1);
    ::setenv("STRAVA_CLIENT_ID", pierre::testing::FakeProvider::kClientId, 1);
    ::setenv("STRAVA_CLIENT_SECRET", pierre::testing::FakeProvider::kClientSecret, 1);
    ::setenv("STRAVA_API_BASE_URL", strava.api_base_url().c_str(), 1);
    ::setenv("STRAVA_OAUTH_BASE_URL", strava.oauth_base_url().c_str(), 1);
    const auto db = "sqlite:" + dir + "/pierre.db";
    ::execl(binary.c_str(), binary.c_str(), "--dev", "--port", "0", "--host", "127.0.0.1", "--data-dir", dir.c_str(),
            "--database-url", db.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::close(out[1]);
  std::string banner;
  char buffer[4096];
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline && banner.find("listening on http://127.0.0.1:") == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const auto n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    banner.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);  // the server writes nothing more to stdout after its banner
  const auto at = banner.find("listening on http://127.0.0.1:");
  if (at == std::string::npos) die("the server did not start");
  return {pid, static_cast<std::uint16_t>(std::stoi(banner.substr(at + 30)))};
}

// The reference measured in the same run: a trivial sender (a process that only writes one frame to each of N accepted
// loopback sockets, from `threads` threads, with send(2)) read by this program's same reader. It is the kernel's and
// this reader's share of a fan-out, which no server can go below on this machine; the server's numbers are reported
// against it.
struct FloorSender {
  pid_t pid = -1;
  std::uint16_t port = 0;
  int command_fd = -1;  // one byte written = one round of sends
};

FloorSender start_floor_sender(long n, long threads, std::size_t frame_size) {
  int ports[2];
  int commands[2];
  if (::pipe(ports) != 0 || ::pipe(commands) != 0) die("pipe() failed");
  const pid_t pid = ::fork();
  if (pid < 0) die("fork() failed");
  if (pid == 0) {
    ::close(ports[0]);
    ::close(commands[1]);
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 4096) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::_Exit(1);
    }
    const std::uint16_t port = ntohs(addr.sin_port);
    if (::write(ports[1], &port, sizeof port) != sizeof port) std::_Exit(1);
    std::vector<int> accepted;
    while (static_cast<long>(accepted.size()) < n) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) std::_Exit(1);
      accepted.push_back(fd);
    }
    const std::string frame = "event: floor\ndata: " + std::string(frame_size, 'x') + "\n\n";
    char command = 0;
    while (::read(commands[0], &command, 1) == 1) {
      std::vector<std::thread> senders;
      for (long t = 0; t < threads; ++t) {
        senders.emplace_back([&, t] {
          for (auto i = static_cast<std::size_t>(t); i < accepted.size(); i += static_cast<std::size_t>(threads)) {
            (void)::send(accepted[i], frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
          }
        });
      }
      for (auto& sender : senders) sender.join();
    }
    std::_Exit(0);
  }
  ::close(ports[1]);
  ::close(commands[0]);
  std::uint16_t port = 0;
  if (::read(ports[0], &port, sizeof port) != sizeof port) die("the reference sender did not start");
  ::close(ports[0]);
  return {pid, port, commands[1]};
}

struct StreamConn {
  int fd = -1;
  std::string head;  // until the response head and `retry:` arrived
  bool ready = false;
  Clock::time_point arrived{};
  bool got_event = false;
};

}  // namespace

int main() {
  const long n_streams = env_long("BENCH_NOTIFY_STREAMS", 10'000);
  const long rounds = env_long("BENCH_NOTIFY_ROUNDS", 5);
  const long threads = env_long("BENCH_NOTIFY_SERVER_THREADS", 2);
  const char* binary = std::getenv("BENCH_NOTIFY_SERVER_BIN");
  if (binary == nullptr) die("BENCH_NOTIFY_SERVER_BIN is not set (bench/run.sh sets it)");

  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (static_cast<long>(limit.rlim_cur) < n_streams + 200) {
    die(fmt::format("the open-file limit ({}) is below {} streams", limit.rlim_cur, n_streams));
  }
  ::signal(SIGPIPE, SIG_IGN);

  pierre::testing::FakeStrava strava;
  strava.seed_activities(
      3, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                 .count() -
             3'600'000);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("pierre-notify-bench-{}", ::getpid());
  std::filesystem::create_directories(dir);
  auto server = start_server(binary, dir.string(), strava, n_streams, threads);
  const auto stop_server = [&] {
    ::kill(server.pid, SIGTERM);
    int status = 0;
    ::waitpid(server.pid, &status, 0);
    std::filesystem::remove_all(dir);
  };

  const json admin{{"email", "bench@example.com"}, {"password", "bench password 1234"}, {"display_name", "B"}};
  if (http_request(server.port, "POST", "/admin/setup", {}, admin.dump()).status != 201) die("setup failed");
  const auto login = http_request(server.port, "POST", "/auth/login", {},
                                  json{{"email", admin["email"]}, {"password", admin["password"]}}.dump());
  const auto token = json::parse(login.body).value("jwt_token", "");
  if (token.empty()) die("login failed");

  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_before = rss_kb(server.pid);

  // ---- open N idle streams ----
  int epoll = ::epoll_create1(0);
  std::vector<StreamConn> conns(static_cast<std::size_t>(n_streams));
  const std::string request =
      "GET /notifications/sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
      "Authorization: Bearer " +
      token + "\r\n\r\n";
  const auto open_started = Clock::now();
  long ready = 0;
  char buffer[16384];
  epoll_event events[512];
  const auto pump = [&](int timeout_ms,
                        const std::function<void(StreamConn&, std::string_view, Clock::time_point)>& on_data) {
    const int n = ::epoll_wait(epoll, events, 512, timeout_ms);
    for (int i = 0; i < n; ++i) {
      auto& c = conns[events[i].data.u64];
      const auto got = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (got <= 0) die("a stream was closed by the server");
      on_data(c, std::string_view(buffer, static_cast<std::size_t>(got)), Clock::now());
    }
  };
  const auto on_open_data = [&](StreamConn& c, std::string_view data, Clock::time_point) {
    if (c.ready) return;
    c.head.append(data);
    if (c.head.find("retry:") != std::string::npos) {
      if (!c.head.starts_with("HTTP/1.1 200")) die("a stream was refused: " + c.head.substr(0, 200));
      c.ready = true;
      c.head.clear();
      c.head.shrink_to_fit();
      ++ready;
    }
  };
  constexpr long kBatch = 200;  // connects in flight at once, below the server's accept backlog
  for (long i = 0; i < n_streams; ++i) {
    auto& c = conns[static_cast<std::size_t>(i)];
    c.fd = connect_loopback(server.port);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<std::uint64_t>(i);
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &ev);
    send_all(c.fd, request);
    while (i + 1 - ready >= kBatch) pump(1000, on_open_data);
  }
  const auto open_deadline = Clock::now() + std::chrono::seconds(60);
  while (ready < n_streams && Clock::now() < open_deadline) pump(1000, on_open_data);
  if (ready < n_streams) die(fmt::format("only {} of {} streams opened", ready, n_streams));
  const double open_ms = ms_between(open_started, Clock::now());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long rss_after = rss_kb(server.pid);
  std::printf("notify_setup streams=%ld rounds=%ld open_ms=%.0f server_threads=%ld\n", n_streams, rounds, open_ms,
              threads);
  std::printf("notify_rss before_kb=%ld after_kb=%ld per_stream_kb=%.2f\n", rss_before, rss_after,
              static_cast<double>(rss_after - rss_before) / static_cast<double>(n_streams));
  std::fflush(stdout);

  // ---- fan-out of real events ----
  // Times `event` reaching every stream after `trigger` sent the request that causes it (from a socket of its own,
  // so the clock starts when the request leaves and this thread reads the streams meanwhile).
  const auto fan_out = [&](const char* source, long round, const std::string& event,
                           const std::function<int()>& trigger) {
    // Drain what earlier rounds published, so only this round's event is timed.
    while (true) {
      const int n = ::epoll_wait(epoll, events, 512, 300);
      if (n <= 0) break;
      for (int i = 0; i < n; ++i) (void)::recv(conns[events[i].data.u64].fd, buffer, sizeof buffer, 0);
    }
    for (auto& c : conns) c.got_event = false;
    const std::string marker = "event: " + event;
    const auto t0 = Clock::now();
    const int fd = trigger();
    long received = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (received < n_streams && Clock::now() < deadline) {
      pump(1000, [&](StreamConn& c, std::string_view data, Clock::time_point at) {
        if (!c.got_event && data.find(marker) != std::string_view::npos) {
          c.got_event = true;
          c.arrived = at;
          ++received;
        }
      });
    }
    if (fd >= 0) ::close(fd);
    if (received < n_streams) {
      die(fmt::format("{} round {}: only {} of {} streams got the event", source, round, received, n_streams));
    }
    std::vector<double> latencies;
    latencies.reserve(conns.size());
    for (const auto& c : conns) latencies.push_back(ms_between(t0, c.arrived));
    const double first = *std::min_element(latencies.begin(), latencies.end());
    const double last = *std::max_element(latencies.begin(), latencies.end());
    std::printf("notify_fanout source=%s round=%ld p50_ms=%.2f p99_ms=%.2f max_ms=%.2f first_ms=%.2f spread_ms=%.2f\n",
                source, round, quantile(latencies, 0.5), quantile(latencies, 0.99), last, first, last - first);
    std::fflush(stdout);
  };
  const auto send_request = [](std::uint16_t port, const std::string& bytes) {
    const int fd = connect_loopback(port);
    send_all(fd, bytes);
    return fd;
  };

  // 1. The Strava OAuth callback's oauth_complete (the sync it starts publishes sync events right after).
  for (long round = 1; round <= rounds; ++round) {
    const auto started = http_request(server.port, "POST", "/api/providers/strava/connect", token);
    if (started.status != 200) die("connect failed: " + started.body);
    const auto [fake_port, authorize] = split_loopback(json::parse(started.body).value("authorization_url", ""));
    const auto redirect = http_request(fake_port, "GET", authorize);
    const auto [our_port, callback] = split_loopback(redirect.location);
    fan_out("oauth_callback", round, "oauth_complete", [&, port = our_port, target = callback] {
      return send_request(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    });
  }
  // 2. One event alone: an A2A task (the pure get_configuration_catalog tool) whose completion publishes one
  //    a2a_message to its user.
  for (long round = 1; round <= rounds; ++round) {
    const json call{{"jsonrpc", "2.0"},
                    {"id", round},
                    {"method", "SendMessage"},
                    {"params",
                     {{"message",
                       {{"messageId", fmt::format("bench-{}", round)},
                        {"role", "ROLE_USER"},
                        {"parts", json::array({{{"data", {{"tool", "get_configuration_catalog"}}}}})}}}}}};
    const auto body = call.dump();
    fan_out("a2a_task", round, "a2a_message", [&] {
      return send_request(server.port,
                          "POST /a2a/jsonrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Authorization: Bearer " +
                              token +
                              "\r\nContent-Type: application/json\r\nA2A-Version: 1.0\r\n"
                              "Content-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body);
    });
  }
  const long rss_end = rss_kb(server.pid);
  std::printf("notify_rss_end kb=%ld\n", rss_end);
  for (auto& c : conns) ::close(c.fd);
  ::close(epoll);
  stop_server();

  // ---- the reference: the same fan-out by a sender that does nothing else, read the same way ----
  epoll = ::epoll_create1(0);
  const auto floor = start_floor_sender(n_streams, threads, 200);
  for (long i = 0; i < n_streams; ++i) {
    auto& c = conns[static_cast<std::size_t>(i)];
    c = StreamConn{};
    c.fd = connect_loopback(floor.port);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<std::uint64_t>(i);
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &ev);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (long round = 1; round <= rounds; ++round) {
    fan_out("floor", round, "floor", [&] {
      const char command = 'x';
      if (::write(floor.command_fd, &command, 1) != 1) die("the reference sender is gone");
      return -1;
    });
  }
  for (auto& c : conns) ::close(c.fd);
  ::close(epoll);
  ::close(floor.command_fd);
  ::waitpid(floor.pid, nullptr, 0);

  // ---- the broker alone ----
  pierre::events::LocalHub hub;
  pierre::notify::BrokerOptions options;
  options.max_streams = static_cast<std::size_t>(n_streams) + 1;
  options.max_streams_per_user = options.max_streams;
  pierre::notify::Broker broker(hub, options);
  std::vector<std::shared_ptr<pierre::http::EventStream>> streams;
  for (long i = 0; i < n_streams; ++i) {
    streams.push_back(std::make_shared<pierre::http::EventStream>());
    if (!broker.attach(streams.back(), {"t", "u"}, {})) die("attach failed");
  }
  std::vector<double> publish_ms;
  for (int r = 0; r < 50; ++r) {
    const auto t0 = Clock::now();
    hub.publish({"t", "u", "sync_progress", {{"provider", "strava"}, {"round", r}}, 0, 0});
    publish_ms.push_back(ms_between(t0, Clock::now()));
    for (auto& s : streams) (void)s->drain();  // as the server's writers would, untimed
  }
  std::printf("notify_broker streams=%ld publishes=50 p50_ms=%.3f p99_ms=%.3f\n", n_streams, quantile(publish_ms, 0.5),
              quantile(publish_ms, 0.99));
  return 0;
}
