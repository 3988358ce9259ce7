#pragma once
// LoginThrottle: refuses logins cheaply (before any Argon2 work) once too many have failed, per account and per
// client IP (OWASP "limit failed login attempts").
//
// Each key (the account's email — ASCII-trimmed and lower-cased, exactly as UserService normalises it, whether or
// not such an account exists — and the client IP, IPv6 by /64) has a counter and a fixed window that starts at its
// first failure. While a key's counter is at its limit and its window is open, check() refuses with rate_limit_exceeded
// (429) and the seconds until the window closes (details.retry_after_secs; the HTTP layer copies it into Retry-After).
// The refusal never says which key tripped nor whether the account exists: an unknown email is counted and refused
// exactly like a known one.
//   - failure: both counters go up (a new window opens for a key whose window has ended);
//   - success: the account's counter is cleared, the IP's is kept (one good password must not launder an IP that
//     is guessing many accounts).
// Memory is bounded: expired entries are dropped as time passes, and at most `max_tracked_keys` keys are kept;
// beyond that the entry whose window opened first is evicted. (An attacker able to fail from enough distinct IPs
// to fill the table can thereby reset an account's counter early; the per-IP limit makes that cost
// max_tracked_keys / max_failures_per_ip addresses.) Counters live in this process only: with N instances behind a
// load balancer the effective limit is up to N times higher.
// Thread safety: all members may be called concurrently (one mutex; the work under it is a hash lookup).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pierre/core/error.hpp"

namespace pierre::auth {

class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Options {
    std::uint32_t max_failures_per_account = 5;
    std::uint32_t max_failures_per_ip = 20;
    std::chrono::seconds window{900};
    std::size_t max_tracked_keys = 100'000;
  };

  explicit LoginThrottle(Options options, Clock clock = &std::chrono::steady_clock::now);

  // Before the password is looked at: rate_limit_exceeded "too many failed login attempts; try again later" with
  // details {"retry_after_secs": N} (N ≥ 1; the later of the two keys when both are blocked), or success.
  [[nodiscard]] Result<void> check(std::string_view email, std::string_view ip);
  void record_failure(std::string_view email, std::string_view ip);
  void record_success(std::string_view email);

  // Keys currently held (accounts + IPs), expired ones included until they are next swept.
  [[nodiscard]] std::size_t tracked_keys() const;

  // The account key: ASCII whitespace trimmed, ASCII lower-cased, at most 256 bytes (longer strings are never
  // valid emails, so they may share a counter).
  [[nodiscard]] static std::string account_key(std::string_view email);
  // The client key: an IPv6 address counts as its /64 (one subscriber's allocation, which an attacker can cycle
  // through freely), an IPv4-mapped IPv6 address as the IPv4 address; anything else as given (first 64 bytes).
  [[nodiscard]] static std::string client_key(std::string_view ip);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point window_start;
    std::uint32_t failures = 0;
    std::list<std::string>::iterator order;  // position in order_ (oldest window first)
  };

  // Time left in the key's window when it is at `limit`, else zero. Caller holds mutex_.
  std::chrono::steady_clock::duration blocked_for(const std::string& key, std::uint32_t limit,
                                                  std::chrono::steady_clock::time_point now) const;
  void count_failure(std::string key, std::chrono::steady_clock::time_point now);
  void sweep(std::chrono::steady_clock::time_point now);
  void erase(std::unordered_map<std::string, Entry>::iterator it);

  const Options options_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // "a:<email>" / "i:<ip>"
  std::list<std::string> order_;                    // keys by window start, oldest first
};

}  // namespace pierre::auth
