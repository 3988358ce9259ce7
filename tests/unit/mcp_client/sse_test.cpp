#include "pierre/mcp_client/sse.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pierre::mcp_client {
namespace {

std::vector<SseEvent> parse_in_chunks(std::string_view stream, std::size_t chunk_size) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) { events.push_back(e); });
  for (std::size_t at = 0; at < stream.size(); at += chunk_size) parser.feed(stream.substr(at, chunk_size));
  parser.finish();
  return events;
}

TEST(SseParser, DispatchesEachEventAtItsBlankLine) {
  const auto events = parse_in_chunks(
      "event: message\ndata: {\"method\":\"notifications/progress\"}\n\n"
      "id: 7\ndata: {\"id\":1,\"result\":{}}\n\n",
      4096);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].type, "message");
  EXPECT_EQ(events[0].data, R"({"method":"notifications/progress"})");
  EXPECT_EQ(events[1].id, "7");
  EXPECT_EQ(events[1].data, R"({"id":1,"result":{}})");
}

TEST(SseParser, SameEventsWhateverTheChunkBoundaries) {
  const std::string stream =
      ": keep-alive\r\n\r\nevent: message\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\ndata:no-space\r\rdata: last\n\n";
  const auto whole = parse_in_chunks(stream, stream.size());
  ASSERT_EQ(whole.size(), 3U);
  EXPECT_EQ(whole[0].data, "{\"a\":\n1}");
  EXPECT_EQ(whole[1].data, "no-space");
  EXPECT_EQ(whole[2].data, "last");
  for (std::size_t size = 1; size < 9; ++size) {
    const auto chunked = parse_in_chunks(stream, size);
    ASSERT_EQ(chunked.size(), whole.size()) << "chunk size " << size;
    for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_EQ(chunked[i].data, whole[i].data) << "chunk size " << size;
  }
}

TEST(SseParser, CommentsAndEventsWithoutDataDispatchNothing) {
  EXPECT_TRUE(parse_in_chunks(": ping\n\nevent: noop\n\nretry: 1000\n\n", 3).empty());
}

TEST(SseParser, AnUnterminatedEventAtTheEndIsDropped) {
  const auto events = parse_in_chunks("data: complete\n\ndata: cut off", 5);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].data, "complete");
}

TEST(SseParser, EventTypeIsKeptAndResetBetweenEvents) {
  const auto events = parse_in_chunks("event: custom\ndata: x\n\ndata: y\n\n", 2);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].type, "custom");
  EXPECT_EQ(events[1].type, "message");
}

}  // namespace
}  // namespace pierre::mcp_client
