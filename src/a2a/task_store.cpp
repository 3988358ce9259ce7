#include "task_store.hpp"

#include <fmt/format.h>

namespace pierre::a2a {
namespace {

using json = nlohmann::json;

constexpr const char* kTaskColumns =
    "id, user_id, context_id, tool, state, status_message, history, artifacts, arguments, created_at, updated_at";

Result<json> parse_column(const store::Row& row, const char* name, bool nullable) {
  auto text = row.get<std::optional<std::string>>(name);
  if (!text) return std::unexpected(text.error());
  if (!*text) {
    if (nullable) return json(nullptr);
    return fail(ErrorCode::database_error, "malformed a2a task row");
  }
  auto parsed = json::parse(**text, nullptr, false);
  if (parsed.is_discarded()) return fail(ErrorCode::database_error, "malformed a2a task row");
  return parsed;
}

Result<Task> task_from_row(const store::Row& r) {
  Task t;
  auto id = r.get<std::string>("id");
  auto user = r.get<std::string>("user_id");
  auto context = r.get<std::string>("context_id");
  auto tool = r.get<std::string>("tool");
  auto state = r.get<std::string>("state");
  auto created = r.get<std::int64_t>("created_at");
  auto updated = r.get<std::int64_t>("updated_at");
  auto status_message = parse_column(r, "status_message", true);
  auto history = parse_column(r, "history", false);
  auto artifacts = parse_column(r, "artifacts", false);
  auto arguments = parse_column(r, "arguments", false);
  if (!id || !user || !context || !tool || !state || !created || !updated || !status_message || !history ||
      !artifacts || !arguments) {
    return fail(ErrorCode::database_error, "malformed a2a task row");
  }
  const auto parsed_state = state_from_stored(*state);
  if (!parsed_state) return fail(ErrorCode::database_error, "malformed a2a task row");
  t.id = std::move(*id);
  t.user_id = std::move(*user);
  t.context_id = std::move(*context);
  t.tool = std::move(*tool);
  t.state = *parsed_state;
  t.status_message = std::move(*status_message);
  t.history = std::move(*history);
  t.artifacts = std::move(*artifacts);
  t.arguments = std::move(*arguments);
  t.created_at_ms = *created;
  t.updated_at_ms = *updated;
  return t;
}

store::Value status_message_value(const Task& task) {
  if (task.status_message.is_null()) return store::Value();
  return store::Value(task.status_message.dump());
}

}  // namespace

Result<void> TaskStore::create(const Owner& owner, const Task& task) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto inserted = scope.execute(
      "INSERT INTO a2a_tasks (tenant_id, id, user_id, context_id, tool, state, status_message, history, artifacts, "
      "arguments, created_at, updated_at) VALUES (:tenant, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      {task.id, owner.user_id, task.context_id, task.tool, std::string(stored_name(task.state)),
       status_message_value(task), task.history.dump(), task.artifacts.dump(), task.arguments.dump(),
       task.created_at_ms, task.updated_at_ms});
  if (!inserted) return std::unexpected(inserted.error());
  return {};
}

Result<std::optional<Task>> TaskStore::get(const Owner& owner, std::string_view id) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row(
      std::string("SELECT ") + kTaskColumns + " FROM a2a_tasks WHERE tenant_id = :tenant AND user_id = ?1 AND id = ?2",
      {owner.user_id, std::string(id)});
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Task>();
  auto task = task_from_row(**row);
  if (!task) return std::unexpected(task.error());
  return std::optional<Task>(std::move(*task));
}

Result<bool> TaskStore::update(const Owner& owner, const Task& task) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto updated = scope.execute(
      "UPDATE a2a_tasks SET state = ?1, status_message = ?2, history = ?3, artifacts = ?4, arguments = ?5, "
      "updated_at = ?6 WHERE tenant_id = :tenant AND user_id = ?7 AND id = ?8 "
      "AND state IN ('submitted', 'working', 'input_required')",
      {std::string(stored_name(task.state)), status_message_value(task), task.history.dump(), task.artifacts.dump(),
       task.arguments.dump(), task.updated_at_ms, owner.user_id, task.id});
  if (!updated) return std::unexpected(updated.error());
  return *updated == 1;
}

Result<TaskPage> TaskStore::list(const Owner& owner, const TaskFilter& filter, std::size_t page_size,
                                 std::string_view page_token) {
  // The WHERE clause is shared by the page and the count, so totalSize counts exactly what paging walks.
  std::string where = "WHERE tenant_id = :tenant AND user_id = ?1";
  store::Params params{owner.user_id};
  // The list name binds the user and every filter into the page token: a token only continues the walk it came from.
  // JSON keeps the parts unambiguous whatever characters a context id holds.
  nlohmann::json list_name = {{"list", "a2a_tasks"}, {"user", owner.user_id}};
  const auto add = [&](const char* condition, store::Value value) {
    params.push_back(std::move(value));
    where += fmt::format(" AND {} ?{}", condition, params.size());
  };
  if (filter.context_id) {
    add("context_id =", *filter.context_id);
    list_name["contextId"] = *filter.context_id;
  }
  if (filter.state) {
    add("state =", std::string(stored_name(*filter.state)));
    list_name["status"] = std::string(stored_name(*filter.state));
  }
  if (filter.updated_since_ms) {
    add("updated_at >=", *filter.updated_since_ms);
    list_name["after"] = *filter.updated_since_ms;
  }

  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  store::KeysetQuery q;
  q.list = list_name.dump();
  q.select = std::string("SELECT ") + kTaskColumns + " FROM a2a_tasks " + where;
  q.params = params;
  // §3.1.4 Ordering: most recently updated first; the id breaks ties so the keyset is total.
  q.sort_column = "updated_at";
  q.id_column = "id";
  q.order = store::SortOrder::descending;
  q.limit = page_size;
  q.after = std::string(page_token);
  auto page = store::fetch_page(scope, cursors_, q);
  if (!page) return std::unexpected(page.error());

  auto count = scope.query_row("SELECT COUNT(*) AS n FROM a2a_tasks " + where, std::move(params));
  if (!count) return std::unexpected(count.error());
  if (!*count) return fail(ErrorCode::database_error, "a2a task count returned no row");
  auto total = (*count)->get<std::int64_t>("n");
  if (!total) return std::unexpected(total.error());

  TaskPage out;
  out.total_size = *total;
  out.next_page_token = page->next_cursor.value_or("");
  out.tasks.reserve(page->items.size());
  for (const auto& row : page->items) {
    auto task = task_from_row(row);
    if (!task) return std::unexpected(task.error());
    out.tasks.push_back(std::move(*task));
  }
  return out;
}

}  // namespace pierre::a2a
