// QuotaTracker with explicit times (no clock, no database): fixed UTC minute and month windows, refusals not counted,
// the binding window, seeding from the store and the hand-over of pending counts, and exactness under threads.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pierre/auth/quota_tracker.hpp"

namespace pierre::auth {
namespace {

using std::chrono::sys_days;
using namespace std::chrono;
using namespace std::chrono_literals;

// 2026-11-27 10:15:30 UTC
const system_clock::time_point kNoon = sys_days{year{2026} / November / 27} + 10h + 15min + 30s;

TEST(QuotaTracker, MinuteWindowRefusesThenResetsAtTheNextMinute) {
  QuotaTracker tracker;
  const TierQuota quota{3, 0};
  for (std::uint32_t i = 0; i < 3; ++i) {
    const auto d = tracker.hit("t", "k", quota, kNoon + seconds(i));
    ASSERT_TRUE(d.allowed);
    ASSERT_TRUE(d.binding);
    EXPECT_EQ(d.binding->kind, QuotaWindow::Kind::minute);
    EXPECT_EQ(d.binding->remaining, 2 - i);
    EXPECT_EQ(d.binding->reset_at, sys_days{year{2026} / November / 27} + 10h + 16min);
  }
  const auto refused = tracker.hit("t", "k", quota, kNoon + 10s);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 20s);  // 10:15:40 → 10:16:00
  EXPECT_EQ(refused.binding->remaining, 0U);
  EXPECT_EQ(tracker.counts("k", kNoon + 10s).minute, 3);  // the refusal was not counted

  const auto next = tracker.hit("t", "k", quota, kNoon + 30s);  // 10:16:00
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.binding->remaining, 2U);
  EXPECT_EQ(tracker.counts("k", kNoon + 30s).month, 4);
}

TEST(QuotaTracker, MonthWindowUsesCalendarMonthsInUtc) {
  QuotaTracker tracker;
  const TierQuota quota{0, 2};
  const auto last_second = sys_days{year{2026} / November / 30} + 23h + 59min + 59s;
  EXPECT_TRUE(tracker.hit("t", "k", quota, last_second - 1h).allowed);
  const auto second = tracker.hit("t", "k", quota, last_second - 1h);
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(second.binding->kind, QuotaWindow::Kind::month);
  EXPECT_EQ(second.binding->length, seconds(30 * 86400));
  const auto refused = tracker.hit("t", "k", quota, last_second);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1s);
  EXPECT_TRUE(tracker.hit("t", "k", quota, last_second + 1s).allowed);  // December
  EXPECT_EQ(month_period(last_second + 1s), "2026-12");
  EXPECT_EQ(month_period(last_second), "2026-11");
}

TEST(QuotaTracker, BindingWindowIsTheOneWithFewestLeftAndUnlimitedHasNone) {
  QuotaTracker tracker;
  auto d = tracker.hit("t", "a", TierQuota{100, 5}, kNoon);
  EXPECT_EQ(d.binding->kind, QuotaWindow::Kind::month);
  EXPECT_EQ(d.binding->remaining, 4U);
  d = tracker.hit("t", "b", TierQuota{2, 1000}, kNoon);
  EXPECT_EQ(d.binding->kind, QuotaWindow::Kind::minute);
  d = tracker.hit("t", "c", TierQuota{0, 0}, kNoon);
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.binding);
  // When both are exhausted, the refusal names the window that frees last.
  QuotaTracker both;
  EXPECT_TRUE(both.hit("t", "k", TierQuota{1, 1}, kNoon).allowed);
  const auto refused = both.hit("t", "k", TierQuota{1, 1}, kNoon);
  EXPECT_EQ(refused.binding->kind, QuotaWindow::Kind::month);
}

TEST(QuotaTracker, SeedCountsOnceAndPendingIsHandedOverExactly) {
  QuotaTracker tracker;
  tracker.seed("k", "2026-11", 7);
  EXPECT_TRUE(tracker.seeded("k", "2026-11"));
  EXPECT_FALSE(tracker.seeded("k", "2026-12"));
  tracker.seed("k", "2026-11", 100);  // a later reload must not double-count
  EXPECT_EQ(tracker.hit("t", "k", TierQuota{0, 9}, kNoon).binding->remaining, 1U);
  EXPECT_TRUE(tracker.hit("t", "k", TierQuota{0, 9}, kNoon).allowed);
  EXPECT_FALSE(tracker.hit("t", "k", TierQuota{0, 9}, kNoon).allowed);

  auto pending = tracker.take_pending();
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_EQ(pending[0].requests, 2);  // only what this process counted, not the seed
  EXPECT_EQ(pending[0].tenant_id, "t");
  EXPECT_EQ(pending[0].period, "2026-11");
  EXPECT_TRUE(tracker.take_pending().empty());
  tracker.put_back(std::move(pending));
  tracker.hit("t", "k", TierQuota{}, kNoon + 1s);
  pending = tracker.take_pending();
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_EQ(pending[0].requests, 3);
  EXPECT_EQ(pending[0].last_used_ms, duration_cast<milliseconds>((kNoon + 1s).time_since_epoch()).count());
}

TEST(QuotaTracker, ConcurrentHitsNeitherOvershootNorLoseCounts) {
  QuotaTracker tracker;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (tracker.hit("t", "limited", TierQuota{0, 2500}, kNoon).allowed) ++allowed;
        tracker.hit("t", "unlimited", TierQuota{}, kNoon);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 2500);
  EXPECT_EQ(tracker.counts("unlimited", kNoon).month, 8000);
  std::int64_t pending = 0;
  for (const auto& p : tracker.take_pending()) pending += p.requests;
  EXPECT_EQ(pending, 2500 + 8000);
}

}  // namespace
}  // namespace pierre::auth
