#include "pierre/notify/broker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

namespace pierre::notify {

namespace {

using TimePoint = std::chrono::steady_clock::time_point;

constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

std::string owner_key(std::string_view tenant_id, std::string_view user_id) {
  std::string key;
  key.reserve(tenant_id.size() + user_id.size() + 1);
  // Ids never contain NUL, so the pair cannot be confused with another.
  key.append(tenant_id).push_back('\0');
  key.append(user_id);
  return key;
}

struct Buffered {
  std::uint64_t id = 0;
  TimePoint at;
  http::Chunk frame;  // one string shared by every stream it is queued on, and by replays
};

struct Subscriber {
  std::shared_ptr<http::EventStream> stream;
  TimePoint opened;
};

struct UserState {
  std::deque<Buffered> buffer;
  // The highest id this user can no longer replay (dropped from the buffer, or unknown): a Last-Event-ID below it
  // has missed something.
  std::uint64_t evicted_through = 0;
  std::unordered_map<std::uint64_t, Subscriber> streams;
};

}  // namespace

std::string format_event(std::uint64_t id, std::string_view type, const nlohmann::json& data) {
  // dump() escapes control characters, so the JSON is one line and one `data:` field carries it.
  if (id == 0) return fmt::format("event: {}\ndata: {}\n\n", type, data.dump());
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", id, type, data.dump());
}

struct Broker::State {
  BrokerOptions options;
  Clock clock;

  mutable std::mutex mutex;
  std::unordered_map<std::string, UserState> users;
  std::uint64_t sequence = 0;
  // evicted_through of user states dropped from the map (nothing buffered, nobody listening): a user that comes back
  // starts from here, so replay never claims to be complete when it cannot know.
  std::uint64_t forgotten_through = 0;
  std::size_t stream_count = 0;
  std::uint64_t next_stream_key = 1;
  std::uint64_t delivered = 0;
  std::uint64_t lagged_streams = 0;
  bool closing = false;

  std::mutex sweeper_mutex;
  std::condition_variable sweeper_wake;
  bool sweeper_stopping = false;
  std::thread sweeper;

  State(BrokerOptions o, Clock c) : options(std::move(o)), clock(std::move(c)) {
    if (!clock) clock = [] { return std::chrono::steady_clock::now(); };
  }

  UserState& user_locked(const std::string& key) {
    auto [it, created] = users.try_emplace(key);
    if (created) it->second.evicted_through = forgotten_through;
    return it->second;
  }

  void trim_locked(UserState& user, TimePoint now) {
    while (!user.buffer.empty() &&
           (user.buffer.size() > options.replay_events || now - user.buffer.front().at > options.replay_max_age)) {
      user.evicted_through = user.buffer.front().id;
      user.buffer.pop_front();
    }
  }

  // Queues `frame` unless the client is too far behind; false when the stream is finished and must be forgotten.
  bool deliver_locked(Subscriber& subscriber, const http::Chunk& frame, std::uint64_t last_id_before) {
    auto& stream = *subscriber.stream;
    switch (stream.offer(frame, options.max_queued_bytes)) {
      case http::EventStream::Offer::queued: ++delivered; return true;
      case http::EventStream::Offer::finished: return false;
      case http::EventStream::Offer::full: break;
    }
    // The notice goes past the bound on purpose (it is small and the last thing this stream carries): the client
    // learns why the stream ended and reconnects with Last-Event-ID.
    stream.send(format_event(0, "lagged", {{"reason", "slow_consumer"}, {"last_event_id", last_id_before}}));
    stream.close();
    ++lagged_streams;
    return false;
  }

  void publish(const events::Event& event) {
    if (event.user_id.empty()) return;  // not addressed to a user: nothing to stream
    const auto key = owner_key(event.tenant_id, event.user_id);
    const auto now = clock();
    const std::lock_guard lock(mutex);
    const auto last_id_before = sequence;
    const auto id = ++sequence;
    auto& user = user_locked(key);
    user.buffer.push_back({id, now, std::make_shared<const std::string>(format_event(id, event.type, event.data))});
    trim_locked(user, now);
    const auto& frame = user.buffer.back().frame;
    for (auto it = user.streams.begin(); it != user.streams.end();) {
      if (deliver_locked(it->second, frame, last_id_before)) {
        ++it;
      } else {
        it = user.streams.erase(it);
        --stream_count;
      }
    }
  }

  void forget_stream(const std::string& key, std::uint64_t stream_key) {
    const std::lock_guard lock(mutex);
    const auto user = users.find(key);
    if (user == users.end()) return;
    if (user->second.streams.erase(stream_key) > 0) --stream_count;
  }

  void sweep() {
    const auto now = clock();
    const auto keep_alive = std::make_shared<const std::string>(kKeepAlive);
    const std::lock_guard lock(mutex);
    for (auto user = users.begin(); user != users.end();) {
      auto& state = user->second;
      trim_locked(state, now);
      for (auto it = state.streams.begin(); it != state.streams.end();) {
        auto& stream = *it->second.stream;
        bool keep = true;
        if (now - it->second.opened >= options.max_lifetime) {
          stream.close();  // EventSource reconnects by itself, with Last-Event-ID
          keep = false;
        } else if (stream.pending_bytes() == 0) {
          // Only when nothing waits: a stream with queued bytes is not idle, and a stuck one must not grow.
          keep = stream.send(keep_alive);
        } else {
          keep = !stream.client_gone();
        }
        if (keep) {
          ++it;
        } else {
          it = state.streams.erase(it);
          --stream_count;
        }
      }
      if (state.buffer.empty() && state.streams.empty()) {
        forgotten_through = std::max(forgotten_through, state.evicted_through);
        user = users.erase(user);
      } else {
        ++user;
      }
    }
  }
};

Broker::Broker(events::Hub& hub, BrokerOptions options, Clock clock)
    : state_(std::make_shared<State>(std::move(options), std::move(clock))), hub_(hub) {
  // The hub may still call a subscriber once after unsubscribe: the callback owns the state it touches.
  subscription_ = hub_.subscribe([state = state_](const events::Event& event) { state->publish(event); });
}

Broker::~Broker() {
  hub_.unsubscribe(subscription_);
  stop();
  close_all();
}

void Broker::start() {
  const std::lock_guard lock(state_->sweeper_mutex);
  if (state_->sweeper.joinable()) return;
  state_->sweeper_stopping = false;
  state_->sweeper = std::thread([state = state_] {
    std::unique_lock sleeping(state->sweeper_mutex);
    while (!state->sweeper_stopping) {
      state->sweeper_wake.wait_for(sleeping, state->options.heartbeat, [&] { return state->sweeper_stopping; });
      if (state->sweeper_stopping) break;
      sleeping.unlock();
      state->sweep();
      sleeping.lock();
    }
  });
}

void Broker::stop() {
  std::thread sweeper;
  {
    const std::lock_guard lock(state_->sweeper_mutex);
    state_->sweeper_stopping = true;
    sweeper = std::move(state_->sweeper);
  }
  state_->sweeper_wake.notify_all();
  if (sweeper.joinable()) sweeper.join();
}

void Broker::sweep() {
  state_->sweep();
}

Result<void> Broker::attach(const std::shared_ptr<http::EventStream>& stream, const StreamOwner& owner,
                            std::optional<std::uint64_t> last_event_id) {
  auto& s = *state_;
  const auto key = owner_key(owner.tenant_id, owner.user_id);
  std::uint64_t stream_key = 0;
  {
    const std::lock_guard lock(s.mutex);
    if (s.closing) return fail(ErrorCode::resource_unavailable, "the server is shutting down; reconnect shortly");
    if (s.stream_count >= s.options.max_streams) {
      return fail(ErrorCode::resource_unavailable, "too many notification streams are open; retry later",
                  {{"max_streams", s.options.max_streams}});
    }
    auto& user = s.user_locked(key);
    if (user.streams.size() >= s.options.max_streams_per_user) {
      return fail(ErrorCode::rate_limit_exceeded,
                  fmt::format("at most {} notification streams may be open per user; close one first",
                              s.options.max_streams_per_user),
                  {{"max_streams_per_user", s.options.max_streams_per_user}});
    }
    s.trim_locked(user, s.clock());
    stream->send(fmt::format("retry: {}\n\n", s.options.reconnect_delay.count()));
    if (last_event_id) {
      // Ids restart with the process, so one above the current sequence comes from before a restart.
      const bool gap = *last_event_id < user.evicted_through || *last_event_id > s.sequence;
      if (gap) {
        stream->send(format_event(0, "lagged", {{"reason", "replay_unavailable"}, {"last_event_id", *last_event_id}}));
      }
      for (const auto& event : user.buffer) {
        if (gap || event.id > *last_event_id) stream->send(event.frame);
      }
    }
    stream_key = s.next_stream_key++;
    user.streams.emplace(stream_key, Subscriber{stream, s.clock()});
    ++s.stream_count;
  }
  // Outside the lock: the callback runs at once when the client is already gone, and it takes the lock.
  stream->on_client_gone([weak = std::weak_ptr<State>(state_), key, stream_key] {
    if (auto state = weak.lock()) state->forget_stream(key, stream_key);
  });
  return {};
}

void Broker::broadcast(std::string_view type, const nlohmann::json& data) {
  auto& s = *state_;
  const auto frame = std::make_shared<const std::string>(format_event(0, type, data));
  const std::lock_guard lock(s.mutex);
  for (auto& [key, user] : s.users) {
    for (auto it = user.streams.begin(); it != user.streams.end();) {
      if (s.deliver_locked(it->second, frame, s.sequence)) {
        ++it;
      } else {
        it = user.streams.erase(it);
        --s.stream_count;
      }
    }
  }
}

void Broker::close_all() {
  auto& s = *state_;
  const std::lock_guard lock(s.mutex);
  s.closing = true;
  for (auto& [key, user] : s.users) {
    for (auto& [stream_key, subscriber] : user.streams) subscriber.stream->close();
    user.streams.clear();
  }
  s.stream_count = 0;
}

BrokerStats Broker::stats() const {
  const auto& s = *state_;
  const std::lock_guard lock(s.mutex);
  return {s.stream_count, s.users.size(), s.delivered, s.lagged_streams, s.sequence};
}

}  // namespace pierre::notify
