#pragma once
// A2A tasks in the a2a_tasks table (migration 009), scoped by tenant and visible only to the user who created them.
// Module-internal.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"
#include "protocol.hpp"

namespace pierre::a2a {

struct Owner {
  std::string tenant_id;
  std::string user_id;
};

// ListTasks' filters (A2A v1.0 §3.1.4, ListTasksRequest); an absent one does not filter.
struct TaskFilter {
  std::optional<std::string> context_id;
  std::optional<TaskState> state;
  std::optional<std::int64_t> updated_since_ms;  // statusTimestampAfter: updated_at >= this
};

struct TaskPage {
  std::vector<Task> tasks;      // most recently updated first
  std::string next_page_token;  // empty on the last page
  std::int64_t total_size = 0;  // tasks matching the filter, all pages together
};

class TaskStore {
 public:
  // `cursors` signs ListTasks page tokens (bound to tenant, user and filter).
  TaskStore(store::Database& db, store::CursorCodec cursors) : db_(db), cursors_(std::move(cursors)) {}

  Result<void> create(const Owner& owner, const Task& task);
  // nullopt when the task does not exist for this owner (another tenant's or user's task looks the same).
  Result<std::optional<Task>> get(const Owner& owner, std::string_view id);
  // Writes the task's state, status, history, artifacts and arguments — only while the stored task is not terminal.
  // false when it already was (e.g. canceled meanwhile): the caller's transition lost and must not be reported.
  Result<bool> update(const Owner& owner, const Task& task);
  // One page of the owner's tasks matching `filter`, ordered by (updated_at, id) descending. `page_token` is the
  // previous page's next_page_token ("" for the first page); a token that is garbage, tampered with, or from another
  // user, tenant or filter is ErrorCode::invalid_cursor. `page_size`: 1..store::max_page_size.
  Result<TaskPage> list(const Owner& owner, const TaskFilter& filter, std::size_t page_size,
                        std::string_view page_token);

 private:
  store::Database& db_;
  store::CursorCodec cursors_;
};

}  // namespace pierre::a2a
