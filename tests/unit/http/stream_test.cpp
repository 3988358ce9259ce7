// http::EventStream's queue accounting: producers bound their memory with pending_bytes().

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

}  // namespace
}  // namespace pierre::http
