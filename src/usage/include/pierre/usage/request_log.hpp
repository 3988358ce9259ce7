#pragma once
// usage::RequestLog — what the server did, for the dashboard: every authenticated request (MCP tool call, A2A, REST)
// becomes one Record, which is
//   * kept in a small in-memory ring (the last kRecent records) and handed at once to live subscribers (the
//     dashboard's live-requests stream), and
//   * queued and written to the `request_log` table (migration 010) in batches by a background thread, every
//     `flush_interval` or sooner when `batch_size` records wait, so a request never waits for a database write.
// The same thread deletes rows older than `retention` once an hour.
//
// A Record holds no personal data: user and API-key ids, never emails; route patterns, never concrete paths or query
// strings (see 010_request_log.sql). Records without a tenant (anonymous callers) are not kept.
//
// Threads: record() and subscribe()/unsubscribe() are safe from any thread; subscribers are called on the recording
// thread, under no lock of the caller, and must not block (queue and return).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"

namespace pierre::usage {

struct Record {
  std::int64_t at_ms = 0;
  std::string tenant_id;
  std::string user_id;
  std::string api_key_id;  // empty unless an API key authenticated the request
  std::string kind;        // "mcp" | "a2a" | "rest"
  std::string name;        // tool name, MCP method or route pattern
  int status = 0;
  std::int64_t latency_us = 0;
};

// Who may see a record: the super-admin everything, an admin their tenant, anyone else their own requests.
struct Viewer {
  std::string tenant_id;
  std::string user_id;
  std::string role;
  [[nodiscard]] bool may_see(const Record& r) const noexcept;
};

class RequestLog {
 public:
  struct Options {
    std::chrono::milliseconds flush_interval{500};
    std::size_t batch_size = 256;
    // Records waiting beyond this are dropped (counted, logged once per flush): a slow database never grows memory.
    std::size_t max_pending = 50'000;
    std::chrono::hours retention{24 * 30};
    // Live subscriptions (each is an open stream): per user and in all.
    std::size_t max_subscribers_per_user = 8;
    std::size_t max_subscribers = 1'000;
  };
  static constexpr std::size_t kRecent = 200;

  // Returns false when it wants no more records (its stream is gone): the subscription ends.
  using Subscriber = std::function<bool(const Record&)>;

  RequestLog(store::Database& db, Options options);
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;
  // Stops the thread after a last flush.
  ~RequestLog();

  void start();
  void stop();

  void record(Record r);
  // Writes what is queued now (tests, shutdown). Returns the first write error.
  Result<void> flush();
  // Deletes rows older than the retention (also run hourly by the thread). Returns rows deleted.
  Result<std::int64_t> purge_expired();

  // The most recent records `viewer` may see, oldest first, at most `limit`.
  [[nodiscard]] std::vector<Record> recent(const Viewer& viewer, std::size_t limit) const;
  // Every record from now on that `viewer` may see goes to `subscriber`; `on_end` runs if end_subscriptions() ends
  // the subscription first (server shutdown). RATE_LIMIT_EXCEEDED when the viewer already has
  // max_subscribers_per_user, RESOURCE_UNAVAILABLE beyond max_subscribers.
  Result<std::uint64_t> subscribe(Viewer viewer, Subscriber subscriber, std::function<void()> on_end = {});
  void unsubscribe(std::uint64_t id);
  // Ends every subscription (each on_end runs once), e.g. so that live streams close on shutdown.
  void end_subscriptions();

 private:
  void run();

  store::Database& db_;
  Options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Record> pending_;
  std::size_t dropped_ = 0;
  std::deque<Record> recent_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex write_mutex_;  // one flush at a time

  std::mutex subscribers_mutex_;
  std::uint64_t next_subscriber_ = 1;
  struct Subscription {
    Viewer viewer;
    std::shared_ptr<Subscriber> deliver;
    std::function<void()> on_end;
  };
  std::map<std::uint64_t, Subscription> subscribers_;
};

}  // namespace pierre::usage
