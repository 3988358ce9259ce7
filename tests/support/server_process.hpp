#pragma once
// Test harness: starts the real pierre-mcp-server binary as a child process on a free loopback port, and talks
// to it over real HTTP. Integration and e2e tests use only this: no in-process shortcuts.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace pierre::testing {

// Path of the server binary: $PIERRE_SERVER_BIN, else the one this build produced.
std::string server_binary();

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct LaunchOptions {
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to (and overriding) the inherited environment
  std::chrono::milliseconds ready_timeout{10000};
};

class ServerProcess {
 public:
  // Starts the server and waits for its "listening on http://HOST:PORT" line. Throws on failure to start.
  explicit ServerProcess(LaunchOptions options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const;
  // Wall time from spawn to the ready line.
  std::chrono::microseconds startup_time() const { return startup_; }
  // Everything the process wrote to stdout before it became ready.
  const std::string& banner() const { return banner_; }

  void signal(int sig);
  // Waits for exit; returns the exit status (or 128+signal), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Reads what the server wrote to stderr so far (logs).
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::uint16_t port_ = 0;
  std::string banner_;
  std::chrono::microseconds startup_{0};
  std::optional<int> exit_status_;
};

// Runs the binary to completion (for start-up failures, --help, --version). Returns exit status + output.
struct RunResult {
  int exit_status;
  std::string out;
  std::string err;
};
RunResult run_to_exit(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A keep-alive HTTP/1.1 connection to the server.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse request(boost::beast::http::verb method, const std::string& target, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {});
  HttpResponse get(const std::string& target) { return request(boost::beast::http::verb::get, target); }
  // HEAD needs a parser told not to expect the body that Content-Length announces.
  HttpResponse head(const std::string& target);

  // Sends raw bytes (for malformed requests) and reads one response.
  HttpResponse raw(const std::string& bytes);
  void send_raw(const std::string& bytes);
  HttpResponse read_response();
  // True when the server has closed the connection (reads EOF within the timeout).
  bool closed_by_server(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::testing
