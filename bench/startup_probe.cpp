// Measures start-to-first-200: spawns the server, polls GET /health over a raw loopback socket every 200 µs, and
// reports the time from spawn to the first 200, plus the process's RSS right after. Repeats and prints the median.
//   startup_probe RUNS PORT -- SERVER ARGS...
// Output (one line): startup_ms_median=… startup_ms_min=… startup_ms_max=… rss_kb_after_start=…

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

bool health_ok(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char req[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::write(fd, req, sizeof req - 1) == static_cast<ssize_t>(sizeof req - 1)) {
      char buf[64] = {};
      const auto n = ::read(fd, buf, sizeof buf - 1);
      ok = n > 12 && std::strncmp(buf, "HTTP/1.1 200", 12) == 0;
    }
  }
  ::close(fd);
  return ok;
}

long rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    std::fprintf(stderr, "usage: startup_probe RUNS PORT -- SERVER ARGS...\n");
    return 2;
  }
  const int runs = std::stoi(argv[1]);
  const int port = std::stoi(argv[2]);
  std::vector<double> times;
  long rss = -1;
  for (int r = 0; r < runs; ++r) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = -1;
    if (::posix_spawn(&pid, argv[4], &actions, nullptr, argv + 4, environ) != 0) {
      std::fprintf(stderr, "cannot start %s\n", argv[4]);
      return 1;
    }
    posix_spawn_file_actions_destroy(&actions);
    bool up = false;
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
      if (health_ok(port)) {
        up = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r == 0) rss = rss_kb(pid);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!up) {
      std::fprintf(stderr, "server never answered 200 on port %d\n", port);
      return 1;
    }
    times.push_back(elapsed);
  }
  std::sort(times.begin(), times.end());
  std::printf("startup_ms_median=%.2f startup_ms_min=%.2f startup_ms_max=%.2f rss_kb_after_start=%ld\n",
              times[times.size() / 2], times.front(), times.back(), rss);
  return 0;
}
