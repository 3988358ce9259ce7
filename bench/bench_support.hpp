#pragma once
// What every C++ benchmark here needs: failing loudly, numeric knobs from the environment, wall-clock milliseconds,
// quantiles, and a database opened or the run stopped. Header-only; each program sets `program` first in main().

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"

namespace pierre::bench {

using Clock = std::chrono::steady_clock;

inline const char* program = "bench";  // prefix of error messages

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program, what.c_str());
  std::exit(1);
}

// A positive number from the environment, or `fallback` when unset; anything else stops the run.
inline double env_number(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (end == v || !std::isfinite(d) || d <= 0) die(std::string(name) + " is not a positive number");
  return d;
}

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// The q-quantile by the nearest-rank method; 0 for no values.
inline double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::ranges::sort(v);
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

inline std::string random_hex(std::size_t bytes) {
  return crypto::hex_encode(crypto::random_bytes(bytes));
}

inline std::unique_ptr<store::Database> open_or_die(const std::string& url, const store::OpenOptions& o = {}) {
  auto db = store::open(url, o);
  if (!db) die("cannot open the database: " + db.error().message);
  return std::move(*db);
}

}  // namespace pierre::bench
