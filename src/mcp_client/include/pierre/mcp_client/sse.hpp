#pragma once
// Incremental Server-Sent Events parsing (WHATWG HTML §9.2.6 "event stream interpretation") for answers the server
// streams on POST /mcp: bytes arrive in arbitrary chunks, events are dispatched as soon as their blank line arrives,
// so progress notifications reach the desktop client while the call is still running.

#include <functional>
#include <string>
#include <string_view>

namespace pierre::mcp_client {

struct SseEvent {
  std::string type = "message";  // `event:`; "message" when absent
  std::string data;              // `data:` lines joined with '\n'
  std::string id;                // `id:`, "" when absent
};

class SseParser {
 public:
  using Sink = std::function<void(const SseEvent&)>;
  explicit SseParser(Sink sink) : sink_(std::move(sink)) {}

  // Feeds the next chunk; complete events go to the sink. Lines may end in CRLF, LF or CR, split anywhere.
  void feed(std::string_view chunk);
  // End of stream: a trailing event without its blank line is discarded, as the standard says.
  void finish();

 private:
  void take_line(std::string_view line);
  void dispatch();

  Sink sink_;
  std::string line_;         // the incomplete line so far
  bool pending_cr_ = false;  // the last chunk ended in CR: a LF at the start of the next one belongs to it
  SseEvent event_;
  bool has_data_ = false;
};

}  // namespace pierre::mcp_client
