// LoginThrottle with a fake clock: limits per account and per IP, window expiry, reset on success, the memory
// bound, and concurrent counting.

#include "pierre/auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pierre::auth {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct FakeClock {
  std::shared_ptr<std::atomic<Clock::rep>> ticks = std::make_shared<std::atomic<Clock::rep>>(0);
  Clock::time_point operator()() const { return Clock::time_point(Clock::duration(ticks->load())); }
  void advance(Clock::duration d) const { ticks->fetch_add(d.count()); }
};

LoginThrottle::Options options(std::uint32_t per_account, std::uint32_t per_ip, std::chrono::seconds window = 60s,
                               std::size_t max_keys = 100'000) {
  return {per_account, per_ip, window, max_keys};
}

std::int64_t retry_after(const Result<void>& r) {
  EXPECT_FALSE(r.has_value());
  if (r) return -1;
  EXPECT_EQ(r.error().code, ErrorCode::rate_limit_exceeded);
  return r.error().details.value("retry_after_secs", std::int64_t{-1});
}

TEST(LoginThrottle, RefusesAtTheAccountLimitUntilTheWindowEnds) {
  FakeClock clock;
  LoginThrottle t(options(3, 100), clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(t.check("bob@example.com", "10.0.0.1")) << i;
    t.record_failure("bob@example.com", "10.0.0.1");
    clock.advance(1s);
  }
  // Window opened at t=0, now t=3: 57 s left.
  EXPECT_EQ(retry_after(t.check("bob@example.com", "10.0.0.1")), 57);
  // The same account from another IP is refused too; another account from the same IP is not.
  EXPECT_EQ(retry_after(t.check("bob@example.com", "10.0.0.2")), 57);
  EXPECT_TRUE(t.check("carol@example.com", "10.0.0.1"));
  // Normalised like an email: case and surrounding whitespace do not give a fresh counter.
  EXPECT_FALSE(t.check("  BOB@Example.COM\t", "10.0.0.3"));

  clock.advance(56s + 500ms);  // 0.5 s left: rounded up
  EXPECT_EQ(retry_after(t.check("bob@example.com", "10.0.0.1")), 1);
  clock.advance(500ms);
  EXPECT_TRUE(t.check("bob@example.com", "10.0.0.1"));
  // A new window: three more failures are allowed.
  for (int i = 0; i < 2; ++i) t.record_failure("bob@example.com", "10.0.0.1");
  EXPECT_TRUE(t.check("bob@example.com", "10.0.0.1"));
  t.record_failure("bob@example.com", "10.0.0.1");
  EXPECT_EQ(retry_after(t.check("bob@example.com", "10.0.0.1")), 60);
}

TEST(LoginThrottle, MessageDoesNotDependOnWhichKeyTripped) {
  FakeClock clock;
  LoginThrottle t(options(2, 2), clock);
  t.record_failure("a@example.com", "10.0.0.1");
  t.record_failure("a@example.com", "10.0.0.2");
  t.record_failure("b@example.com", "10.0.0.3");
  t.record_failure("c@example.com", "10.0.0.3");
  const auto by_account = t.check("a@example.com", "10.0.0.9");
  const auto by_ip = t.check("z@example.com", "10.0.0.3");
  ASSERT_FALSE(by_account);
  ASSERT_FALSE(by_ip);
  EXPECT_EQ(by_account.error().message, by_ip.error().message);
  EXPECT_EQ(by_account.error().details, by_ip.error().details);
}

TEST(LoginThrottle, IpLimitIsIndependentOfAccounts) {
  FakeClock clock;
  LoginThrottle t(options(100, 4), clock);
  for (int i = 0; i < 4; ++i) {
    const auto email = "user" + std::to_string(i) + "@example.com";
    ASSERT_TRUE(t.check(email, "192.0.2.7"));
    t.record_failure(email, "192.0.2.7");
  }
  // A fifth, never-tried account from that IP is refused; the accounts themselves are fine from elsewhere.
  EXPECT_EQ(retry_after(t.check("fresh@example.com", "192.0.2.7")), 60);
  EXPECT_TRUE(t.check("user0@example.com", "192.0.2.8"));
  // A success clears the account only: the IP stays blocked.
  t.record_success("user0@example.com");
  EXPECT_FALSE(t.check("user0@example.com", "192.0.2.7"));
  clock.advance(60s);
  EXPECT_TRUE(t.check("fresh@example.com", "192.0.2.7"));
}

TEST(LoginThrottle, BlockedByBothReportsTheLaterWindow) {
  FakeClock clock;
  LoginThrottle t(options(1, 1), clock);
  t.record_failure("a@example.com", "10.0.0.1");  // both windows open at t=0
  clock.advance(10s);
  t.record_failure("b@example.com", "10.0.0.2");  // opens at t=10
  EXPECT_EQ(retry_after(t.check("a@example.com", "10.0.0.2")), 60);
  EXPECT_EQ(retry_after(t.check("b@example.com", "10.0.0.1")), 60);
  EXPECT_EQ(retry_after(t.check("a@example.com", "10.0.0.1")), 50);
}

TEST(LoginThrottle, SuccessResetsTheAccountCounter) {
  FakeClock clock;
  LoginThrottle t(options(3, 100), clock);
  t.record_failure("bob@example.com", "10.0.0.1");
  t.record_failure("bob@example.com", "10.0.0.1");
  t.record_success("BOB@example.com");
  t.record_failure("bob@example.com", "10.0.0.1");
  t.record_failure("bob@example.com", "10.0.0.1");
  EXPECT_TRUE(t.check("bob@example.com", "10.0.0.1"));
  t.record_failure("bob@example.com", "10.0.0.1");
  EXPECT_FALSE(t.check("bob@example.com", "10.0.0.1"));
}

TEST(LoginThrottle, ExpiredEntriesAreDropped) {
  FakeClock clock;
  LoginThrottle t(options(5, 5), clock);
  for (int i = 0; i < 10; ++i) t.record_failure("u" + std::to_string(i) + "@example.com", "10.0.0.1");
  EXPECT_EQ(t.tracked_keys(), 11u);
  clock.advance(30s);
  t.record_failure("late@example.com", "10.0.0.2");
  EXPECT_EQ(t.tracked_keys(), 13u);
  clock.advance(30s);  // the first eleven keys' window has ended
  EXPECT_TRUE(t.check("anyone@example.com", "10.0.0.1"));
  EXPECT_EQ(t.tracked_keys(), 2u);
  clock.advance(30s);
  EXPECT_TRUE(t.check("anyone@example.com", "10.0.0.1"));
  EXPECT_EQ(t.tracked_keys(), 0u);
}

TEST(LoginThrottle, TrackedKeysAreBoundedOldestEvictedFirst) {
  FakeClock clock;
  LoginThrottle t(options(1, 1'000'000, 3600s, 100), clock);
  t.record_failure("first@example.com", "10.0.0.1");
  EXPECT_FALSE(t.check("first@example.com", "10.0.0.1"));
  for (int i = 0; i < 1000; ++i) {
    clock.advance(1ms);
    t.record_failure("u" + std::to_string(i) + "@example.com", "10.0.0.1");
    ASSERT_LE(t.tracked_keys(), 100u);
  }
  EXPECT_EQ(t.tracked_keys(), 100u);
  // "first" was the oldest window and has been evicted; the newest account is still counted.
  EXPECT_TRUE(t.check("first@example.com", "10.0.0.2"));
  EXPECT_FALSE(t.check("u999@example.com", "10.0.0.2"));
}

TEST(LoginThrottle, AccountKeyIsBounded) {
  const std::string huge(100'000, 'x');
  EXPECT_EQ(LoginThrottle::account_key(huge).size(), 256u);
  EXPECT_EQ(LoginThrottle::account_key(" \tMiXeD@Example.Com\r\n"), "mixed@example.com");
}

TEST(LoginThrottle, ClientKeyGroupsAnIpv6SlashSixtyFour) {
  EXPECT_EQ(LoginThrottle::client_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(LoginThrottle::client_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(LoginThrottle::client_key("2001:db8:1:2::1"), LoginThrottle::client_key("2001:0db8:0001:0002:ffff::9"));
  EXPECT_NE(LoginThrottle::client_key("2001:db8:1:2::1"), LoginThrottle::client_key("2001:db8:1:3::1"));
  EXPECT_EQ(LoginThrottle::client_key("not an address"), "not an address");

  FakeClock clock;
  LoginThrottle t(options(100, 2), clock);
  t.record_failure("a@example.com", "2001:db8:1:2::1");
  t.record_failure("b@example.com", "2001:db8:1:2::dead:beef");
  EXPECT_FALSE(t.check("c@example.com", "2001:db8:1:2:aaaa::7"));
  EXPECT_TRUE(t.check("c@example.com", "2001:db8:1:3::1"));
  t.record_failure("a@example.com", "::ffff:10.0.0.1");
  t.record_failure("b@example.com", "10.0.0.1");
  EXPECT_FALSE(t.check("c@example.com", "::ffff:10.0.0.1"));
}

TEST(LoginThrottle, ConcurrentFailuresAreAllCounted) {
  FakeClock clock;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 1000;
  LoginThrottle t(options(kThreads * kPerThread, 1'000'000), clock);
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&t, n] {
      for (int i = 0; i < kPerThread; ++i) {
        (void)t.check("shared@example.com", "10.0.0.1");
        t.record_failure("shared@example.com", "10.0.0." + std::to_string(n));
      }
    });
  }
  for (auto& th : threads) th.join();
  // Exactly kThreads * kPerThread failures: at the limit now, and one fewer would not have been.
  EXPECT_FALSE(t.check("shared@example.com", "10.0.0.99"));
  LoginThrottle u(options(kThreads * kPerThread + 1, 1'000'000), clock);
  threads.clear();
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&u] {
      for (int i = 0; i < kPerThread; ++i) u.record_failure("shared@example.com", "10.0.0.1");
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(u.check("shared@example.com", "10.0.0.99"));
  u.record_failure("shared@example.com", "10.0.0.1");
  EXPECT_FALSE(u.check("shared@example.com", "10.0.0.99"));
  // Each IP counted its own kPerThread failures.
  LoginThrottle v(options(1'000'000, kPerThread), clock);
  threads.clear();
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&v, n] {
      for (int i = 0; i < kPerThread - 1; ++i) v.record_failure("x@example.com", "10.0.1." + std::to_string(n));
    });
  }
  for (auto& th : threads) th.join();
  for (int n = 0; n < kThreads; ++n) {
    const auto ip = "10.0.1." + std::to_string(n);
    EXPECT_TRUE(v.check("y@example.com", ip)) << ip;
    v.record_failure("y@example.com", ip);
    EXPECT_FALSE(v.check("y@example.com", ip)) << ip;
  }
}

}  // namespace
}  // namespace pierre::auth
