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

TEST(EventStream, OfferQueuesWithinTheBoundRefusesBeyondItAndSharesTheChunk) {
  EventStream one;
  EventStream two;
  const auto chunk = std::make_shared<const std::string>(100, 'x');
  EXPECT_EQ(one.offer(chunk, 150), EventStream::Offer::queued);
  EXPECT_EQ(two.offer(chunk, 150), EventStream::Offer::queued);
  EXPECT_EQ(chunk.use_count(), 3);                             // queued twice, copied never
  EXPECT_EQ(one.offer(chunk, 150), EventStream::Offer::full);  // 100 queued + 100 > 150
  EXPECT_EQ(one.pending_bytes(), 100U);
  EXPECT_EQ(one.offer(chunk, 200), EventStream::Offer::queued);  // exactly at the bound is within it
  const auto drained = one.drain();
  ASSERT_EQ(drained.chunks.size(), 2U);
  EXPECT_EQ(drained.chunks[0].get(), chunk.get());
  one.close();
  EXPECT_EQ(one.offer(chunk, 1000), EventStream::Offer::finished);
  two.mark_client_gone();
  EXPECT_EQ(two.offer(chunk, 1000), EventStream::Offer::finished);
  EXPECT_EQ(chunk.use_count(), 3);  // what `two` held went with its client; `drained` holds two
}

TEST(EventStream, DrainIntoReusesTheVectorAndReplacesItsContents) {
  EventStream stream;
  EventStream::Drained out;
  out.chunks.push_back(std::make_shared<const std::string>("stale"));
  ASSERT_TRUE(stream.send("a"));
  ASSERT_TRUE(stream.send("b"));
  stream.drain_into(out);
  ASSERT_EQ(out.chunks.size(), 2U);
  EXPECT_EQ(*out.chunks[0], "a");
  EXPECT_EQ(*out.chunks[1], "b");
  EXPECT_FALSE(out.closed);
  stream.close();
  stream.drain_into(out);
  EXPECT_TRUE(out.chunks.empty());
  EXPECT_TRUE(out.closed);
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
