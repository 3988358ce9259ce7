// http::EventStream's queue accounting (producers bound their memory with pending_bytes()) and its wake-ups: the
// server's writer is woken once per batch, not once per chunk.

#include <gtest/gtest.h>

#include "pierre/http/stream.hpp"

namespace pierre::http {
namespace {

TEST(EventStream, PendingBytesCountsWhatIsQueuedUntilDrained) {
  EventStream stream;
  EXPECT_EQ(stream.pending_bytes(), 0U);
  ASSERT_TRUE(stream.send("abc"));
  ASSERT_TRUE(stream.send_event("x", "e"));  // "event: e\ndata: x\n\n"
  EXPECT_EQ(stream.pending_bytes(), 3U + 18U);
  const auto drained = stream.drain();
  EXPECT_EQ(drained.chunks.size(), 2U);
  EXPECT_EQ(stream.pending_bytes(), 0U);
}

TEST(EventStream, AGoneClientDropsWhatWasQueued) {
  EventStream stream;
  ASSERT_TRUE(stream.send(std::string(1000, 'x')));
  bool told = false;
  stream.on_client_gone([&] { told = true; });
  stream.mark_client_gone();
  EXPECT_TRUE(told);
  EXPECT_EQ(stream.pending_bytes(), 0U);
  EXPECT_FALSE(stream.send("more"));
  EXPECT_EQ(stream.pending_bytes(), 0U);
}

TEST(EventStream, TheWriterIsWokenWhenTheQueueStopsBeingEmptyAndOnClose) {
  EventStream stream;
  int wakes = 0;
  stream.set_waker([&] { ++wakes; });
  ASSERT_TRUE(stream.send("a"));
  ASSERT_TRUE(stream.send("b"));  // the writer has not drained yet: it will take both in one go
  ASSERT_TRUE(stream.send_event("c"));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(stream.drain().chunks.size(), 3U);
  ASSERT_TRUE(stream.send("d"));
  EXPECT_EQ(wakes, 2);
  stream.close();
  EXPECT_EQ(wakes, 3);
  stream.close();  // idempotent: no second wake-up
  EXPECT_EQ(wakes, 3);
  EXPECT_FALSE(stream.send("after close"));
  const auto last = stream.drain();
  EXPECT_EQ(last.chunks.size(), 1U);
  EXPECT_TRUE(last.closed);
}

TEST(EventStream, NoWakeUpRunsAfterTheWakerIsCleared) {
  EventStream stream;
  int wakes = 0;
  stream.set_waker([&] { ++wakes; });
  stream.set_waker(nullptr);
  ASSERT_TRUE(stream.send("a"));
  stream.close();
  EXPECT_EQ(wakes, 0);
}

}  // namespace
}  // namespace pierre::http
