// notify::Broker over a real events::LocalHub and real http::EventStreams (drained here as the server would):
// per-user routing, replay after Last-Event-ID, the bounded replay buffer, slow consumers, limits, heartbeats.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "pierre/core/events.hpp"
#include "pierre/notify/broker.hpp"

namespace pierre::notify {
namespace {

using namespace std::chrono_literals;

struct SseEvent {
  std::optional<std::uint64_t> id;
  std::string type;
  nlohmann::json data;
};

struct Parsed {
  std::vector<SseEvent> events;
  int comments = 0;
  std::optional<long> retry;
  bool closed = false;
};

// What a client would read so far, parsed by the field rules of WHATWG HTML §9.2.6 (enough of them for our output).
Parsed read_stream(http::EventStream& stream) {
  const auto drained = stream.drain();
  std::string text;
  for (const auto& chunk : drained.chunks) text += *chunk;
  Parsed out;
  out.closed = drained.closed;
  SseEvent current;
  std::string data;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const auto line = text.substr(at, end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    if (line.empty()) {
      if (!data.empty()) {
        current.data = nlohmann::json::parse(data);
        out.events.push_back(current);
      }
      current = {};
      data.clear();
    } else if (line.starts_with(":")) {
      ++out.comments;
    } else if (line.starts_with("id: ")) {
      current.id = std::stoull(line.substr(4));
    } else if (line.starts_with("event: ")) {
      current.type = line.substr(7);
    } else if (line.starts_with("data: ")) {
      data += line.substr(6);
    } else if (line.starts_with("retry: ")) {
      out.retry = std::stol(line.substr(7));
    }
  }
  return out;
}

class BrokerTest : public ::testing::Test {
 protected:
  events::LocalHub hub;
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();

  BrokerOptions options() {
    BrokerOptions o;
    o.replay_events = 4;
    o.replay_max_age = 60s;
    o.max_queued_bytes = 4096;
    o.max_lifetime = 600s;
    o.max_streams_per_user = 2;
    o.max_streams = 3;
    return o;
  }
  Broker::Clock clock() {
    return [this] { return now; };
  }

  void publish(const std::string& user, const std::string& type, int n, const std::string& tenant = "t1") {
    hub.publish({tenant, user, type, {{"n", n}}, 0, 0});
  }

  std::shared_ptr<http::EventStream> open(Broker& broker, const std::string& user,
                                          std::optional<std::uint64_t> last = {}, const std::string& tenant = "t1") {
    auto stream = std::make_shared<http::EventStream>();
    auto attached = broker.attach(stream, {tenant, user}, last);
    EXPECT_TRUE(attached.has_value()) << (attached ? "" : attached.error().message);
    return stream;
  }
};

std::vector<int> numbers(const Parsed& p) {
  std::vector<int> out;
  for (const auto& e : p.events) {
    if (e.data.contains("n")) out.push_back(e.data["n"].get<int>());
  }
  return out;
}

TEST_F(BrokerTest, DeliversAUsersEventsInOrderWithIncreasingIdsAndRetryFirst) {
  Broker broker(hub, options(), clock());
  auto stream = open(broker, "alice");
  publish("alice", "oauth_complete", 1);
  publish("alice", "sync_progress", 2);
  publish("alice", "sync_complete", 3);
  const auto got = read_stream(*stream);
  ASSERT_EQ(got.events.size(), 3U);
  EXPECT_EQ(got.retry, 3000);
  EXPECT_EQ(got.events[0].type, "oauth_complete");
  EXPECT_EQ(got.events[1].type, "sync_progress");
  EXPECT_EQ(got.events[2].type, "sync_complete");
  EXPECT_LT(*got.events[0].id, *got.events[1].id);
  EXPECT_LT(*got.events[1].id, *got.events[2].id);
}

TEST_F(BrokerTest, AnotherUsersOrTenantsStreamSeesNothing) {
  Broker broker(hub, options(), clock());
  auto alice = open(broker, "alice");
  auto bob = open(broker, "bob");
  auto alice_elsewhere = open(broker, "alice", {}, "t2");  // same user id, another tenant
  publish("alice", "oauth_complete", 1);
  publish("alice", "a2a_message", 2);
  EXPECT_EQ(numbers(read_stream(*alice)), (std::vector<int>{1, 2}));
  EXPECT_TRUE(read_stream(*bob).events.empty());
  EXPECT_TRUE(read_stream(*alice_elsewhere).events.empty());
}

TEST_F(BrokerTest, LastEventIdReplaysExactlyTheMissedEvents) {
  Broker broker(hub, options(), clock());
  auto first = open(broker, "alice");
  publish("alice", "sync_progress", 1);
  const auto seen = read_stream(*first);
  ASSERT_EQ(seen.events.size(), 1U);
  first->mark_client_gone();
  publish("alice", "sync_progress", 2);
  publish("bob", "sync_progress", 99);
  publish("alice", "sync_complete", 3);
  auto again = open(broker, "alice", seen.events[0].id);
  const auto replayed = read_stream(*again);
  EXPECT_EQ(numbers(replayed), (std::vector<int>{2, 3}));
  for (const auto& e : replayed.events) EXPECT_NE(e.type, "lagged");
  // …and it is live again afterwards.
  publish("alice", "sync_complete", 4);
  EXPECT_EQ(numbers(read_stream(*again)), (std::vector<int>{4}));
}

TEST_F(BrokerTest, AStreamWithoutLastEventIdGetsNoHistory) {
  Broker broker(hub, options(), clock());
  publish("alice", "sync_progress", 1);
  auto stream = open(broker, "alice");
  EXPECT_TRUE(read_stream(*stream).events.empty());
}

TEST_F(BrokerTest, LastEventIdOlderThanTheBufferGetsLaggedFirst) {
  Broker broker(hub, options(), clock());
  auto first = open(broker, "alice");
  publish("alice", "sync_progress", 1);
  const auto last = *read_stream(*first).events.at(0).id;
  first->mark_client_gone();
  for (int n = 2; n <= 7; ++n) publish("alice", "sync_progress", n);  // buffer keeps 4: 4..7
  auto again = open(broker, "alice", last);
  const auto got = read_stream(*again);
  ASSERT_FALSE(got.events.empty());
  EXPECT_EQ(got.events[0].type, "lagged");
  EXPECT_EQ(got.events[0].data.value("reason", ""), "replay_unavailable");
  EXPECT_FALSE(got.events[0].id.has_value());  // so the client's last id stays its last real one
  EXPECT_EQ(numbers(got), (std::vector<int>{4, 5, 6, 7}));
}

TEST_F(BrokerTest, ReplayForgetsEventsOlderThanTheMaximumAge) {
  Broker broker(hub, options(), clock());
  auto first = open(broker, "alice");
  publish("alice", "sync_progress", 1);
  const auto last = *read_stream(*first).events.at(0).id;
  first->mark_client_gone();
  publish("alice", "sync_progress", 2);
  now += 61s;
  publish("alice", "sync_progress", 3);
  auto again = open(broker, "alice", last);
  const auto got = read_stream(*again);
  ASSERT_FALSE(got.events.empty());
  EXPECT_EQ(got.events[0].type, "lagged");
  EXPECT_EQ(numbers(got), (std::vector<int>{3}));
}

TEST_F(BrokerTest, AnIdFromBeforeARestartIsTreatedAsTooOld) {
  Broker broker(hub, options(), clock());
  publish("alice", "sync_progress", 1);
  auto stream = open(broker, "alice", 12345);
  const auto got = read_stream(*stream);
  ASSERT_FALSE(got.events.empty());
  EXPECT_EQ(got.events[0].type, "lagged");
  EXPECT_EQ(numbers(got), (std::vector<int>{1}));
}

TEST_F(BrokerTest, ASlowConsumerGetsOneLaggedEventAndIsClosedWithoutHoldingMore) {
  Broker broker(hub, options(), clock());
  auto slow = open(broker, "alice");
  auto fast = open(broker, "alice");
  const std::string padding(500, 'x');
  for (int n = 1; n <= 20; ++n) {
    hub.publish({"t1", "alice", "sync_progress", {{"n", n}, {"padding", padding}}, 0, 0});
    (void)read_stream(*fast);  // this one keeps up
    EXPECT_LE(slow->pending_bytes(), 4096U + 200U);
  }
  const auto got = read_stream(*slow);
  EXPECT_TRUE(got.closed);
  ASSERT_FALSE(got.events.empty());
  EXPECT_EQ(got.events.back().type, "lagged");
  EXPECT_EQ(got.events.back().data.value("reason", ""), "slow_consumer");
  EXPECT_EQ(got.events.back().data.value("last_event_id", 0ULL), *got.events[got.events.size() - 2].id);
  EXPECT_LT(got.events.size(), 20U);
  EXPECT_EQ(broker.stats().lagged_streams, 1U);
  EXPECT_EQ(broker.stats().streams, 1U);
  // The slow client reconnects with the last id it got and is replayed what the buffer holds.
  auto again = open(broker, "alice", *got.events[got.events.size() - 2].id);
  const auto replay = read_stream(*again);
  ASSERT_FALSE(replay.events.empty());
  EXPECT_EQ(replay.events.back().data.value("n", 0), 20);
}

TEST_F(BrokerTest, StreamLimitsPerUserAndInTotal) {
  Broker broker(hub, options(), clock());
  auto a1 = open(broker, "alice");
  auto a2 = open(broker, "alice");
  auto third = std::make_shared<http::EventStream>();
  auto refused = broker.attach(third, {"t1", "alice"}, {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::rate_limit_exceeded);
  EXPECT_EQ(third->pending_bytes(), 0U);  // nothing written to a refused stream
  auto b1 = open(broker, "bob");
  auto full = broker.attach(std::make_shared<http::EventStream>(), {"t1", "carol"}, {});
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code, ErrorCode::resource_unavailable);
  // A client that goes away frees its place.
  a1->mark_client_gone();
  EXPECT_TRUE(broker.attach(std::make_shared<http::EventStream>(), {"t1", "alice"}, {}).has_value());
}

TEST_F(BrokerTest, SweepSendsKeepAliveAndEndsStreamsPastTheirLifetime) {
  Broker broker(hub, options(), clock());
  auto stream = open(broker, "alice");
  (void)read_stream(*stream);
  broker.sweep();
  auto got = read_stream(*stream);
  EXPECT_EQ(got.comments, 1);
  EXPECT_FALSE(got.closed);
  now += 601s;
  broker.sweep();
  got = read_stream(*stream);
  EXPECT_TRUE(got.closed);
  EXPECT_EQ(broker.stats().streams, 0U);
}

TEST_F(BrokerTest, BroadcastReachesEveryStreamAndCloseAllEndsThem) {
  Broker broker(hub, options(), clock());
  auto alice = open(broker, "alice");
  auto bob = open(broker, "bob");
  broker.broadcast("system_status", {{"status", "shutting_down"}});
  broker.close_all();
  for (auto* s : {alice.get(), bob.get()}) {
    const auto got = read_stream(*s);
    ASSERT_EQ(got.events.size(), 1U);
    EXPECT_EQ(got.events[0].type, "system_status");
    EXPECT_TRUE(got.closed);
  }
  auto late = broker.attach(std::make_shared<http::EventStream>(), {"t1", "alice"}, {});
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::resource_unavailable);
}

TEST_F(BrokerTest, TheBrokerStopsListeningWhenDestroyed) {
  std::shared_ptr<http::EventStream> stream;
  {
    Broker broker(hub, options(), clock());
    stream = open(broker, "alice");
  }
  publish("alice", "sync_progress", 1);
  EXPECT_TRUE(read_stream(*stream).events.empty());
}

TEST(FormatEvent, OneDataLineEvenForMultiLineText) {
  const auto frame = format_event(7, "sync_error", {{"message", "line one\nline two"}});
  EXPECT_EQ(frame, "id: 7\nevent: sync_error\ndata: {\"message\":\"line one\\nline two\"}\n\n");
}

}  // namespace
}  // namespace pierre::notify
