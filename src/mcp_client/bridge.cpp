#include "pierre/mcp_client/bridge.hpp"

#include <openssl/crypto.h>
#include <algorithm>
#include <thread>

#include "pierre/crypto/primitives.hpp"
#include "pierre/mcp_client/errors.hpp"
#include "pierre/mcp_client/sse.hpp"

namespace pierre::mcp_client {
namespace {

using json = nlohmann::json;

constexpr std::string_view kProtocolVersionMeta = "io.modelcontextprotocol/protocolVersion";
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);
constexpr auto kPauseBeforeResponse = std::chrono::milliseconds(5);
constexpr auto kCancellationPoll = std::chrono::milliseconds(20);
constexpr int kHeaderMismatch = -32020;  // 2026-07-28 HeaderMismatch

const ExchangeLimits kRelayLimits{};  // no total bound: a streamed tool call may take minutes

bool has_valid_id(const json& message) {
  const auto it = message.find("id");
  return it != message.end() && (it->is_string() || it->is_number_integer());
}

std::string method_of(const json& message) {
  const auto it = message.find("method");
  return it != message.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// The protocol version a 2026-07-28 request declares in params._meta, or "" for 2025-era messages.
std::string modern_protocol_version(const json& message) {
  const auto params = message.find("params");
  if (params == message.end() || !params->is_object()) return {};
  const auto meta = params->find("_meta");
  if (meta == params->end() || !meta->is_object()) return {};
  const auto version = meta->find(kProtocolVersionMeta);
  return version != meta->end() && version->is_string() ? version->get<std::string>() : std::string{};
}

// Mcp-Name: the tool or prompt name, or the resource URI.
std::string mcp_name_of(const json& message, std::string_view method) {
  const auto params = message.find("params");
  if (params == message.end() || !params->is_object()) return {};
  const char* field = method == "resources/read"                            ? "uri"
                      : (method == "tools/call" || method == "prompts/get") ? "name"
                                                                            : nullptr;
  if (field == nullptr) return {};
  const auto value = params->find(field);
  return value != params->end() && value->is_string() ? value->get<std::string>() : std::string{};
}

bool is_response_to(const json& message, const json& id) {
  return message.is_object() && !message.contains("method") && message.contains("id") && message["id"] == id &&
         (message.contains("result") || message.contains("error"));
}

bool is_jsonrpc_error(const json& body) {
  return body.is_object() && body.value("jsonrpc", "") == "2.0" && body.contains("error") && body["error"].is_object();
}

}  // namespace

void LineSink::send(const json& message) {
  auto line = message.dump(-1, ' ', false, json::error_handler_t::replace);
  line.push_back('\n');
  const std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

std::string header_safe(std::string_view value) {
  const bool plain = std::ranges::all_of(value, [](char c) { return c >= 0x20 && c <= 0x7e; }) &&
                     (value.empty() || (value.front() != ' ' && value.back() != ' '));
  if (plain) return std::string(value);
  return "=?base64?" + crypto::base64_encode(crypto::as_bytes(value)) + "?=";
}

Bridge::~Bridge() {
  finish(std::chrono::milliseconds(0));
}

Bridge::Session Bridge::session() const {
  const std::lock_guard lock(mutex_);
  return session_;
}

void Bridge::handle_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty()) return;
  auto message = json::parse(line, nullptr, false);
  if (message.is_discarded()) {
    diagnostics_.info("ignored a line from the client that is not JSON");
    sink_.send(error_response(nullptr, {ErrorCode::invalid_format, "Parse error"}));
    return;
  }
  const bool valid_id = message.is_object() && (!message.contains("id") || has_valid_id(message));
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0" || !valid_id) {
    const json id = message.is_object() && has_valid_id(message) ? message["id"] : json(nullptr);
    sink_.send(error_response(id, {ErrorCode::invalid_input, "Invalid Request: not a JSON-RPC 2.0 message"}));
    return;
  }

  const auto method = method_of(message);
  if (method == "notifications/cancelled") {
    const auto params = message.find("params");
    if (params != message.end() && params->is_object() && params->contains("requestId")) cancel((*params)["requestId"]);
    // Only a 2025 session has a server-side notion of it; 2026-07-28 cancels by closing the stream (done above).
    if (session().id.empty()) return;
  }

  // Requests are found again by their id (cancellation); notifications and responses get a key no id can have, so
  // that finish() can stop them too.
  auto flight = std::make_shared<InFlight>();
  std::string key;
  {
    const std::lock_guard lock(mutex_);
    if (!method.empty() && has_valid_id(message)) {
      key = message["id"].dump();
      if (method == "initialize") initialize_request_ = message;
    } else {
      key = "#" + std::to_string(++unnumbered_messages_);
    }
    flights_[key] = flight;
    ++running_;
  }
  std::thread([this, message = std::move(message), flight = std::move(flight), key = std::move(key)] {
    relay(message, *flight);
    // OpenSSL's per-thread state (libcurl's TLS, our random numbers) is freed now rather than when this detached
    // thread exits, which may be after finish() has returned and the process is ending.
    OPENSSL_thread_stop();
    const std::lock_guard lock(mutex_);
    if (const auto it = flights_.find(key); it != flights_.end() && it->second == flight) flights_.erase(it);
    if (--running_ == 0) idle_.notify_all();
  }).detach();
}

void Bridge::cancel(const json& request_id) {
  const std::lock_guard lock(mutex_);
  const auto it = flights_.find(request_id.dump());
  if (it == flights_.end()) return;
  it->second->cancelled = true;
  diagnostics_.debug("request {} cancelled by the client", request_id.dump());
}

void Bridge::finish(std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  if (!idle_.wait_for(lock, grace, [this] { return running_ == 0; })) {
    for (auto& [id, flight] : flights_) flight->cancelled = true;
    credentials_.abandon();  // a request may be waiting for a browser login that will never come now
  }
  // Cancelled transfers stop at libcurl's next progress callback (about once a second); notifications in flight
  // finish on their own within their timeouts.
  idle_.wait(lock, [this] { return running_ == 0; });
}

Result<Bridge::Exchange> Bridge::post(const json& message, const AuthHeader& auth, const Session& session,
                                      InFlight& flight, const Deliver& deliver) {
  HttpRequest request{.method = "POST", .url = settings_.mcp_url, .headers = {}, .body = message.dump()};
  request.headers = {
      {"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}, {auth.name, auth.value}};
  const auto method = method_of(message);
  if (const auto version = modern_protocol_version(message); !version.empty()) {
    request.headers.emplace_back("MCP-Protocol-Version", header_safe(version));
    if (!method.empty()) request.headers.emplace_back("Mcp-Method", header_safe(method));
    if (const auto name = mcp_name_of(message, method); !name.empty()) {
      request.headers.emplace_back("Mcp-Name", header_safe(name));
    }
    if (method == "tools/call") add_param_headers(message, request.headers);
  } else if (method != "initialize") {
    if (!session.id.empty()) request.headers.emplace_back("Mcp-Session-Id", session.id);
    if (!session.protocol_version.empty()) {
      request.headers.emplace_back("MCP-Protocol-Version", session.protocol_version);
    }
  }

  Exchange exchange;
  std::string body;
  bool streaming = false;
  std::string_view streamed_session_id;
  SseParser events([&](const SseEvent& event) {
    auto payload = json::parse(event.data, nullptr, false);
    if (payload.is_discarded() || !payload.is_object()) {
      diagnostics_.debug("skipped a server event that is not a JSON-RPC message");
      return;
    }
    exchange.delivered_any = true;
    deliver(std::move(payload), streamed_session_id);
  });
  const BodySink sink = [&](const HttpResponse& head, std::string_view chunk) {
    if (head.status / 100 == 2 && head.header("content-type").starts_with("text/event-stream")) {
      streaming = true;
      streamed_session_id = head.header("mcp-session-id");
      events.feed(chunk);
    } else {
      body.append(chunk);
    }
    return !flight.cancelled.load();
  };
  auto response = http_.perform(request, kRelayLimits, sink, &flight.cancelled);
  if (!response) return std::unexpected(response.error());

  exchange.status = response->status;
  exchange.session_id = response->header("mcp-session-id");
  exchange.www_authenticate = response->header("www-authenticate");
  if (streaming) {
    events.finish();
    return exchange;
  }
  if (body.empty()) return exchange;
  auto parsed = json::parse(body, nullptr, false);
  if (exchange.status / 100 == 2 && parsed.is_object()) {
    exchange.delivered_any = true;
    deliver(std::move(parsed), exchange.session_id);
  } else if (is_jsonrpc_error(parsed)) {
    exchange.error_body = std::move(parsed);
  }
  return exchange;
}

void Bridge::relay(const json& message, InFlight& flight) {
  const bool is_request = message.contains("method") && has_valid_id(message);
  const json id = is_request ? message["id"] : json(nullptr);
  const auto method = method_of(message);
  const auto answer_with = [&](const Error& error) {
    if (is_request) {
      sink_.send(error_response(id, error));
    } else {
      diagnostics_.info("could not deliver a {} to the server: {}", method.empty() ? "response" : method,
                        error.message);
    }
  };

  const auto deadline = std::chrono::steady_clock::now() + settings_.retry_budget;
  auto backoff = kFirstBackoff;
  bool credentials_renewed = false;
  bool session_replayed = false;
  bool param_headers_fetched = false;
  const auto wait_and_retry = [&](std::string_view why) {
    diagnostics_.info("{}; retrying in {} ms", why, backoff.count());
    const auto until = std::chrono::steady_clock::now() + backoff;
    while (!flight.cancelled && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(kCancellationPoll);
    }
    backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
  };
  for (;;) {
    if (flight.cancelled) return;
    auto auth = credentials_.current();
    if (!auth && flight.cancelled) return;
    if (!auth) {
      // Discovery or a refresh could not reach the server (it may be restarting): the same backoff as a request.
      if (auth.error().code == ErrorCode::external_service_unavailable &&
          std::chrono::steady_clock::now() + backoff < deadline) {
        wait_and_retry(auth.error().message);
        continue;
      }
      return answer_with(auth.error());
    }
    const auto session_used = session();

    bool answered = false;
    bool delivered = false;
    bool notified = false;
    const Deliver deliver = [&](json payload, std::string_view session_id) {
      delivered = true;
      if (is_request && is_response_to(payload, id)) {
        answered = true;
        // The official SDK (v1) handles notifications a microtask later but responses at once: when the last
        // progress notification and the response reach it in one read, the response unregisters the progress
        // handler first and that notification is lost. A moment between them gives the client its own read.
        if (notified) std::this_thread::sleep_for(kPauseBeforeResponse);
        if (method == "initialize" && payload.contains("result") && payload["result"].is_object()) {
          const std::lock_guard lock(mutex_);
          session_ = {std::string(session_id), payload["result"].value("protocolVersion", "")};
        }
      }
      notified = notified || payload.contains("method");
      if (method == "tools/list" && answered && payload.contains("result")) learn_param_headers(payload["result"]);
      sink_.send(payload);
    };
    auto exchange = post(message, *auth, session_used, flight, deliver);
    if (flight.cancelled) return;  // the client no longer wants an answer

    const bool time_left = std::chrono::steady_clock::now() + backoff < deadline;

    if (!exchange) {
      // Nothing came back. A request that never reached the server (no connection: it is restarting) is re-sent;
      // one that may have reached it is re-sent only when running it twice is harmless — a tool call is not re-sent,
      // it could act twice (the client gets the error and decides).
      const bool never_sent = exchange.error().details.value("stage", "") == "connect";
      if (!delivered && time_left && (never_sent || method != "tools/call")) {
        wait_and_retry(exchange.error().message);
        continue;
      }
      if (!answered) answer_with(exchange.error());
      return;
    }
    const long status = exchange->status;
    diagnostics_.debug("{} {} → HTTP {}", method.empty() ? "response" : method, is_request ? id.dump() : "", status);
    if (status == 401 && !credentials_renewed) {
      credentials_renewed = true;
      if (auto renewed = credentials_.rejected(*auth, exchange->www_authenticate); !renewed) {
        return answer_with(renewed.error());
      }
      continue;
    }
    if (status == 404 && !session_used.id.empty() && !session_replayed && modern_protocol_version(message).empty()) {
      session_replayed = true;
      diagnostics_.info("the server lost the session; initializing again");
      if (auto replayed = reinitialize(session_used.id, *auth); !replayed) return answer_with(replayed.error());
      continue;
    }
    if (status / 100 == 2) {
      if (is_request && !answered) {
        answer_with({ErrorCode::external_service_error, "the server's answer ended without a response"});
      }
      return;
    }
    if (exchange->error_body && method == "tools/call" && !param_headers_fetched &&
        (*exchange->error_body)["error"].value("code", 0) == kHeaderMismatch &&
        !modern_protocol_version(message).empty()) {
      param_headers_fetched = true;
      fetch_param_headers(message["params"]["_meta"], *auth, flight);
      continue;
    }
    if (exchange->error_body) {
      if (!is_request) return answer_with({ErrorCode::external_service_error, (*exchange->error_body)["error"].dump()});
      auto relayed = std::move(*exchange->error_body);
      relayed["id"] = id;
      sink_.send(relayed);
      return;
    }
    if ((status >= 500 || is_retryable_status(status)) && !exchange->delivered_any && time_left) {
      wait_and_retry(fmt::format("the server answered HTTP {}", status));
      continue;
    }
    return answer_with(error_for_http_status(status));
  }
}

void Bridge::learn_param_headers(const json& result) {
  const auto tools = result.find("tools");
  if (tools == result.end() || !tools->is_array()) return;
  const std::lock_guard lock(mutex_);
  for (const auto& tool : *tools) {
    if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) continue;
    std::vector<std::pair<std::string, std::string>> headers;
    const auto schema = tool.value("inputSchema", json::object());
    const auto properties = schema.is_object() ? schema.value("properties", json::object()) : json::object();
    if (properties.is_object()) {
      for (const auto& [argument, property] : properties.items()) {
        if (property.is_object() && property.contains("x-mcp-header") && property["x-mcp-header"].is_string()) {
          headers.emplace_back(argument, property["x-mcp-header"].get<std::string>());
        }
      }
    }
    if (headers.empty()) {
      param_headers_.erase(tool["name"].get<std::string>());
    } else {
      param_headers_[tool["name"].get<std::string>()] = std::move(headers);
    }
  }
}

void Bridge::add_param_headers(const json& message, Headers& headers) const {
  const auto& params = message["params"];
  const auto name = params.value("name", json());
  if (!name.is_string()) return;
  const auto arguments = params.value("arguments", json::object());
  const std::lock_guard lock(mutex_);
  const auto tool = param_headers_.find(name.get<std::string>());
  if (tool == param_headers_.end() || !arguments.is_object()) return;
  for (const auto& [argument, header] : tool->second) {
    const auto value = arguments.find(argument);
    if (value == arguments.end() || value->is_null() || value->is_structured()) continue;
    headers.emplace_back("Mcp-Param-" + header,
                         header_safe(value->is_string() ? value->get<std::string>() : value->dump()));
  }
}

void Bridge::fetch_param_headers(const json& meta, const AuthHeader& auth, InFlight& flight) {
  json cursor;
  for (int page = 0; page < 100; ++page) {
    json list = {{"jsonrpc", "2.0"},
                 {"id", "pierre-mcp-client-tools-" + std::to_string(page)},
                 {"method", "tools/list"},
                 {"params", {{"_meta", meta}}}};
    if (cursor.is_string()) list["params"]["cursor"] = cursor;
    std::optional<json> result;
    const auto exchange = post(list, auth, {}, flight, [&](json payload, std::string_view) {
      if (is_response_to(payload, list["id"]) && payload.contains("result")) result = payload["result"];
    });
    if (!exchange || !result || !result->is_object()) return;
    learn_param_headers(*result);
    cursor = result->value("nextCursor", json());
    if (!cursor.is_string()) return;
  }
}

void Bridge::close_session() {
  const auto current = session();
  if (current.id.empty()) return;
  auto auth = credentials_.current();
  if (!auth) return;
  HttpRequest request{.method = "DELETE",
                      .url = settings_.mcp_url,
                      .headers = {{auth->name, auth->value}, {"Mcp-Session-Id", current.id}},
                      .body = {}};
  if (!current.protocol_version.empty()) request.headers.emplace_back("MCP-Protocol-Version", current.protocol_version);
  const ExchangeLimits brief{.connect_timeout = std::chrono::milliseconds(1000),
                             .total_timeout = std::chrono::milliseconds(2000),
                             .idle_timeout = std::chrono::seconds(2)};
  if (auto ended = http_.perform(request, brief); ended) diagnostics_.debug("session ended (HTTP {})", ended->status);
}

Result<void> Bridge::reinitialize(const std::string& stale_session_id, const AuthHeader& auth) {
  const std::lock_guard replay_lock(reinitialize_mutex_);
  json initialize;
  {
    const std::lock_guard lock(mutex_);
    if (session_.id != stale_session_id) return {};  // another request already replayed it
    if (!initialize_request_) return fail(ErrorCode::resource_not_found, "the server lost the session");
    initialize = *initialize_request_;
    initialize["id"] = "pierre-mcp-client-reinitialize-" + std::to_string(++reinitializations_);
  }
  InFlight flight;
  std::optional<json> result;
  auto exchange = post(initialize, auth, {}, flight, [&](json payload, std::string_view) {
    // Only the answer is wanted; anything else the server says during the replay is not for the client.
    if (is_response_to(payload, initialize["id"]) && payload.contains("result")) result = payload["result"];
  });
  if (!exchange) return std::unexpected(exchange.error());
  if (!result) return fail(ErrorCode::external_service_error, "the server refused to initialize a new session");
  Session renewed{exchange->session_id, result->value("protocolVersion", "")};
  const json initialized = {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  if (auto done = post(initialized, auth, renewed, flight, [](json, std::string_view) {});
      !done || done->status / 100 != 2) {
    return fail(ErrorCode::external_service_error, "the server refused notifications/initialized");
  }
  const std::lock_guard lock(mutex_);
  session_ = std::move(renewed);
  diagnostics_.debug("new session established");
  return {};
}

}  // namespace pierre::mcp_client
