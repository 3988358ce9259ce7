#pragma once
// The Tasks extension (io.modelcontextprotocol/tasks, SEP-2663): a tools/call that would outlive an HTTP request
// returns a task handle at once; the client polls tasks/get, answers input through tasks/update and may cancel.
// Tasks live in this process for their TTL (in-memory; see docs/MCP.md for what that means when scaled out).

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace pierre::mcp {

inline constexpr std::string_view kTasksExtension = "io.modelcontextprotocol/tasks";

struct Task {
  enum class Status { working, input_required, completed, failed, cancelled };

  std::string id;
  std::string owner;  // the caller that created it; nobody else can see it
  std::chrono::system_clock::time_point created;
  std::chrono::steady_clock::time_point expires;

  std::mutex mutex;  // guards everything below
  std::condition_variable changed;
  Status status = Status::working;
  std::chrono::system_clock::time_point updated;
  nlohmann::json result;                                     // completed: the tool result
  nlohmann::json error;                                      // failed: {code, message}
  nlohmann::json pending_inputs = nlohmann::json::object();  // input_required: unanswered requests by key
  nlohmann::json answers = nlohmann::json::object();         // answers received so far, by key
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

  [[nodiscard]] bool terminal() const noexcept {
    return status == Status::completed || status == Status::failed || status == Status::cancelled;
  }
};

std::string_view status_name(Task::Status status) noexcept;

class TaskStore {
 public:
  TaskStore(std::chrono::milliseconds ttl, std::size_t capacity) : ttl_(ttl), capacity_(capacity) {}

  // nullptr when the store is full of live tasks.
  std::shared_ptr<Task> create(std::string owner);
  // nullptr when unknown, expired or owned by someone else.
  std::shared_ptr<Task> find(std::string_view id, std::string_view owner);
  [[nodiscard]] std::chrono::milliseconds ttl() const noexcept { return ttl_; }
  // Cancels every live task (shutdown).
  void cancel_all();

 private:
  void sweep(std::chrono::steady_clock::time_point now);

  std::chrono::milliseconds ttl_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Task>> tasks_;
};

}  // namespace pierre::mcp
