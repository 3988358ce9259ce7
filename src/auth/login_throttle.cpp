#include "pierre/auth/login_throttle.hpp"
#include "pierre/core/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace pierre::auth {
namespace {

constexpr std::size_t kMaxAccountKeyBytes = 256;

using text::is_space;

}  // namespace

LoginThrottle::LoginThrottle(Options options, Clock clock) : options_(options), clock_(std::move(clock)) {}

std::string LoginThrottle::account_key(std::string_view email) {
  while (!email.empty() && is_space(email.front())) email.remove_prefix(1);
  while (!email.empty() && is_space(email.back())) email.remove_suffix(1);
  email = email.substr(0, kMaxAccountKeyBytes);
  std::string out(email);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string LoginThrottle::client_key(std::string_view ip) {
  std::array<unsigned char, 16> bytes{};
  const std::string text(ip.substr(0, 64));
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return text;
  static constexpr std::array<unsigned char, 12> v4_mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(v4_mapped.begin(), v4_mapped.end(), bytes.begin())) {
    char v4[16];
    std::snprintf(v4, sizeof v4, "%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
    return v4;
  }
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
  return prefix;
}

void LoginThrottle::erase(std::unordered_map<std::string, Entry>::iterator it) {
  order_.erase(it->second.order);
  entries_.erase(it);
}

// order_ is sorted by window start (the clock is monotonic and a window only ever opens "now"), so the expired
// entries are a prefix of it.
void LoginThrottle::sweep(std::chrono::steady_clock::time_point now) {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it == entries_.end()) {  // cannot happen; keep the structures consistent anyway
      order_.pop_front();
      continue;
    }
    if (now < it->second.window_start + options_.window) break;
    erase(it);
  }
}

std::chrono::steady_clock::duration LoginThrottle::blocked_for(const std::string& key, std::uint32_t limit,
                                                               std::chrono::steady_clock::time_point now) const {
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.failures < limit) return {};
  return std::max(std::chrono::steady_clock::duration::zero(), it->second.window_start + options_.window - now);
}

Result<void> LoginThrottle::check(std::string_view email, std::string_view ip) {
  const auto now = clock_();
  std::chrono::steady_clock::duration wait{};
  {
    std::lock_guard lock(mutex_);
    sweep(now);
    wait = std::max(blocked_for("a:" + account_key(email), options_.max_failures_per_account, now),
                    blocked_for("i:" + client_key(ip), options_.max_failures_per_ip, now));
  }
  if (wait <= std::chrono::steady_clock::duration::zero()) return {};
  // Rounded up: a client that waits exactly this long finds the window closed.
  const auto secs = std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  return fail(ErrorCode::rate_limit_exceeded, "too many failed login attempts; try again later",
              {{"retry_after_secs", secs}});
}

void LoginThrottle::count_failure(std::string key, std::chrono::steady_clock::time_point now) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.failures < UINT32_MAX) ++it->second.failures;
    return;
  }
  while (!order_.empty() && entries_.size() >= options_.max_tracked_keys) {
    if (auto oldest = entries_.find(order_.front()); oldest != entries_.end()) {
      erase(oldest);
    } else {
      order_.pop_front();
    }
  }
  order_.push_back(key);
  entries_.emplace(std::move(key), Entry{now, 1, std::prev(order_.end())});
}

void LoginThrottle::record_failure(std::string_view email, std::string_view ip) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  sweep(now);
  count_failure("a:" + account_key(email), now);
  count_failure("i:" + client_key(ip), now);
}

void LoginThrottle::record_success(std::string_view email) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find("a:" + account_key(email)); it != entries_.end()) erase(it);
}

std::size_t LoginThrottle::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace pierre::auth
