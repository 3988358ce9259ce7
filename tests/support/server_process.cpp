#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace pierre::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string server_binary() {
  if (const char* bin = std::getenv("PIERRE_SERVER_BIN"); bin && *bin) return bin;
  return PIERRE_SERVER_BIN_DEFAULT;
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "pierre-test-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {

struct Spawned {
  pid_t pid;
  int stdout_fd;
};

std::vector<std::string> merged_env(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : overrides) all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all) out.push_back(k + "=" + v);
  return out;
}

Spawned spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              const std::string& stderr_path) {
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> argv_store{server_binary()};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto env_store = merged_env(env);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    throw std::runtime_error("cannot start " + argv_store[0]);
  }
  return {pid, out_pipe[0]};
}

// Reads from fd until `done(text)` or timeout/EOF. Returns false on timeout/EOF without done.
template <typename Done>
bool read_until(int fd, std::string& text, std::chrono::steady_clock::time_point deadline, Done done) {
  char buf[4096];
  while (!done(text)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::optional<int> wait_pid(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    ::usleep(2000);
  }
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Where the servers' logs of this test run are collected for the log scan (tests/logscan): $PIERRE_TEST_LOG_DIR, else
// $PIERRE_TEST_LOG_DIR_DEFAULT (ctest sets it to <build>/test-logs); empty means "not collected".
std::filesystem::path test_log_dir() {
  for (const char* name : {"PIERRE_TEST_LOG_DIR", "PIERRE_TEST_LOG_DIR_DEFAULT"}) {
    if (const char* dir = std::getenv(name); dir && *dir) return dir;
  }
  return {};
}

// Appends a finished server's stderr to <log dir>/server-<pid>.log. Best effort: a test never fails because of it,
// but it says so on stderr, since the log scan would then miss that server.
void save_server_log(const std::string& stderr_path, pid_t pid) {
  const auto dir = test_log_dir();
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ifstream in(stderr_path, std::ios::binary);
  std::ofstream out(dir / ("server-" + std::to_string(pid) + ".log"), std::ios::binary | std::ios::app);
  if (!out) {
    std::fprintf(stderr, "warning: cannot save the server log to %s\n", dir.c_str());
    return;
  }
  if (in && in.peek() != std::ifstream::traits_type::eof()) out << in.rdbuf();
}

std::string unique_stderr_path() {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          ("pierre-test-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".log"))
      .string();
}

}  // namespace

ServerProcess::ServerProcess(LaunchOptions options) : stderr_path_(unique_stderr_path()) {
  const auto start = std::chrono::steady_clock::now();
  auto spawned = spawn(options.args, options.env, stderr_path_);
  pid_ = spawned.pid;
  stdout_fd_ = spawned.stdout_fd;
  static const std::regex ready(R"(listening on http://[^\s:]+:(\d+))");
  std::smatch m;
  const bool ok = read_until(stdout_fd_, banner_, start + options.ready_timeout, [&](const std::string& text) {
    return std::regex_search(text, m, ready) &&
           text.find('\n', static_cast<std::size_t>(m.position(0))) != std::string::npos;
  });
  startup_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (!ok) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::milliseconds(2000));
    save_server_log(stderr_path_, pid_);  // the destructor does not run when the constructor throws
    throw std::runtime_error("server did not become ready; stdout:\n" + banner_ + "\nstderr:\n" + stderr_text());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
  // Keep draining stdout in the background is unnecessary: the server prints only the banner there.
}

ServerProcess::~ServerProcess() {
  if (!exit_status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::milliseconds(5000));
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (pid_ > 0) save_server_log(stderr_path_, pid_);
  std::error_code ignored;
  std::filesystem::remove(stderr_path_, ignored);
}

std::string ServerProcess::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void ServerProcess::signal(int sig) {
  ::kill(pid_, sig);
}

std::optional<int> ServerProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  exit_status_ = wait_pid(pid_, timeout);
  return exit_status_;
}

std::string ServerProcess::stderr_text() const {
  return slurp(stderr_path_);
}

RunResult run_to_exit(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                      std::chrono::milliseconds timeout) {
  const auto err_path = unique_stderr_path();
  auto spawned = spawn(args, env, err_path);
  std::string out;
  read_until(spawned.stdout_fd, out, std::chrono::steady_clock::now() + timeout,
             [](const std::string&) { return false; });
  ::close(spawned.stdout_fd);
  auto status = wait_pid(spawned.pid, timeout);
  if (!status) {
    ::kill(spawned.pid, SIGKILL);
    wait_pid(spawned.pid, std::chrono::milliseconds(2000));
  }
  RunResult result{status.value_or(-1), out, slurp(err_path)};
  save_server_log(err_path, spawned.pid);
  std::error_code ignored;
  std::filesystem::remove(err_path, ignored);
  return result;
}

struct HttpClient::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  boost::beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  impl_->socket.set_option(tcp::no_delay(true));
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(http::verb method, const std::string& target, const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == http::verb::post || method == http::verb::put) req.prepare_payload();
  http::write(impl_->socket, req);
  return read_response();
}

HttpResponse HttpClient::head(const std::string& target) {
  send_raw("HEAD " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  http::response_parser<http::string_body> parser;
  parser.skip(true);
  http::read(impl_->socket, impl_->buffer, parser);
  return parser.release();
}

void HttpClient::send_raw(const std::string& bytes) {
  asio::write(impl_->socket, asio::buffer(bytes));
}

HttpResponse HttpClient::read_response() {
  HttpResponse res;
  http::read(impl_->socket, impl_->buffer, res);
  return res;
}

HttpResponse HttpClient::raw(const std::string& bytes) {
  send_raw(bytes);
  return read_response();
}

bool HttpClient::closed_by_server(std::chrono::milliseconds timeout) {
  if (impl_->buffer.size() > 0) return false;
  pollfd p{impl_->socket.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char c;
  return ::recv(impl_->socket.native_handle(), &c, 1, MSG_PEEK) == 0;
}

}  // namespace pierre::testing
