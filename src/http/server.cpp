#include "pierre/http/server.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <array>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "pierre/core/ids.hpp"
#include "pierre/http/errors.hpp"

namespace pierre::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr std::chrono::seconds kErrorWriteTimeout{2};
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::size_t kLingerMaxBytes = 8 * 1024 * 1024;
constexpr std::string_view kRequestIdHeader = "X-Request-Id";
constexpr std::chrono::seconds kStreamKeepAlive{15};

struct StreamWriter;

// What one direct write of a stream's queued chunks needs, reused from stream to stream by a worker's flush: the
// drained chunks, their chunk-size lines, and the buffer list that points into both and the chunks themselves.
struct GatherScratch {
  EventStream::Drained drained;
  std::vector<std::array<char, 20>> size_lines;
  std::vector<asio::const_buffer> buffers;
};

// Streamed responses with new bytes to write, handed over by producer threads. One posted job per batch (not one per
// connection) lets a worker write an event published to thousands of streams in one pass: ReadyStreams::flush.
struct ReadyStreams : std::enable_shared_from_this<ReadyStreams> {
  explicit ReadyStreams(asio::io_context& worker_io) : io(worker_io) {}
  asio::io_context& io;
  std::mutex mutex;
  std::vector<std::weak_ptr<StreamWriter>> ready;
  bool flush_posted = false;
  bool closed = false;  // the worker has stopped: wake-ups from producers that outlive it are dropped
  std::vector<std::weak_ptr<StreamWriter>> batch;  // worker thread only
  GatherScratch scratch;                           // worker thread only

  void add(std::weak_ptr<StreamWriter> writer) {  // any thread
    const std::lock_guard lock(mutex);
    if (closed) return;
    ready.push_back(std::move(writer));
    if (!flush_posted) {
      flush_posted = true;
      asio::post(io, [self = shared_from_this()] { self->flush(); });
    }
  }
  void flush();  // worker thread
  void close() {
    const std::lock_guard lock(mutex);
    closed = true;
    ready.clear();
  }
};

// One connection. Lives on exactly one worker io_context; `Worker::sessions` is only touched from that thread.
struct Session {
  Session(tcp::socket socket, std::shared_ptr<ReadyStreams> worker_ready)
      : stream(std::move(socket)), deadline(stream.get_executor()), ready(std::move(worker_ready)) {}
  beast::tcp_stream stream;
  // Read deadlines cancel the pending read instead of closing the socket (which tcp_stream's own expiry does),
  // so a slow client can still be told 408 before the connection closes.
  asio::steady_timer deadline;
  bool timed_out = false;
  bool idle = true;  // waiting for the first byte of a request: safe to drop at shutdown

  void arm(std::chrono::steady_clock::duration limit) {
    timed_out = false;
    stream.expires_never();
    deadline.expires_after(limit);
    deadline.async_wait([this](const beast::error_code& ec) {
      if (ec) return;  // disarmed, or the session is gone: touch nothing
      timed_out = true;
      beast::error_code ignored;
      stream.socket().cancel(ignored);
    });
  }
  void disarm() { deadline.cancel(); }
  std::shared_ptr<ReadyStreams> ready;
};

// Chunked transfer coding (RFC 9112 section 7.1) of the drained chunks as buffers pointing into them (no copy):
// `scratch.buffers`, whose total size is returned. Empty chunks are skipped: a zero-length chunk would end the body.
std::size_t gather_chunks(GatherScratch& scratch) {
  static constexpr std::string_view kCrlf = "\r\n";
  const auto& chunks = scratch.drained.chunks;
  scratch.size_lines.clear();
  scratch.size_lines.reserve(chunks.size());  // the buffers point into it: it must not move once filled
  scratch.buffers.clear();
  std::size_t total = 0;
  for (const auto& chunk : chunks) {
    if (chunk->empty()) continue;
    auto& line = scratch.size_lines.emplace_back();
    auto* end = std::to_chars(line.data(), line.data() + line.size() - 2, chunk->size(), 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
    const auto line_size = static_cast<std::size_t>(end - line.data());
    scratch.buffers.emplace_back(line.data(), line_size);
    scratch.buffers.emplace_back(chunk->data(), chunk->size());
    scratch.buffers.emplace_back(kCrlf.data(), kCrlf.size());
    total += line_size + chunk->size() + kCrlf.size();
  }
  return total;
}

// The bytes of `buffers` after the first `skip`, as one string.
std::string rest_of(const std::vector<asio::const_buffer>& buffers, std::size_t skip) {
  std::string out;
  for (const auto& b : buffers) {
    if (skip >= b.size()) {
      skip -= b.size();
      continue;
    }
    out.append(static_cast<const char*>(b.data()) + skip, b.size() - skip);
    skip = 0;
  }
  return out;
}

// The writing side of one streamed response, shared by its coroutine (Server::Impl::stream_response) and the
// worker's ReadyStreams. While the coroutine is parked on `timer` the worker writes new chunks itself with one
// non-blocking send: no coroutine resumption, no timer churn. Whatever the socket does not take at once, the end of
// the body, or a failure is left to the coroutine, woken by cancelling the timer. Worker thread only.
struct StreamWriter {
  StreamWriter(Session& s, std::shared_ptr<EventStream> events)
      : session(s), stream(std::move(events)), timer(s.stream.get_executor()) {}
  Session& session;
  std::shared_ptr<EventStream> stream;
  asio::steady_timer timer;
  bool parked = false;    // the coroutine waits on `timer`: nothing of ours is in flight on the socket
  std::string unwritten;  // encoded bytes a direct write could not finish; the coroutine writes them first

  void write_now(GatherScratch& scratch) {
    // While the coroutine writes (or has yet to write what was left over), it drains again before parking.
    if (!parked || !unwritten.empty()) return;
    stream->drain_into(scratch.drained);
    bool wake = scratch.drained.closed;
    if (const auto total = gather_chunks(scratch); total > 0) {
      beast::error_code ec;
      std::size_t written = session.stream.socket().write_some(scratch.buffers, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        written = 0;
      }
      if (ec) {
        stream->mark_client_gone();
        wake = true;
      } else if (written < total) {
        unwritten = rest_of(scratch.buffers, written);
        wake = true;
      }
    }
    scratch.drained.chunks.clear();  // shared with other streams: let them go now
    if (wake) timer.cancel();
  }
};

void ReadyStreams::flush() {
  {
    const std::lock_guard lock(mutex);
    batch.swap(ready);
    flush_posted = false;
  }
  for (auto& weak : batch) {
    if (auto writer = weak.lock()) writer->write_now(scratch);
  }
  batch.clear();
}

struct Worker {
  asio::io_context io{1};
  std::shared_ptr<ReadyStreams> ready = std::make_shared<ReadyStreams>(io);
  std::set<Session*> sessions;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

bool is_timeout(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::timed_out;
}

bool is_disconnect(const beast::error_code& ec) {
  return ec == beast::http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor ||
         ec == beast::http::error::partial_message;
}

// Classifies a failed header/body read into the error the client is owed (nullopt = just close).
std::optional<Error> read_failure(const beast::error_code& ec) {
  if (is_timeout(ec)) return Error{ErrorCode::request_timeout, "request was not received in time"};
  if (ec == beast::http::error::body_limit) return Error{ErrorCode::payload_too_large, "request body is too large"};
  if (ec == beast::http::error::header_limit) {
    return Error{ErrorCode::headers_too_large, "request header fields are too large"};
  }
  if (is_disconnect(ec)) return std::nullopt;
  return Error{ErrorCode::malformed_request, "malformed HTTP request"};
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  asio::io_context acceptor_io{1};
  tcp::acceptor acceptor{acceptor_io};
  asio::signal_set signals{acceptor_io, SIGINT, SIGTERM};
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<bool> stopping{false};
  std::atomic<int> active_sessions{0};
  std::function<void()> on_shutdown;
  std::uint16_t bound_port = 0;

  Impl(ServerOptions opts, const Router& r, Metrics& m) : options(std::move(opts)), router(r), metrics(m) {
    const unsigned n = std::max(1U, options.threads);
    for (unsigned i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
  }

  asio::awaitable<void> accept_loop() {
    std::size_t next = 0;
    for (;;) {
      Worker& worker = *workers[next++ % workers.size()];
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(worker.io, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping.load() || ec == asio::error::operation_aborted) co_return;
        // EMFILE and friends: back off briefly instead of spinning, keep serving existing connections.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause{acceptor_io, std::chrono::milliseconds(50)};
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(worker.io, serve(worker, std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> write_and_close(Session& session, Response response) {
    beast::error_code ec;
    response.keep_alive(false);
    session.stream.expires_after(kErrorWriteTimeout);
    co_await beast::http::async_write(session.stream, response, asio::redirect_error(asio::use_awaitable, ec));
    session.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    // Lingering close: a client still sending the rest of a rejected body would get a TCP reset, and with it lose
    // our response, if we closed with unread data. Discard what it sends for a bounded time and volume first.
    std::array<char, 16384> sink{};
    std::size_t drained = 0;
    session.stream.expires_after(kLingerTimeout);
    while (!ec && drained < kLingerMaxBytes) {
      drained +=
          co_await session.stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  void record(const RequestContext& ctx, std::string_view method, const Response& res, std::string_view path) {
    const auto latency = std::chrono::steady_clock::now() - ctx.started;
    const auto status = res.result_int();
    metrics.observe(ctx.route.empty() ? std::string_view("unmatched") : std::string_view(ctx.route), method, status,
                    latency);
    // The default logger redacts PII (emails, tokens, coordinates) from every line, paths included.
    spdlog::info("{} {} {} {:.3f}ms request_id={} remote={}", method, path, status,
                 std::chrono::duration<double, std::milli>(latency).count(), ctx.request_id, ctx.remote_address);
  }

  Response dispatch(Request& request, RequestContext& ctx) {
    const auto matched = router.match(request.method(), request.target(), ctx);
    if (!matched) return error_response(matched.error(), request, ctx);
    try {
      Response res = router.invoke(*matched->handler, request, ctx);
      if (request.method() == Method::head) {
        const auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
      }
      return res;
    } catch (const std::exception& e) {
      // A handler bug must cost one request, not the process; the client gets no internal detail.
      spdlog::error("handler for {} threw: {} request_id={}", ctx.route, e.what(), ctx.request_id);
    } catch (...) {
      spdlog::error("handler for {} threw a non-exception request_id={}", ctx.route, ctx.request_id);
    }
    return error_response(Error{ErrorCode::internal_error, "internal error"}, request, ctx);
  }

  asio::awaitable<void> serve(Worker& worker, tcp::socket socket) {
    ++active_sessions;
    metrics.connection_opened();
    Session session{std::move(socket), worker.ready};
    worker.sessions.insert(&session);
    std::string remote;
    {
      beast::error_code ec;
      auto endpoint = session.stream.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    try {
      co_await serve_requests(session, remote);
    } catch (const std::exception& e) {
      spdlog::error("connection error: {}", e.what());
    }
    beast::error_code ec;
    session.stream.socket().close(ec);
    worker.sessions.erase(&session);
    metrics.connection_closed();
    --active_sessions;
  }

  asio::awaitable<void> serve_requests(Session& session, const std::string& remote) {
    const auto& limits = options.limits;
    beast::flat_buffer buffer;
    for (;;) {
      beast::error_code ec;
      // Wait for the first byte under the idle timeout; only then does the (shorter) header timeout start, so an
      // idle keep-alive connection and a slow-loris client are told apart.
      session.idle = true;
      if (buffer.size() == 0) {
        if (stopping.load()) co_return;
        session.stream.expires_after(limits.idle_timeout);
        const auto n = co_await session.stream.async_read_some(buffer.prepare(4096),
                                                               asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;  // idle timeout, client closed, or shutdown: nothing owed
        buffer.commit(n);
      }
      session.idle = false;

      RequestContext ctx;
      ctx.started = std::chrono::steady_clock::now();
      ctx.remote_address = remote;

      beast::http::request_parser<beast::http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.upload_paths.empty() ? limits.max_body_bytes
                                                    : std::max(limits.max_body_bytes, limits.max_upload_bytes));
      session.arm(limits.header_timeout);
      co_await beast::http::async_read_header(session.stream, buffer, parser,
                                              asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        const auto& head = parser.get();
        // Activity files outgrow the general body limit; only a request that at least claims credentials gets the
        // larger one (the route still authenticates it), so anonymous clients cannot make us buffer 32 MiB. Beast
        // checks Content-Length against the limit when the header completes, so the header was read under the
        // larger limit and the request's own limit is applied here.
        if (!limits.upload_paths.empty()) {
          std::size_t limit = limits.max_body_bytes;
          if (!head[beast_http::field::authorization].empty() || !head["X-API-Key"].empty()) {
            const auto target = head.target();
            const auto path = target.substr(0, target.find('?'));
            for (const auto& upload : limits.upload_paths) {
              if (path == upload) limit = std::max(limits.max_body_bytes, limits.max_upload_bytes);
            }
          }
          if (const auto length = parser.content_length(); length && *length > limit) {
            ec = beast::http::error::body_limit;
          } else {
            parser.body_limit(limit);  // chunked bodies are counted as they arrive
          }
        }
        const auto client_id = head[kRequestIdHeader];
        ctx.request_id = ids::is_acceptable_request_id(client_id) ? std::string(client_id) : ids::new_request_id();
        if (!ec && beast::iequals(head[beast_http::field::expect], "100-continue")) {
          beast_http::response<beast_http::empty_body> cont{Status::continue_, head.version()};
          session.stream.expires_after(limits.request_timeout);
          co_await beast_http::async_write(session.stream, cont, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec) {
          session.arm(limits.request_timeout);
          co_await beast::http::async_read(session.stream, buffer, parser,
                                           asio::redirect_error(asio::use_awaitable, ec));
        }
      }
      session.disarm();
      if (ec) {
        auto failure = session.timed_out
                           ? std::optional<Error>(Error{ErrorCode::request_timeout, "request was not received in time"})
                           : read_failure(ec);
        if (!failure) co_return;
        if (ctx.request_id.empty()) ctx.request_id = ids::new_request_id();
        ctx.route = "unmatched";
        auto res = error_response(*failure, ctx);
        res.set(kRequestIdHeader, ctx.request_id);
        record(ctx, "-", res, "-");
        co_await write_and_close(session, std::move(res));
        co_return;
      }

      Request request = parser.release();
      Response res = dispatch(request, ctx);
      if (ctx.stream) {
        res.set(kRequestIdHeader, ctx.request_id);
        res.set(beast_http::field::server, "pierre-mcp-server");
        res.set("X-Content-Type-Options", "nosniff");
        record(ctx, request.method_string(), res, path_of(request.target()));
        co_await stream_response(session, std::move(res), std::move(ctx.stream));
        co_return;  // a streamed response ends its connection (see stream_response)
      }
      res.set(kRequestIdHeader, ctx.request_id);
      res.set(beast_http::field::server, "pierre-mcp-server");
      res.set("X-Content-Type-Options", "nosniff");
      const bool keep_alive = res.keep_alive() && !stopping.load();
      res.keep_alive(keep_alive);
      record(ctx, request.method_string(), res, path_of(request.target()));

      session.stream.expires_after(limits.request_timeout);
      co_await beast::http::async_write(session.stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !keep_alive) {
        session.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        co_return;
      }
    }
  }

  // Writes the head, then the stream's chunks as they arrive, with chunked encoding. Meanwhile a read on the socket
  // notices a client that goes away, which the producer learns through EventStream::on_client_gone. The connection
  // closes afterwards: that keeps the watch-read from ever consuming a following request.
  asio::awaitable<void> stream_response(Session& session, Response head, std::shared_ptr<EventStream> stream) {
    beast_http::response<beast_http::empty_body> header{head.result(), head.version()};
    for (const auto& f : head.base()) header.set(f.name_string(), f.value());
    header.chunked(true);
    header.keep_alive(false);
    beast::error_code ec;
    beast_http::response_serializer<beast_http::empty_body> serializer{header};
    session.stream.expires_after(options.limits.request_timeout);
    co_await beast_http::async_write_header(session.stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      stream->mark_client_gone();
      co_return;
    }

    auto writer = std::make_shared<StreamWriter>(session, stream);
    // Direct writes (StreamWriter::write_now) must never block the worker; asynchronous operations are unaffected.
    session.stream.socket().non_blocking(true, ec);
    stream->set_waker([ready = session.ready, weak = std::weak_ptr<StreamWriter>(writer)] { ready->add(weak); });
    auto watch = std::make_shared<std::array<char, 512>>();
    session.stream.socket().async_read_some(asio::buffer(*watch),
                                            [writer, watch](const beast::error_code& read_ec, std::size_t) {
                                              if (read_ec) {
                                                writer->stream->mark_client_gone();
                                                writer->timer.cancel();
                                              }
                                            });

    const auto write_all = [&](const std::string& bytes) -> asio::awaitable<void> {
      if (bytes.empty()) co_return;
      session.stream.expires_after(options.limits.request_timeout);
      co_await asio::async_write(session.stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
    };
    GatherScratch scratch;  // the coroutine's own: the worker's may be in use by another stream meanwhile
    for (;;) {
      co_await write_all(writer->unwritten);
      writer->unwritten.clear();
      if (ec) break;
      stream->drain_into(scratch.drained);
      if (gather_chunks(scratch) > 0) {
        session.stream.expires_after(options.limits.request_timeout);
        co_await asio::async_write(session.stream, scratch.buffers, asio::redirect_error(asio::use_awaitable, ec));
      }
      const bool closed = scratch.drained.closed;
      scratch.drained.chunks.clear();  // shared with other streams: let them go now
      if (ec || stream->client_gone()) break;
      if (closed) {
        co_await write_all("0\r\n\r\n");  // the last chunk
        break;
      }
      // Queued or closed while we wrote: that wake-up found us busy, so nothing else will come for it.
      if (stream->has_work()) continue;
      // Idle streams carry an SSE comment now and then, so proxies keep them open and dead peers are noticed.
      writer->parked = true;
      writer->timer.expires_after(kStreamKeepAlive);
      beast::error_code wait_ec;
      co_await writer->timer.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
      writer->parked = false;
      if (!wait_ec) stream->send(": keep-alive\n\n");
    }
    if (ec) stream->mark_client_gone();
    stream->set_waker(nullptr);
    session.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    // Producers of open streams end them now: a streamed response would otherwise hold the drain below for the
    // whole grace period.
    if (on_shutdown) on_shutdown();
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    for (auto& worker : workers) {
      asio::post(worker->io, [w = worker.get()] {
        for (Session* s : w->sessions) {
          if (s->idle) s->stream.cancel();  // busy sessions finish their request and then close
        }
      });
    }
  }
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() {
  stop();
}

Result<void> Server::listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec)
    return fail(ErrorCode::config_invalid, fmt::format("HTTP_HOST: '{}' is not an IP address", impl_->options.host));
  const tcp::endpoint endpoint{address, impl_->options.port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    const bool in_use = ec == asio::error::address_in_use;
    return fail(ErrorCode::config_invalid,
                fmt::format("HTTP_PORT: cannot listen on {}:{}: {}", impl_->options.host, impl_->options.port,
                            in_use ? "address already in use" : ec.message()));
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  return {};
}

std::uint16_t Server::port() const noexcept {
  return impl_->bound_port;
}

void Server::run() {
  auto& impl = *impl_;
  for (auto& worker : impl.workers) {
    worker->guard.emplace(worker->io.get_executor());
    worker->thread = std::thread([w = worker.get()] { w->io.run(); });
  }
  impl.signals.async_wait([&impl](const beast::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    impl.begin_shutdown();
  });
  asio::co_spawn(impl.acceptor_io, impl.accept_loop(), asio::detached);
  impl.acceptor_io.run();

  // Drain: in-flight requests finish (bounded), idle keep-alive connections were cancelled by begin_shutdown.
  const auto deadline = std::chrono::steady_clock::now() + impl.options.limits.shutdown_grace;
  while (impl.active_sessions.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (impl.active_sessions.load() > 0) {
    spdlog::warn("{} connection(s) still open after the shutdown grace period; closing them",
                 impl.active_sessions.load());
  }
  for (auto& worker : impl.workers) {
    worker->guard.reset();
    worker->io.stop();
  }
  for (auto& worker : impl.workers) {
    if (worker->thread.joinable()) worker->thread.join();
    worker->ready->close();
  }
}

void Server::on_shutdown(std::function<void()> callback) {
  impl_->on_shutdown = std::move(callback);
}

void Server::stop() {
  asio::post(impl_->acceptor_io, [impl = impl_.get()] { impl->begin_shutdown(); });
}

}  // namespace pierre::http
