#pragma once
// The notification broker: turns the events of the in-process events::Hub into Server-Sent Events on the streams of
// the user each event belongs to (WHATWG HTML, "Server-sent events": `id:`, `event:`, `data:` fields, comments for
// keep-alive, `retry:` for the reconnection delay, `Last-Event-ID` on reconnection).
//
//   - Per (tenant, user): a replay buffer of the last `replay_events` events no older than `replay_max_age`, so a
//     client that reconnects with Last-Event-ID gets exactly what it missed. Older than the buffer → one `lagged`
//     event (reason "replay_unavailable") first: the client should refetch its state.
//   - Ids: the broker numbers the events it delivers, under the same lock that appends them to the buffers and
//     queues them on the streams, so ids always increase in the order a stream receives them (the hub's own sequence
//     may reach subscribers out of order when two threads publish at once). They restart with the process: an id
//     from the future is treated as "older than the buffer".
//   - Publishing never waits for a client: a stream whose unsent bytes exceed `max_queued_bytes` gets one `lagged`
//     event (reason "slow_consumer") and is closed, so its memory is bounded; the client reconnects with its
//     Last-Event-ID and is replayed from the buffer.
//   - Limits: streams per user and in all (429 / 503 for the caller), a keep-alive comment every `heartbeat`, and a
//     maximum lifetime after which a stream is closed (EventSource reconnects by itself).
//
// Thread-safe. Events are delivered on the publisher's thread; heartbeats and lifetimes on the broker's own thread
// (start()/stop()), or by calling sweep() (tests).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/core/events.hpp"
#include "pierre/http/stream.hpp"

namespace pierre::notify {

struct BrokerOptions {
  std::size_t replay_events = 256;
  std::chrono::seconds replay_max_age{3600};
  std::size_t max_queued_bytes = 256 * 1024;
  std::chrono::milliseconds heartbeat{15'000};
  std::chrono::seconds max_lifetime{3600};
  std::size_t max_streams_per_user = 8;
  std::size_t max_streams = 10'000;
  // Sent once at the start of every stream as `retry:`: how long EventSource waits before reconnecting.
  std::chrono::milliseconds reconnect_delay{3000};
};

struct StreamOwner {
  std::string tenant_id;
  std::string user_id;
};

struct BrokerStats {
  std::size_t streams = 0;
  std::size_t users_buffered = 0;
  std::uint64_t delivered = 0;       // events queued on streams
  std::uint64_t lagged_streams = 0;  // streams closed because their client read too slowly
  std::uint64_t last_event_id = 0;
};

class Broker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Subscribes to `hub` at once; `hub` must outlive the broker.
  Broker(events::Hub& hub, BrokerOptions options, Clock clock = {});
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Starts / stops the thread that sends keep-alive comments and ends streams past their lifetime.
  void start();
  void stop();
  // One round of that thread's work.
  void sweep();

  // Adds a stream for `owner`: writes `retry:`, replays the buffered events after `last_event_id` (when given), then
  // delivers live events until the client goes away or the stream is closed. RATE_LIMIT_EXCEEDED when the owner has
  // max_streams_per_user open, RESOURCE_UNAVAILABLE when the server has max_streams (nothing is written then).
  Result<void> attach(const std::shared_ptr<http::EventStream>& stream, const StreamOwner& owner,
                      std::optional<std::uint64_t> last_event_id);

  // Sends `type` with `data` to every open stream (not buffered: it concerns the server, not a user's history),
  // e.g. system_status when the server stops.
  void broadcast(std::string_view type, const nlohmann::json& data);
  // Ends every stream after what is queued (server shutdown); later attach() calls are refused.
  void close_all();

  [[nodiscard]] BrokerStats stats() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  events::Hub& hub_;
  std::uint64_t subscription_ = 0;
};

// `id: <id>\nevent: <type>\ndata: <json>\n\n` (no id line when id is 0). JSON text has no raw newline, so one data
// line carries it.
std::string format_event(std::uint64_t id, std::string_view type, const nlohmann::json& data);

}  // namespace pierre::notify
