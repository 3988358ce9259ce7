#pragma once
// cache — short-lived copies of things that are expensive to fetch again (weather, provider responses), as string
// keys → string values with a time to live. `Cache` is the interface the rest of the server sees, so a Redis-backed
// cache (shared by several instances) can replace the in-process one without touching callers; both are
// best-effort: a failure to read is a miss and a failure to write is ignored, never an error for the caller.
//
// MemoryCache: one process, bounded by `max_entries`, least-recently-used entry evicted first (a doubly-linked list in
// use order plus a hash index: get/put/erase are O(1)). An entry past its expiry is never returned: get() checks it
// and drops it. Expired entries nobody asks for again are removed by purge_expired(), which put() also runs itself
// once every `cleanup_interval`, so no background thread is needed. All members are thread-safe (one mutex; every
// operation is short).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pierre::cache {

class Cache {
 public:
  virtual ~Cache() = default;
  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // The value, or nullopt when absent or expired.
  virtual std::optional<std::string> get(std::string_view key) = 0;
  // Stores (or replaces) `key` for `ttl`; a ttl ≤ 0 stores nothing (and removes an existing entry).
  virtual void put(std::string_view key, std::string value, std::chrono::milliseconds ttl) = 0;
  // True when an entry was removed.
  virtual bool erase(std::string_view key) = 0;
  // Entries held now, expired ones not yet purged included.
  [[nodiscard]] virtual std::size_t size() const = 0;
  // Removes every expired entry; returns how many.
  virtual std::size_t purge_expired() = 0;
};

struct Stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;       // absent or expired
  std::uint64_t evictions = 0;    // removed to make room (LRU)
  std::uint64_t expirations = 0;  // removed because expired (by get or purge)
};

class MemoryCache final : public Cache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Options {
    std::size_t max_entries = 10'000;            // ≥ 1 (0 is treated as 1)
    std::chrono::seconds cleanup_interval{300};  // put() purges expired entries this often; 0 = never
    Clock clock;                                 // empty = std::chrono::steady_clock::now (tests inject)
  };

  explicit MemoryCache(Options options);
  explicit MemoryCache(std::size_t max_entries);
  ~MemoryCache() override;

  std::optional<std::string> get(std::string_view key) override;
  void put(std::string_view key, std::string value, std::chrono::milliseconds ttl) override;
  bool erase(std::string_view key) override;
  [[nodiscard]] std::size_t size() const override;
  std::size_t purge_expired() override;

  [[nodiscard]] std::size_t max_entries() const noexcept;
  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::cache
