#include "tasks.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "pierre/crypto/primitives.hpp"

namespace pierre::mcp {

std::string_view status_name(Task::Status status) noexcept {
  switch (status) {
    case Task::Status::working: return "working";
    case Task::Status::input_required: return "input_required";
    case Task::Status::completed: return "completed";
    case Task::Status::failed: return "failed";
    case Task::Status::cancelled: return "cancelled";
  }
  return "working";
}

std::shared_ptr<Task> TaskStore::create(std::string owner) {
  auto task = std::make_shared<Task>();
  // Task ids are capabilities for whoever holds them; 144 random bits make them unguessable.
  task->id = crypto::base64url_encode(crypto::random_bytes(18));
  task->owner = std::move(owner);
  task->created = task->updated = std::chrono::system_clock::now();
  const auto now = std::chrono::steady_clock::now();
  task->expires = now + ttl_;
  std::lock_guard lock(mutex_);
  sweep(now);
  if (tasks_.size() >= capacity_) return nullptr;
  tasks_.emplace(task->id, task);
  return task;
}

std::shared_ptr<Task> TaskStore::find(std::string_view id, std::string_view owner) {
  std::lock_guard lock(mutex_);
  sweep(std::chrono::steady_clock::now());
  const auto it = tasks_.find(std::string(id));
  if (it == tasks_.end() || it->second->owner != owner) return nullptr;
  return it->second;
}

void TaskStore::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, task] : tasks_) {
    // Under the task's lock, so a runner between its predicate check and its wait cannot miss the wake-up.
    std::lock_guard task_lock(task->mutex);
    task->cancelled->store(true);
    task->changed.notify_all();
  }
}

void TaskStore::sweep(std::chrono::steady_clock::time_point now) {
  std::erase_if(tasks_, [now](const auto& kv) {
    if (kv.second->expires > now) return false;
    std::lock_guard task_lock(kv.second->mutex);
    kv.second->cancelled->store(true);  // an expired task's runner stops at its next check
    kv.second->changed.notify_all();
    return true;
  });
}

}  // namespace pierre::mcp
