#pragma once
// A2A tasks in the a2a_tasks table (migration 009), scoped by tenant and visible only to the user who created them.
// Module-internal.

#include <optional>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"
#include "protocol.hpp"

namespace pierre::a2a {

struct Owner {
  std::string tenant_id;
  std::string user_id;
};

class TaskStore {
 public:
  explicit TaskStore(store::Database& db) : db_(db) {}

  Result<void> create(const Owner& owner, const Task& task);
  // nullopt when the task does not exist for this owner (another tenant's or user's task looks the same).
  Result<std::optional<Task>> get(const Owner& owner, std::string_view id);
  // Writes the task's state, status, history, artifacts and arguments — only while the stored task is not terminal.
  // false when it already was (e.g. canceled meanwhile): the caller's transition lost and must not be reported.
  Result<bool> update(const Owner& owner, const Task& task);

 private:
  store::Database& db_;
};

}  // namespace pierre::a2a
