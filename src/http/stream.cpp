#include "pierre/http/stream.hpp"

namespace pierre::http {

bool EventStream::enqueue_locked(Chunk chunk) {
  if (closed_ || gone_) return false;
  // Only the first chunk after a drain wakes the writer: it takes everything queued by then in one go, so an event
  // published to ten thousand streams costs one hand-off each, and a burst to one stream costs one.
  const bool was_empty = pending_.empty();
  pending_bytes_ += chunk->size();
  pending_.push_back(std::move(chunk));
  if (was_empty && waker_) waker_();
  return true;
}

bool EventStream::send(Chunk chunk) {
  if (!chunk) return true;
  std::lock_guard lock(mutex_);
  return enqueue_locked(std::move(chunk));
}

bool EventStream::send(std::string bytes) {
  return send(std::make_shared<const std::string>(std::move(bytes)));
}

EventStream::Offer EventStream::offer(Chunk chunk, std::size_t max_pending_bytes) {
  std::lock_guard lock(mutex_);
  if (closed_ || gone_) return Offer::finished;
  if (chunk && pending_bytes_ + chunk->size() > max_pending_bytes) return Offer::full;
  if (chunk) enqueue_locked(std::move(chunk));
  return Offer::queued;
}

bool EventStream::send_event(std::string_view data, std::string_view event) {
  std::string out;
  out.reserve(data.size() + event.size() + 16);
  if (!event.empty()) {
    out.append("event: ").append(event).append("\n");
  }
  // A newline inside data would end the field; SSE splits multi-line data into several data: lines.
  std::size_t start = 0;
  while (true) {
    const auto nl = data.find('\n', start);
    out.append("data: ").append(data.substr(start, nl == std::string_view::npos ? nl : nl - start)).append("\n");
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.append("\n");
  return send(std::move(out));
}

void EventStream::close() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  if (waker_) waker_();
}

void EventStream::on_client_gone(std::function<void()> callback) {
  bool run_now = false;
  {
    std::lock_guard lock(mutex_);
    if (gone_) {
      run_now = true;
    } else {
      gone_callback_ = std::move(callback);
    }
  }
  if (run_now && callback) callback();
}

bool EventStream::client_gone() const {
  std::lock_guard lock(mutex_);
  return gone_;
}

std::size_t EventStream::pending_bytes() const {
  std::lock_guard lock(mutex_);
  return pending_bytes_;
}

bool EventStream::has_work() const {
  std::lock_guard lock(mutex_);
  return !pending_.empty() || (closed_ && !gone_);
}

EventStream::Drained EventStream::drain() {
  Drained out;
  drain_into(out);
  return out;
}

void EventStream::drain_into(Drained& out) {
  std::lock_guard lock(mutex_);
  out.chunks.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  pending_.clear();
  pending_bytes_ = 0;
  out.closed = closed_;
}

void EventStream::set_waker(std::function<void()> waker) {
  std::lock_guard lock(mutex_);
  waker_ = std::move(waker);
}

void EventStream::mark_client_gone() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    if (gone_ || closed_) return;
    gone_ = true;
    pending_.clear();
    pending_bytes_ = 0;
    callback = std::move(gone_callback_);
    waker_ = nullptr;
  }
  if (callback) callback();
}

}  // namespace pierre::http
