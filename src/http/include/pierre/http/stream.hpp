#pragma once
// A response body produced over time (Server-Sent Events). A handler that wants to stream calls
// RequestContext::open_stream(), returns the response head (status + headers; its body is ignored), and then sends
// chunks from any thread. The server writes them as they come with chunked transfer encoding, and tells the
// producer when the client goes away (which MCP treats as cancellation).

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pierre::http {

// One piece of a body, immutable once queued. Shared: an event sent to ten thousand streams is one string, not ten
// thousand copies, and the server writes it to each socket straight from there.
using Chunk = std::shared_ptr<const std::string>;

class EventStream {
 public:
  EventStream() = default;
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Queues bytes for the client. Returns false (and drops them) once the stream is closed or the client is gone.
  bool send(std::string bytes);
  bool send(Chunk chunk);
  // Formats one SSE event: `event: <event>\n` (when not empty), `data: <line>\n` per line, blank line.
  bool send_event(std::string_view data, std::string_view event = "message");
  // send() for a producer that bounds the memory a slow reader may hold: refused (`full`) when the bytes already
  // queued plus this chunk would exceed `max_pending_bytes`. One lock for the check and the queueing.
  enum class Offer { queued, full, finished };
  Offer offer(Chunk chunk, std::size_t max_pending_bytes);
  // Ends the response after everything queued has been written. Idempotent.
  void close();
  // Called once, from a server thread, when the client disconnects before close(); runs at once if it already has.
  void on_client_gone(std::function<void()> callback);
  [[nodiscard]] bool client_gone() const;
  // Bytes queued and not yet handed to the server for writing.
  [[nodiscard]] std::size_t pending_bytes() const;

  // ---- server side ----
  // Whether drain() would give the writer something to do: queued bytes, or the end of the body to write.
  [[nodiscard]] bool has_work() const;

  struct Drained {
    std::vector<Chunk> chunks;
    bool closed = false;
  };
  Drained drain();
  // The same into `out` (its chunks replaced), so a writer that drains often reuses one vector.
  void drain_into(Drained& out);
  // Invoked from the producer's thread when the queue goes from empty to non-empty and on close(), with this
  // stream's lock held: the waker must only hand the news on (never call back into the stream). Holding the lock is
  // what lets set_waker(nullptr) guarantee that no wake-up runs after it returns.
  void set_waker(std::function<void()> waker);
  void mark_client_gone();

 private:
  bool enqueue_locked(Chunk chunk);

  mutable std::mutex mutex_;
  std::deque<Chunk> pending_;
  std::size_t pending_bytes_ = 0;
  bool closed_ = false;
  bool gone_ = false;
  std::function<void()> waker_;
  std::function<void()> gone_callback_;
};

}  // namespace pierre::http
