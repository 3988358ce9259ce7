#include "pierre/usage/analytics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

namespace pierre::usage {
namespace {

// The caller's user filter is optional: `?3 = ''` makes the user predicate vacuous (portable to both dialects).
constexpr std::string_view kWhere =
    " FROM request_log WHERE tenant_id = :tenant AND at_ms >= ?1 AND at_ms < ?2 AND (?3 = '' OR user_id = ?3)";

store::Params params_of(const Query& q) {
  return {q.from_ms, q.to_ms, q.user_id.value_or("")};
}

// COUNT/SUM come back as integers on SQLite and as int8 or numeric (→ double) on PostgreSQL.
std::int64_t integer(const store::Value& v) {
  if (const auto* i = v.if_int64()) return *i;
  if (const auto* d = v.if_real()) return static_cast<std::int64_t>(*d);
  return 0;
}

double real(const store::Value& v) {
  if (const auto* d = v.if_real()) return *d;
  if (const auto* i = v.if_int64()) return static_cast<double>(*i);
  return 0;
}

// The aggregate columns shared by the grouped statements.
constexpr std::string_view kAggregates =
    "COUNT(*) AS requests, SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, AVG(latency_us) AS mean_us";

Bucket bucket_of(const store::Row& row, std::string key) {
  Bucket b;
  b.key = std::move(key);
  b.requests = integer(*row.find("requests"));
  b.errors = integer(*row.find("errors"));
  b.mean_latency_us = real(*row.find("mean_us"));
  return b;
}

}  // namespace

std::string day_string(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    int v = 0;
    const auto* first = text.data() + at;
    const auto [ptr, ec] = std::from_chars(first, first + len, v);
    if (ec != std::errc{} || ptr != first + len || *first == '-' || *first == '+') return std::nullopt;
    return v;
  };
  const auto y = number(0, 4);
  const auto m = number(5, 2);
  const auto d = number(8, 2);
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1 || *d > 31) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

Result<Totals> Analytics::totals(const Query& q, bool with_percentiles) const {
  const auto scope = db_.tenant(store::TenantId(q.tenant_id));
  auto row = scope.query_row(
      fmt::format("SELECT COUNT(*) AS requests, SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors{}", kWhere),
      params_of(q));
  if (!row) return std::unexpected(row.error());
  Totals t;
  if (*row) {
    t.requests = integer(*(*row)->find("requests"));
    t.errors = integer(*(*row)->find("errors"));
  }
  if (!with_percentiles || t.requests == 0) return t;
  // Nearest rank: the ceil(p/100 · n)-th smallest latency.
  const auto sql = fmt::format("SELECT latency_us{} ORDER BY latency_us LIMIT 1 OFFSET ?4", kWhere);
  const std::array<std::pair<int, std::int64_t*>, 3> wanted{{{50, &t.p50_us}, {95, &t.p95_us}, {99, &t.p99_us}}};
  for (const auto& [p, out] : wanted) {
    const auto rank = (t.requests * p + 99) / 100;
    auto params = params_of(q);
    params.emplace_back(std::max<std::int64_t>(rank - 1, 0));
    auto at = scope.query_row(sql, std::move(params));
    if (!at) return std::unexpected(at.error());
    if (*at) *out = integer((**at)[0]);
  }
  return t;
}

Result<Totals> Analytics::tenant_totals(const Query& query) const {
  return totals(query, false);
}

Result<Summary> Analytics::summary(const Query& q) const {
  Summary s;
  auto t = totals(q, true);
  if (!t) return std::unexpected(t.error());
  s.totals = *t;
  const auto scope = db_.tenant(store::TenantId(q.tenant_id));
  auto days = scope.query(fmt::format("SELECT day, {}{} GROUP BY day ORDER BY day", kAggregates, kWhere), params_of(q));
  if (!days) return std::unexpected(days.error());
  for (const auto& row : days->rows) s.per_day.push_back(bucket_of(row, day_string(integer(row[0]))));
  auto names = scope.query(fmt::format("SELECT kind, name, {}{} GROUP BY kind, name ORDER BY requests DESC, name "
                                       "LIMIT {}",
                                       kAggregates, kWhere, kMaxNames),
                           params_of(q));
  if (!names) return std::unexpected(names.error());
  for (const auto& row : names->rows) {
    auto kind = row.get<std::string>("kind");
    auto name = row.get<std::string>("name");
    if (!kind || !name) return fail(ErrorCode::database_error, "request_log aggregate is malformed");
    auto b = bucket_of(row, std::move(*name));
    b.kind = std::move(*kind);
    s.per_name.push_back(std::move(b));
  }
  return s;
}

}  // namespace pierre::usage
