// Streamed responses through the real http::Server on loopback (in process): the body arrives whole and in order
// whether the worker writes it directly (the client keeps up) or the socket fills and the rest waits for the
// connection's coroutine (a client that does not read for a while), one event published to many streams reaches every
// one of them, and a client that goes away is noticed. Responses are decoded with Beast's parser, not by hand.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pierre/http/server.hpp"

namespace pierre::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// The streams the route opened, for the test to feed.
struct OpenStreams {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::shared_ptr<EventStream>> streams;

  void add(std::shared_ptr<EventStream> stream) {
    {
      const std::lock_guard lock(mutex);
      streams.push_back(std::move(stream));
    }
    changed.notify_all();
  }
  // Waits (10 s at most) until `n` streams are open; returns them.
  std::vector<std::shared_ptr<EventStream>> wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 10s, [&] { return streams.size() >= n; });
    return streams;
  }
};

class ServerStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(Method::get, "/stream", [this](const Request& req, RequestContext& ctx) {
      open_.add(ctx.open_stream());
      Response res{Status::ok, req.version()};
      res.set(beast::http::field::content_type, "text/event-stream");
      return res;
    });
    server_ = std::make_unique<Server>(ServerOptions{"127.0.0.1", 0, 2, {}}, router_, metrics_);
    ASSERT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    for (auto& stream : open_.wait_for(0)) stream->close();
    server_->stop();
    thread_.join();
  }

  // A connected client that has sent GET /stream.
  std::unique_ptr<tcp::socket> open_client() {
    auto socket = std::make_unique<tcp::socket>(io_);
    socket->connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    const std::string request = "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    asio::write(*socket, asio::buffer(request));
    return socket;
  }

  // Everything until the server closes the connection, decoded (chunked transfer coding undone by Beast).
  // `raw` holds what the test already read of the response.
  static std::string read_body(tcp::socket& socket, std::string raw = {}) {
    beast::error_code ec;
    asio::read(socket, asio::dynamic_buffer(raw), ec);
    EXPECT_EQ(ec, asio::error::eof) << ec.message();
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64U * 1024 * 1024);
    parser.eager(true);
    const auto used = parser.put(asio::buffer(raw), ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(parser.is_done());
    EXPECT_EQ(used, raw.size());
    EXPECT_EQ(parser.get().result_int(), 200);
    return parser.get().body();
  }

  Router router_;
  Metrics metrics_{"test"};
  OpenStreams open_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  asio::io_context io_;
};

std::string numbered_event(int i) {
  std::string data = "event " + std::to_string(i) + " ";
  data.resize(1000, static_cast<char>('a' + i % 26));
  return data + "\n";
}

TEST_F(ServerStreamTest, AClientThatStopsReadingGetsTheWholeBodyInOrderLater) {
  auto client = open_client();
  auto stream = open_.wait_for(1).at(0);
  // About 4 MB while nobody reads: far more than the socket buffers hold, so direct writes come up short and the
  // connection's coroutine takes over with what is left.
  std::string expected;
  for (int i = 0; i < 4000; ++i) {
    auto event = numbered_event(i);
    expected += event;
    ASSERT_TRUE(stream->send(std::move(event)));
    if (i == 2000) std::this_thread::sleep_for(100ms);
  }
  stream->close();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(read_body(*client), expected);
}

// The end of the body arrives while the connection's coroutine is still busy writing everything queued before it
// (the client is not reading): the coroutine must notice the close itself once its write completes, not wait for
// the next keep-alive (15 s) to find out.
TEST_F(ServerStreamTest, ClosingWhileTheWriterIsBusyEndsTheBodyAtOnce) {
  auto client = open_client();
  auto stream = open_.wait_for(1).at(0);
  // Two 8 MB chunks while the client does not read: the first goes out partly by the worker's direct write and the
  // rest by the coroutine; the second waits in the queue (its wake-up found the coroutine busy).
  const std::string first(8U * 1024 * 1024, 'a');
  const std::string second(8U * 1024 * 1024, 'b');
  ASSERT_TRUE(stream->send(first));
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(stream->send(second));
  // Reading 8 MB lets the coroutine finish the first chunk and drain the second into a write that fills the socket
  // again: the queue is empty and the coroutine busy when the stream closes.
  std::string raw(8U * 1024 * 1024, '\0');
  asio::read(*client, asio::buffer(raw));
  std::this_thread::sleep_for(300ms);
  stream->close();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(read_body(*client, std::move(raw)), first + second);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(ServerStreamTest, OneEventSentToManyStreamsReachesEveryOne) {
  constexpr std::size_t kClients = 200;
  std::vector<std::unique_ptr<tcp::socket>> clients;
  for (std::size_t i = 0; i < kClients; ++i) clients.push_back(open_client());
  const auto streams = open_.wait_for(kClients);
  ASSERT_EQ(streams.size(), kClients);
  for (int round = 0; round < 3; ++round) {
    for (const auto& stream : streams) ASSERT_TRUE(stream->send_event("round " + std::to_string(round), "tick"));
  }
  for (const auto& stream : streams) stream->close();
  for (auto& client : clients) {
    EXPECT_EQ(read_body(*client),
              "event: tick\ndata: round 0\n\nevent: tick\ndata: round 1\n\nevent: tick\ndata: round 2\n\n");
  }
}

// The broker's way: one immutable chunk queued on many streams, many at a time. A burst of small chunks drained in
// one go is more pieces than one gather write takes (the worker sends what it can and the coroutine the rest).
TEST_F(ServerStreamTest, SharedChunksInBurstsReachEveryStreamWholeAndInOrder) {
  constexpr std::size_t kClients = 20;
  constexpr int kEvents = 600;
  std::vector<std::unique_ptr<tcp::socket>> clients;
  for (std::size_t i = 0; i < kClients; ++i) clients.push_back(open_client());
  const auto streams = open_.wait_for(kClients);
  ASSERT_EQ(streams.size(), kClients);
  std::string expected;
  for (int i = 0; i < kEvents; ++i) {
    const auto chunk = std::make_shared<const std::string>("data: " + std::to_string(i) + "\n\n");
    expected += *chunk;
    for (const auto& stream : streams) ASSERT_TRUE(stream->send(chunk));
  }
  ASSERT_TRUE(streams[0]->send(std::make_shared<const std::string>()));  // nothing: must not end the body
  for (const auto& stream : streams) stream->close();
  for (auto& client : clients) EXPECT_EQ(read_body(*client), expected);
}

TEST_F(ServerStreamTest, AClientThatGoesAwayIsNoticedAndLaterSendsAreRefused) {
  auto client = open_client();
  auto stream = open_.wait_for(1).at(0);
  std::atomic<bool> told{false};
  stream->on_client_gone([&] { told = true; });
  ASSERT_TRUE(stream->send_event("hello"));
  client->close();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!told && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(told);
  EXPECT_TRUE(stream->client_gone());
  EXPECT_FALSE(stream->send_event("anyone there?"));
}

}  // namespace
}  // namespace pierre::http
