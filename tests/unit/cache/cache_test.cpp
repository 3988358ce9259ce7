#include "pierre/cache/cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace pierre::cache {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1000h};
  MemoryCache::Clock function() {
    return [this] { return now; };
  }
};

TEST(MemoryCache, GetReturnsWhatPutStored) {
  MemoryCache cache(10);
  EXPECT_EQ(cache.get("a"), std::nullopt);
  cache.put("a", "1", 1min);
  EXPECT_EQ(cache.get("a"), "1");
  cache.put("a", "2", 1min);
  EXPECT_EQ(cache.get("a"), "2");
  EXPECT_EQ(cache.size(), 1U);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2U);
  EXPECT_EQ(stats.misses, 1U);
}

TEST(MemoryCache, EvictsTheLeastRecentlyUsed) {
  MemoryCache cache(3);
  cache.put("a", "1", 1min);
  cache.put("b", "2", 1min);
  cache.put("c", "3", 1min);
  ASSERT_EQ(cache.get("a"), "1");  // a is now the most recently used; b the least
  cache.put("d", "4", 1min);
  EXPECT_EQ(cache.size(), 3U);
  EXPECT_EQ(cache.get("b"), std::nullopt);
  EXPECT_EQ(cache.get("a"), "1");
  EXPECT_EQ(cache.get("c"), "3");
  EXPECT_EQ(cache.get("d"), "4");
  // Replacing a value also counts as a use: c was used before d and a, but is refreshed now.
  cache.put("c", "30", 1min);
  cache.put("e", "5", 1min);
  EXPECT_EQ(cache.get("a"), std::nullopt);
  EXPECT_EQ(cache.get("c"), "30");
  EXPECT_EQ(cache.stats().evictions, 2U);
}

TEST(MemoryCache, ZeroCapacityStillHoldsOneEntry) {
  MemoryCache cache(0);
  EXPECT_EQ(cache.max_entries(), 1U);
  cache.put("a", "1", 1min);
  cache.put("b", "2", 1min);
  EXPECT_EQ(cache.get("a"), std::nullopt);
  EXPECT_EQ(cache.get("b"), "2");
}

TEST(MemoryCache, EntriesExpireAfterTheirTtl) {
  ManualClock clock;
  MemoryCache cache({.max_entries = 10, .cleanup_interval = 0s, .clock = clock.function()});
  cache.put("short", "s", 10s);
  cache.put("long", "l", 1h);
  clock.now += 9s;
  EXPECT_EQ(cache.get("short"), "s");
  clock.now += 1s;  // exactly at expiry: gone
  EXPECT_EQ(cache.get("short"), std::nullopt);
  EXPECT_EQ(cache.size(), 1U);  // get() dropped it
  EXPECT_EQ(cache.get("long"), "l");
  // A new put restarts the clock for that key.
  cache.put("long", "l2", 10s);
  clock.now += 1h;
  EXPECT_EQ(cache.get("long"), std::nullopt);
  EXPECT_EQ(cache.stats().expirations, 2U);
}

TEST(MemoryCache, NonPositiveTtlStoresNothingAndRemoves) {
  MemoryCache cache(10);
  cache.put("a", "1", 1min);
  cache.put("a", "2", 0ms);
  EXPECT_EQ(cache.get("a"), std::nullopt);
  cache.put("b", "1", -5s);
  EXPECT_EQ(cache.size(), 0U);
}

TEST(MemoryCache, PurgeRemovesOnlyExpiredEntries) {
  ManualClock clock;
  MemoryCache cache({.max_entries = 10, .cleanup_interval = 0s, .clock = clock.function()});
  for (int i = 0; i < 5; ++i) cache.put("short" + std::to_string(i), "x", 10s);
  for (int i = 0; i < 3; ++i) cache.put("long" + std::to_string(i), "y", 1h);
  EXPECT_EQ(cache.purge_expired(), 0U);
  clock.now += 30s;
  EXPECT_EQ(cache.size(), 8U);  // expired but not yet purged
  EXPECT_EQ(cache.purge_expired(), 5U);
  EXPECT_EQ(cache.size(), 3U);
  EXPECT_EQ(cache.get("long1"), "y");
}

TEST(MemoryCache, PutPurgesOncePerCleanupInterval) {
  ManualClock clock;
  MemoryCache cache({.max_entries = 100, .cleanup_interval = 60s, .clock = clock.function()});
  cache.put("a", "1", 5s);
  cache.put("b", "2", 5s);
  clock.now += 30s;
  cache.put("c", "3", 1h);  // interval not reached: a and b stay (expired) in memory
  EXPECT_EQ(cache.size(), 3U);
  clock.now += 31s;
  cache.put("d", "4", 1h);  // interval reached: the expired ones are purged
  EXPECT_EQ(cache.size(), 2U);
}

TEST(MemoryCache, FullCacheEvictsAnExpiredTailAsAnExpiration) {
  ManualClock clock;
  MemoryCache cache({.max_entries = 2, .cleanup_interval = 0s, .clock = clock.function()});
  cache.put("a", "1", 1s);
  cache.put("b", "2", 1h);
  clock.now += 2s;
  cache.put("c", "3", 1h);
  EXPECT_EQ(cache.stats().evictions, 0U);
  EXPECT_EQ(cache.stats().expirations, 1U);
  EXPECT_EQ(cache.get("b"), "2");
  EXPECT_EQ(cache.get("c"), "3");
}

TEST(MemoryCache, EraseRemovesOneKey) {
  MemoryCache cache(10);
  cache.put("a", "1", 1min);
  cache.put("b", "2", 1min);
  EXPECT_TRUE(cache.erase("a"));
  EXPECT_FALSE(cache.erase("a"));
  EXPECT_EQ(cache.get("a"), std::nullopt);
  EXPECT_EQ(cache.get("b"), "2");
  // The freed slot is reusable and the list and index stay consistent.
  cache.put("a", "3", 1min);
  EXPECT_EQ(cache.get("a"), "3");
  EXPECT_EQ(cache.size(), 2U);
}

TEST(MemoryCache, WorksThroughTheInterface) {
  std::unique_ptr<Cache> cache = std::make_unique<MemoryCache>(4);
  cache->put("k", "v", 1min);
  EXPECT_EQ(cache->get("k"), "v");
  EXPECT_EQ(cache->size(), 1U);
}

TEST(MemoryCache, ConcurrentUseStaysConsistent) {
  MemoryCache cache(64);
  constexpr int kThreads = 8;
  constexpr int kOperations = 20'000;
  std::atomic<int> wrong_values{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, &wrong_values, t] {
      for (int i = 0; i < kOperations; ++i) {
        const auto key = "k" + std::to_string((i * 7 + t) % 100);
        switch (i % 5) {
          case 0:
          case 1: cache.put(key, "value-of-" + key, std::chrono::milliseconds(1 + i % 50)); break;
          case 2: cache.erase(key); break;
          case 3:
            if (i % 1000 == 3) cache.purge_expired();
            break;
          default:
            if (auto v = cache.get(key); v && *v != "value-of-" + key) wrong_values.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong_values.load(), 0);
  EXPECT_LE(cache.size(), 64U);
  cache.put("after", "x", 1min);
  EXPECT_EQ(cache.get("after"), "x");
}

}  // namespace
}  // namespace pierre::cache
