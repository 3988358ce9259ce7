#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

#include "pierre/cache/cache.hpp"

namespace pierre::cache {

// The list holds the entries in use order (front = most recently used); the index maps each key — a view of the
// key stored in its list node, which never moves — to its node.
struct MemoryCache::Impl {
  struct Entry {
    std::string key;
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  using List = std::list<Entry>;

  std::size_t max_entries;
  std::chrono::seconds cleanup_interval;
  Clock clock;

  mutable std::mutex mutex;
  List entries;
  std::unordered_map<std::string_view, List::iterator> index;
  std::chrono::steady_clock::time_point next_cleanup;
  Stats stats;

  void remove(List::iterator it) {
    index.erase(std::string_view(it->key));
    entries.erase(it);
  }

  std::size_t purge(std::chrono::steady_clock::time_point now) {
    std::size_t removed = 0;
    for (auto it = entries.begin(); it != entries.end();) {
      const auto next = std::next(it);
      if (it->expires <= now) {
        remove(it);
        ++removed;
      }
      it = next;
    }
    stats.expirations += removed;
    return removed;
  }
};

MemoryCache::MemoryCache(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->max_entries = std::max<std::size_t>(1, options.max_entries);
  impl_->cleanup_interval = options.cleanup_interval;
  impl_->clock = options.clock ? std::move(options.clock) : [] { return std::chrono::steady_clock::now(); };
  impl_->next_cleanup = impl_->clock() + impl_->cleanup_interval;
  impl_->index.reserve(std::min<std::size_t>(impl_->max_entries, 4096));
}

MemoryCache::MemoryCache(std::size_t max_entries) : MemoryCache(Options{max_entries, std::chrono::seconds(300), {}}) {}

MemoryCache::~MemoryCache() = default;

std::optional<std::string> MemoryCache::get(std::string_view key) {
  const auto now = impl_->clock();
  std::lock_guard lock(impl_->mutex);
  const auto found = impl_->index.find(key);
  if (found == impl_->index.end()) {
    ++impl_->stats.misses;
    return std::nullopt;
  }
  const auto it = found->second;
  if (it->expires <= now) {
    impl_->remove(it);
    ++impl_->stats.expirations;
    ++impl_->stats.misses;
    return std::nullopt;
  }
  impl_->entries.splice(impl_->entries.begin(), impl_->entries, it);
  ++impl_->stats.hits;
  return it->value;
}

void MemoryCache::put(std::string_view key, std::string value, std::chrono::milliseconds ttl) {
  const auto now = impl_->clock();
  std::lock_guard lock(impl_->mutex);
  if (impl_->cleanup_interval.count() > 0 && now >= impl_->next_cleanup) {
    impl_->purge(now);
    impl_->next_cleanup = now + impl_->cleanup_interval;
  }
  const auto found = impl_->index.find(key);
  if (ttl.count() <= 0) {
    if (found != impl_->index.end()) impl_->remove(found->second);
    return;
  }
  const auto expires = now + ttl;
  if (found != impl_->index.end()) {
    const auto it = found->second;
    it->value = std::move(value);
    it->expires = expires;
    impl_->entries.splice(impl_->entries.begin(), impl_->entries, it);
    return;
  }
  if (impl_->entries.size() >= impl_->max_entries) {
    // The least recently used goes (O(1); expired entries elsewhere wait for the periodic purge).
    const auto last = std::prev(impl_->entries.end());
    ++(last->expires <= now ? impl_->stats.expirations : impl_->stats.evictions);
    impl_->remove(last);
  }
  impl_->entries.push_front(Impl::Entry{std::string(key), std::move(value), expires});
  impl_->index.emplace(std::string_view(impl_->entries.front().key), impl_->entries.begin());
}

bool MemoryCache::erase(std::string_view key) {
  std::lock_guard lock(impl_->mutex);
  const auto found = impl_->index.find(key);
  if (found == impl_->index.end()) return false;
  impl_->remove(found->second);
  return true;
}

std::size_t MemoryCache::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->entries.size();
}

std::size_t MemoryCache::purge_expired() {
  const auto now = impl_->clock();
  std::lock_guard lock(impl_->mutex);
  return impl_->purge(now);
}

std::size_t MemoryCache::max_entries() const noexcept {
  return impl_->max_entries;
}

Stats MemoryCache::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace pierre::cache
