#include "pierre/mcp_client/sse.hpp"

namespace pierre::mcp_client {

void SseParser::feed(std::string_view chunk) {
  for (char c : chunk) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF split across chunks, or just after the CR
    }
    if (c == '\r' || c == '\n') {
      pending_cr_ = c == '\r';
      take_line(line_);
      line_.clear();
      continue;
    }
    line_.push_back(c);
  }
}

void SseParser::finish() {
  line_.clear();
  event_ = {};
  has_data_ = false;
}

void SseParser::take_line(std::string_view line) {
  if (line.empty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') return;  // comment (keep-alive)
  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) event_.data.push_back('\n');
    event_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.type = value;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) event_.id = value;
  }
  // `retry:` and unknown fields are ignored: the bridge does not reconnect streams (2026-07-28 removed resumption).
}

void SseParser::dispatch() {
  if (has_data_) {
    if (event_.type.empty()) event_.type = "message";
    sink_(event_);
  }
  // The last event id persists across events per the standard; we do not use it, so a fresh event is simplest.
  event_ = {};
  has_data_ = false;
}

}  // namespace pierre::mcp_client
