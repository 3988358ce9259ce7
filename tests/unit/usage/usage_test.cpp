// usage::RequestLog (batched writes, ring of recent records, viewer filtering, subscriptions and their limits,
// retention) and usage::Analytics (GROUP BY aggregates and nearest-rank percentiles) on every backend.

#include <gtest/gtest.h>

#include <vector>

#include "backend_fixture.hpp"
#include "pierre/core/time.hpp"
#include "pierre/usage/analytics.hpp"
#include "pierre/usage/request_log.hpp"

namespace pierre::usage {
namespace {

using pierre::testing::add_tenant;
using pierre::testing::describe;

constexpr std::int64_t kDay = kMsPerDay;

Record at(std::int64_t at_ms, std::string tenant, std::string user, std::string name, int status,
          std::int64_t latency_us) {
  return {at_ms, std::move(tenant), std::move(user), "", "mcp", std::move(name), status, latency_us};
}

class UsageTest : public pierre::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_tenant(db(), "ta");
    add_tenant(db(), "tb");
  }
};

TEST(UsageDays, FormatsAndParsesUtcDays) {
  EXPECT_EQ(day_string(0), "1970-01-01");
  EXPECT_EQ(day_string(20'000), "2024-10-04");
  EXPECT_EQ(parse_day("2024-10-04"), 20'000);
  EXPECT_EQ(parse_day("2024-02-29"), 19'782);
  EXPECT_FALSE(parse_day("2023-02-29"));
  EXPECT_FALSE(parse_day("2024-13-01"));
  EXPECT_FALSE(parse_day("2024-1-01"));
  EXPECT_FALSE(parse_day("2024-01-01T00"));
  EXPECT_FALSE(parse_day("+024-01-01"));
  EXPECT_FALSE(parse_day(""));
}

TEST(UsageViewer, SuperAdminSeesAllAdminTheTenantUsersThemselves) {
  const Record r = at(0, "ta", "u1", "x", 200, 1);
  EXPECT_TRUE((Viewer{"tb", "s", "super_admin"}.may_see(r)));
  EXPECT_TRUE((Viewer{"ta", "a", "admin"}.may_see(r)));
  EXPECT_FALSE((Viewer{"tb", "a", "admin"}.may_see(r)));
  EXPECT_TRUE((Viewer{"ta", "u1", "user"}.may_see(r)));
  EXPECT_FALSE((Viewer{"ta", "u2", "user"}.may_see(r)));
  EXPECT_FALSE((Viewer{"tb", "u1", "user"}.may_see(r)));
}

TEST_P(UsageTest, AggregatesPerDayNameAndPercentilesWithinATenant) {
  RequestLog log(db(), {});
  const std::int64_t day = 20'000 * kDay;
  // Tenant ta: 10 calls of "a" on day 0 with latencies 1..10 ms, one failing; 2 of "b" on day 1; tenant tb: noise.
  for (int i = 1; i <= 10; ++i) log.record(at(day + i, "ta", "u1", "a", i == 10 ? 500 : 200, i * 1000));
  log.record(at(day + kDay + 5, "ta", "u2", "b", 404, 100));
  log.record(at(day + kDay + 6, "ta", "u2", "b", 200, 300));
  log.record(at(day + 7, "tb", "u9", "a", 200, 999'000));
  log.record(at(day - 1, "ta", "u1", "a", 200, 1));  // before the range
  log.record(Record{});                              // no tenant: not kept
  ASSERT_TRUE(log.flush()) << "flush";

  const Analytics analytics(db());
  auto s = analytics.summary({"ta", std::nullopt, day, day + 2 * kDay});
  ASSERT_TRUE(s) << describe(s);
  EXPECT_EQ(s->totals.requests, 12);
  EXPECT_EQ(s->totals.errors, 2);
  // Sorted latencies: 100, 300, 1000, 2000, …, 10000 (12 values): nearest rank 6 → 4000, rank 12 → 10000.
  EXPECT_EQ(s->totals.p50_us, 4000);
  EXPECT_EQ(s->totals.p95_us, 10'000);
  EXPECT_EQ(s->totals.p99_us, 10'000);
  ASSERT_EQ(s->per_day.size(), 2U);
  EXPECT_EQ(s->per_day[0].key, "2024-10-04");
  EXPECT_EQ(s->per_day[0].requests, 10);
  EXPECT_EQ(s->per_day[0].errors, 1);
  EXPECT_DOUBLE_EQ(s->per_day[0].mean_latency_us, 5500.0);
  EXPECT_EQ(s->per_day[1].key, "2024-10-05");
  EXPECT_EQ(s->per_day[1].requests, 2);
  ASSERT_EQ(s->per_name.size(), 2U);
  EXPECT_EQ(s->per_name[0].key, "a");
  EXPECT_EQ(s->per_name[0].kind, "mcp");
  EXPECT_EQ(s->per_name[1].key, "b");
  EXPECT_EQ(s->per_name[1].errors, 1);

  auto one_user = analytics.summary({"ta", std::string("u2"), day, day + 2 * kDay});
  ASSERT_TRUE(one_user) << describe(one_user);
  EXPECT_EQ(one_user->totals.requests, 2);
  EXPECT_EQ(one_user->totals.p50_us, 100);
  auto other = analytics.tenant_totals({"tb", std::nullopt, day, day + 2 * kDay});
  ASSERT_TRUE(other) << describe(other);
  EXPECT_EQ(other->requests, 1);
  auto empty = analytics.summary({"ta", std::nullopt, 0, kDay});
  ASSERT_TRUE(empty) << describe(empty);
  EXPECT_EQ(empty->totals.requests, 0);
  EXPECT_EQ(empty->totals.p99_us, 0);
  EXPECT_TRUE(empty->per_day.empty());
}

TEST_P(UsageTest, RetentionDeletesOldRowsOnly) {
  RequestLog log(db(), {.retention = std::chrono::hours(24)});
  const auto now = now_epoch_ms();
  log.record(at(now - 2 * kDay, "ta", "u", "old", 200, 1));
  log.record(at(now - 1000, "ta", "u", "new", 200, 1));
  log.record(at(now - 3 * kDay, "tb", "u", "old", 200, 1));
  ASSERT_TRUE(log.flush());
  auto purged = log.purge_expired();
  ASSERT_TRUE(purged) << describe(purged);
  EXPECT_EQ(*purged, 2);
  auto left = Analytics(db()).summary({"ta", std::nullopt, 0, now + kDay});
  ASSERT_TRUE(left);
  EXPECT_EQ(left->totals.requests, 1);
}

TEST_P(UsageTest, RecentAndSubscriptionsFollowTheViewerAndTheirLimits) {
  RequestLog log(db(), {.max_subscribers_per_user = 2, .max_subscribers = 3});
  std::vector<std::string> seen;
  const Viewer user{"ta", "u1", "user"};
  auto id = log.subscribe(user, [&](const Record& r) {
    seen.push_back(r.name);
    return seen.size() < 2;  // wants two records, then ends its subscription
  });
  ASSERT_TRUE(id) << describe(id);
  log.record(at(1, "ta", "u1", "mine", 200, 1));
  log.record(at(2, "ta", "u2", "theirs", 200, 1));
  log.record(at(3, "ta", "u1", "mine-too", 200, 1));
  log.record(at(4, "ta", "u1", "after-the-end", 200, 1));
  EXPECT_EQ(seen, (std::vector<std::string>{"mine", "mine-too"}));
  const auto recent = log.recent(user, 2);
  ASSERT_EQ(recent.size(), 2U);
  EXPECT_EQ(recent[0].name, "mine-too");
  EXPECT_EQ(recent[1].name, "after-the-end");
  EXPECT_EQ(log.recent(Viewer{"ta", "a", "admin"}, 10).size(), 4U);
  EXPECT_TRUE(log.recent(Viewer{"tb", "a", "admin"}, 10).empty());

  auto keep = [](const Record&) { return true; };
  ASSERT_TRUE(log.subscribe(user, keep));
  ASSERT_TRUE(log.subscribe(user, keep));
  auto third = log.subscribe(user, keep);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::rate_limit_exceeded);
  ASSERT_TRUE(log.subscribe(Viewer{"ta", "u2", "user"}, keep));
  auto full = log.subscribe(Viewer{"ta", "u3", "user"}, keep);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::resource_unavailable);

  int ended = 0;
  log.end_subscriptions();
  ASSERT_TRUE(log.subscribe(Viewer{"ta", "u3", "user"}, keep, [&] { ++ended; }));
  log.end_subscriptions();
  EXPECT_EQ(ended, 1);
}

INSTANTIATE_TEST_SUITE_P(usage, UsageTest, ::testing::Values("sqlite_memory", "sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::usage
