// Measures pierre-mcp-client's start-up to first response: spawns the bridge with pipes, writes one JSON-RPC request
// on its stdin at once (what a desktop client does), and times spawn → the first complete line on its stdout. The
// bridge's peak RSS (VmHWM) is read just after that answer, before stdin is closed. Repeats and prints percentiles.
//   bridge_startup_probe RUNS REQUEST_JSON -- BRIDGE ARGS...
// Output (one line): startup_ms_median=… startup_ms_p95=… startup_ms_min=… startup_ms_max=… rss_kb_peak=… ok=N/RUNS
// ok counts runs whose first line was a JSON-RPC result (not an error): a measured error would flatter the number.

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

long peak_rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

struct Run {
  double ms = -1;
  long rss_kb = -1;
  bool result = false;
};

Run run_once(const std::string& request, std::vector<char*>& argv) {
  int to_child[2];
  int from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, to_child[1]);
  posix_spawn_file_actions_addclose(&actions, from_child[0]);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  Run run;
  if (spawned == 0) {
    const std::string line = request + "\n";
    if (::write(to_child[1], line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
      std::string out;
      char buffer[65536];
      pollfd fd{from_child[0], POLLIN, 0};
      while (out.find('\n') == std::string::npos && ::poll(&fd, 1, 10000) > 0) {
        const auto n = ::read(from_child[0], buffer, sizeof buffer);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
      }
      if (out.find('\n') != std::string::npos) {
        run.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        run.rss_kb = peak_rss_kb(pid);
        run.result = out.find("\"result\"") != std::string::npos && out.find("\"error\"") == std::string::npos;
      }
    }
    ::close(to_child[1]);
    int status = 0;
    ::waitpid(pid, &status, 0);
  } else {
    ::close(to_child[1]);
  }
  ::close(from_child[0]);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    std::fprintf(stderr, "usage: bridge_startup_probe RUNS REQUEST_JSON -- BRIDGE ARGS...\n");
    return 2;
  }
  const int runs = std::atoi(argv[1]);
  const std::string request = argv[2];
  std::vector<char*> bridge_argv(argv + 4, argv + argc);
  bridge_argv.push_back(nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::vector<double> times;
  long rss_kb = -1;
  int ok = 0;
  for (int i = 0; i < runs; ++i) {
    const auto run = run_once(request, bridge_argv);
    if (run.ms < 0) continue;
    times.push_back(run.ms);
    rss_kb = std::max(rss_kb, run.rss_kb);
    ok += run.result ? 1 : 0;
  }
  if (times.empty()) {
    std::fprintf(stderr, "bridge_startup_probe: no run produced an answer\n");
    return 1;
  }
  std::sort(times.begin(), times.end());
  const auto at = [&](double q) { return times[static_cast<std::size_t>(q * static_cast<double>(times.size() - 1))]; };
  std::printf(
      "startup_ms_median=%.2f startup_ms_p95=%.2f startup_ms_min=%.2f startup_ms_max=%.2f rss_kb_peak=%ld ok=%d/%d\n",
      at(0.5), at(0.95), times.front(), times.back(), rss_kb, ok, runs);
  return ok == runs ? 0 : 1;
}
