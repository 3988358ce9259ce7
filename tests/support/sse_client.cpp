#include "sse_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace pierre::testing {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

SseClient::SseClient(std::uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers,
                     std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect() failed");
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("send() failed");
  }

  std::size_t head_end = std::string::npos;
  while ((head_end = raw_.find("\r\n\r\n")) == std::string::npos) {
    if (!read_more(deadline)) throw std::runtime_error("no response head in time");
  }
  const auto head = raw_.substr(0, head_end);
  raw_.erase(0, head_end + 4);
  const auto first_line_end = head.find("\r\n");
  const auto status_line = head.substr(0, first_line_end);
  if (status_line.size() < 12) throw std::runtime_error("bad status line: " + status_line);
  status_ = std::stoi(status_line.substr(9, 3));
  std::size_t at = first_line_end == std::string::npos ? head.size() : first_line_end + 2;
  while (at < head.size()) {
    const auto end = std::min(head.find("\r\n", at), head.size());
    const auto line = head.substr(at, end - at);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers_[lower(line.substr(0, colon))] = value;
    }
    at = end + 2;
  }
  chunked_ = lower(header("transfer-encoding")).find("chunked") != std::string::npos;
  if (!chunked_) {
    // An ordinary response (an error): read its Content-Length body.
    const auto length = header("content-length").empty() ? 0UL : std::stoul(header("content-length"));
    while (raw_.size() < length && read_more(deadline)) {
    }
    body_ = raw_.substr(0, length);
    raw_.clear();
    ended_ = true;
  }
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SseClient::header(const std::string& lower_case_name) const {
  const auto it = headers_.find(lower_case_name);
  return it == headers_.end() ? std::string() : it->second;
}

bool SseClient::read_more(Clock::time_point deadline) {
  if (fd_ < 0) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
  char buffer[16384];
  const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    ended_ = true;
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

void SseClient::decode_chunks() {
  if (!chunked_) return;
  for (;;) {
    const auto line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    const auto size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (size == 0) {
      ended_ = true;
      raw_.clear();
      return;
    }
    if (raw_.size() < line_end + 2 + size + 2) return;
    text_.append(raw_, line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
  }
}

std::optional<SseEvent> SseClient::take_event() {
  for (;;) {
    const auto end = text_.find('\n');
    if (end == std::string::npos) return std::nullopt;
    auto line = text_.substr(0, end);
    text_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (pending_has_data_) {
        SseEvent out = pending_;
        out.data = pending_data_;
        if (!out.data.empty() && out.data.back() == '\n') out.data.pop_back();
        if (out.type.empty()) out.type = "message";
        pending_ = {};
        pending_data_.clear();
        pending_has_data_ = false;
        return out;
      }
      pending_.type.clear();
      continue;
    }
    if (line.front() == ':') {
      ++comments_;
      continue;
    }
    const auto colon = line.find(':');
    const auto name = line.substr(0, colon);
    std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "data") {
      pending_data_ += value + "\n";
      pending_has_data_ = true;
    } else if (name == "event") {
      pending_.type = value;
    } else if (name == "id") {
      pending_.id = value;
    } else if (name == "retry" && !value.empty() &&
               std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      retry_ms_ = std::stol(value);
    }
  }
}

std::optional<SseEvent> SseClient::next_event(std::chrono::milliseconds timeout) {
  if (!parsed_.empty()) {
    auto event = std::move(parsed_.front());
    parsed_.pop_front();
    return event;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    decode_chunks();
    if (auto event = take_event()) return event;
    if (ended_ || !read_more(deadline)) {
      decode_chunks();
      return take_event();
    }
  }
}

bool SseClient::wait_for_comments(int count, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    decode_chunks();
    // Events that arrive meanwhile are kept for next_event().
    while (auto event = take_event()) parsed_.push_back(std::move(*event));
    if (comments_ >= count) return true;
    if (ended_ || !read_more(deadline)) return comments_ >= count;
  }
}

bool SseClient::wait_for_end(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!ended_) {
    decode_chunks();
    if (ended_) break;
    if (!read_more(deadline) && !ended_) return false;
  }
  return true;
}

}  // namespace pierre::testing
