#pragma once
// The in-process event hub: what happened for a user (oauth_complete, sync_progress, sync_complete…), published by
// the flows that know and delivered to whoever listens (the SSE notification stream, tests). Subscribers are called
// synchronously on the publisher's thread and must not block: a stream subscriber queues and returns. The interface
// is small on purpose so a Redis fan-out between server processes can implement it later.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace pierre::events {

struct Event {
  std::string tenant_id;
  std::string user_id;
  std::string type;  // "oauth_complete", "oauth_error", "sync_progress", "sync_complete", "sync_error"…
  nlohmann::json data;
  std::uint64_t sequence = 0;  // assigned by the hub, increasing
  std::int64_t at_ms = 0;      // assigned by the hub
};

class Hub {
 public:
  using Subscriber = std::function<void(const Event&)>;

  virtual ~Hub() = default;
  virtual void publish(Event event) = 0;
  // Receives every event published after this call; returns an id for unsubscribe.
  virtual std::uint64_t subscribe(Subscriber subscriber) = 0;
  // An event being delivered concurrently may still reach the subscriber once after this returns, so a subscriber
  // must own (e.g. by shared_ptr) whatever it touches.
  virtual void unsubscribe(std::uint64_t id) = 0;
};

class LocalHub final : public Hub {
 public:
  void publish(Event event) override;
  std::uint64_t subscribe(Subscriber subscriber) override;
  void unsubscribe(std::uint64_t id) override;

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::uint64_t sequence_ = 0;
  std::map<std::uint64_t, Subscriber> subscribers_;
};

}  // namespace pierre::events
