#pragma once
// Diagnostics go to stderr, one line per call (a single write, so lines from threads do not interleave); stdout is the
// protocol channel and never sees them. Callers never pass tokens, keys or codes here.

#include <cstdio>
#include <string_view>

#include <fmt/format.h>

namespace pierre::mcp_client {

class Diagnostics {
 public:
  explicit Diagnostics(bool verbose) : verbose_(verbose) {}

  [[nodiscard]] bool verbose() const noexcept { return verbose_; }

  template <typename... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) const {
    emit(fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) const {
    if (verbose_) emit(fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  static void emit(std::string_view line) { fmt::print(stderr, "pierre-mcp-client: {}\n", line); }
  bool verbose_;
};

}  // namespace pierre::mcp_client
