#pragma once
// usage::Analytics — the dashboard's usage numbers, aggregated by the database (GROUP BY on SQLite and PostgreSQL)
// over the `request_log` rows of one tenant, optionally one user, in a half-open time range [from_ms, to_ms).
//
//   totals    requests, errors (HTTP status >= 400), latency percentiles p50/p95/p99 (nearest rank, read with
//             ORDER BY latency_us LIMIT 1 OFFSET k, so exact whatever the row count)
//   per day   requests, errors and mean latency for each UTC day that had requests
//   per name  the same per (kind, tool/route), busiest first, at most kMaxNames
//
// Every statement goes through db.tenant(...): one tenant per call. A super-admin's view of several tenants is one
// call per tenant (tenant_totals).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"

namespace pierre::usage {

struct Query {
  std::string tenant_id;
  std::optional<std::string> user_id;  // nullopt: every user of the tenant
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;  // exclusive
};

struct Totals {
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  // Microseconds; 0 when there were no requests.
  std::int64_t p50_us = 0;
  std::int64_t p95_us = 0;
  std::int64_t p99_us = 0;
};

struct Bucket {
  std::string key;   // "YYYY-MM-DD" for days; the tool or route for names
  std::string kind;  // names only: "mcp" | "a2a" | "rest"
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  double mean_latency_us = 0;
};

struct Summary {
  Totals totals;
  std::vector<Bucket> per_day;
  std::vector<Bucket> per_name;
};

class Analytics {
 public:
  static constexpr std::size_t kMaxNames = 50;

  explicit Analytics(store::Database& db) : db_(db) {}

  Result<Summary> summary(const Query& query) const;
  // Requests and errors of the whole tenant in the range (the per-tenant table of the super-admin's view).
  Result<Totals> tenant_totals(const Query& query) const;

 private:
  Result<Totals> totals(const Query& query, bool with_percentiles) const;
  store::Database& db_;
};

inline constexpr std::int64_t kMsPerDay = 86'400'000;

// "YYYY-MM-DD" of a UTC day number (days since 1970-01-01), and back (nullopt unless a valid calendar date).
std::string day_string(std::int64_t day);
std::optional<std::int64_t> parse_day(std::string_view text);

}  // namespace pierre::usage
