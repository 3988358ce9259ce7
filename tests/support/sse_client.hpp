#pragma once
// A Server-Sent Events client for tests and benches: one GET over a plain loopback socket, the response head, then
// the chunked body read incrementally and split into events by the WHATWG HTML rules (§9.2.6: `field: value` lines,
// `:` comments, a blank line dispatches). Every read has a deadline, so a test can never hang on a silent stream.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace pierre::testing {

struct SseEvent {
  std::string id;  // "" when the event had no id field
  std::string type;
  std::string data;
};

class SseClient {
 public:
  // Connects to 127.0.0.1:port, sends `GET target` with `headers`, and reads the response head (and, for a response
  // that is not a stream, its whole body) within `timeout`. Throws std::runtime_error when that fails.
  SseClient(std::uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers = {},
            std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  [[nodiscard]] int status() const { return status_; }
  // A response header by lower-case name, "" when absent.
  [[nodiscard]] std::string header(const std::string& lower_case_name) const;
  // The body of a response that is not a stream (an error); "" for a stream.
  [[nodiscard]] const std::string& body() const { return body_; }

  // The next event, skipping comments; nullopt when none completes within `timeout` or the stream ended.
  std::optional<SseEvent> next_event(std::chrono::milliseconds timeout);
  // Waits until at least `count` comments have been seen in all.
  bool wait_for_comments(int count, std::chrono::milliseconds timeout);
  [[nodiscard]] int comments_seen() const { return comments_; }
  // The last `retry:` value, -1 when none.
  [[nodiscard]] long retry_ms() const { return retry_ms_; }
  // True once the server ended the response (last chunk) or closed the connection.
  [[nodiscard]] bool ended() const { return ended_; }
  // Reads until the stream ends or `timeout`; true when it ended.
  bool wait_for_end(std::chrono::milliseconds timeout);

 private:
  bool read_more(std::chrono::steady_clock::time_point deadline);
  void decode_chunks();
  std::optional<SseEvent> take_event();

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string body_;
  bool chunked_ = false;
  std::string raw_;   // bytes read, not yet de-chunked
  std::string text_;  // de-chunked body, not yet parsed
  bool ended_ = false;
  int comments_ = 0;
  long retry_ms_ = -1;
  std::deque<SseEvent> parsed_;  // complete events not yet returned
  SseEvent pending_;
  std::string pending_data_;
  bool pending_has_data_ = false;
};

}  // namespace pierre::testing
