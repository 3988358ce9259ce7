#include "sqlite/sqlite_connection.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <filesystem>
#include <limits>
#include <unordered_map>

namespace pierre::store::detail {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct FinalizeStmt {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, FinalizeStmt>;

constexpr std::size_t max_cached_statements = 256;

// Driver text goes to the log only; the Error carries a generic message.
Error driver_error(sqlite3* db, int rc) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error(ErrorCode::resource_already_exists, "resource already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error(ErrorCode::invalid_input, "referenced resource does not exist");
    default:
      break;
  }
  spdlog::warn("store: sqlite error {} ({})", extended, detail);
  if ((extended & 0xff) == SQLITE_BUSY || (extended & 0xff) == SQLITE_LOCKED) {
    return Error(ErrorCode::database_error, "database is busy");
  }
  return Error(ErrorCode::database_error, "database error");
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(DbPtr db) noexcept : db_(std::move(db)) {}

  Result<QueryResult> run(const std::string& sql, std::span<const Value> params) override {
    auto stmt = prepare(sql);
    if (!stmt) return std::unexpected(std::move(stmt.error()));
    sqlite3_stmt* s = *stmt;
    // Leave the cached statement reset and unbound whatever happens below.
    struct ResetGuard {
      sqlite3_stmt* s;
      ~ResetGuard() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } guard{s};

    if (static_cast<std::size_t>(sqlite3_bind_parameter_count(s)) != params.size()) {
      return fail(ErrorCode::internal_error, "statement parameter count mismatch");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (auto bound = bind(s, static_cast<int>(i + 1), params[i]); !bound) return std::unexpected(bound.error());
    }

    QueryResult result;
    const int columns = sqlite3_column_count(s);
    Row::Columns names;
    if (columns > 0) {
      auto list = std::make_shared<std::vector<std::string>>();
      for (int c = 0; c < columns; ++c) {
        const char* name = sqlite3_column_name(s, c);
        list->emplace_back(name != nullptr ? name : "");
      }
      names = std::move(list);
    }
    while (true) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return std::unexpected(driver_error(db_.get(), rc));
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) values.push_back(column_value(s, c));
      result.rows.emplace_back(names, std::move(values));
    }
    if (sqlite3_stmt_readonly(s) == 0) result.affected_rows = sqlite3_changes64(db_.get());
    return result;
  }

  Result<void> run_script(std::string_view sql) override {
    const char* next = sql.data();
    const char* end = sql.data() + sql.size();
    while (next < end) {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      const int rc = sqlite3_prepare_v2(db_.get(), next, static_cast<int>(end - next), &raw, &tail);
      StmtPtr stmt(raw);
      if (rc != SQLITE_OK) return std::unexpected(driver_error(db_.get(), rc));
      next = tail;
      if (!stmt) continue;  // whitespace or a comment
      int step = SQLITE_ROW;
      while (step == SQLITE_ROW) step = sqlite3_step(stmt.get());
      if (step != SQLITE_DONE) return std::unexpected(driver_error(db_.get(), step));
    }
    return {};
  }

  bool in_transaction() const noexcept override { return sqlite3_get_autocommit(db_.get()) == 0; }
  bool transaction_failed() const noexcept override { return false; }

  void reset_after_use() noexcept override {
    if (in_transaction()) {
      if (sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) {
        spdlog::error("store: sqlite rollback of an abandoned transaction failed: {}", sqlite3_errmsg(db_.get()));
      }
    }
  }

  Result<void> configure(std::chrono::milliseconds busy_timeout) {
    const auto ms = std::min<long long>(busy_timeout.count(), std::numeric_limits<int>::max());
    sqlite3_busy_timeout(db_.get(), static_cast<int>(ms));
    sqlite3_extended_result_codes(db_.get(), 1);
    // journal_mode=WAL returns a row ("wal", or "memory" for an in-memory database); run_script steps it through.
    return run_script("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
  }

 private:
  Result<sqlite3_stmt*> prepare(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
    if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      return fail(ErrorCode::internal_error, "statement too long");
    }
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return std::unexpected(driver_error(db_.get(), rc));
    if (!stmt) return fail(ErrorCode::internal_error, "empty statement");
    if (cache_.size() >= max_cached_statements) cache_.clear();
    return cache_.emplace(sql, std::move(stmt)).first->second.get();
  }

  Result<void> bind(sqlite3_stmt* s, int index, const Value& v) {
    int rc = SQLITE_OK;
    switch (v.type()) {
      case ValueType::null:
        rc = sqlite3_bind_null(s, index);
        break;
      case ValueType::int64:
        rc = sqlite3_bind_int64(s, index, *v.if_int64());
        break;
      case ValueType::real:
        rc = sqlite3_bind_double(s, index, *v.if_real());
        break;
      case ValueType::text: {
        const auto& text = *v.if_text();
        rc = sqlite3_bind_text64(s, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      }
      case ValueType::blob: {
        const auto& blob = *v.if_blob();
        // A null data pointer would bind NULL rather than an empty blob.
        rc = blob.empty() ? sqlite3_bind_zeroblob(s, index, 0)
                          : sqlite3_bind_blob64(s, index, blob.data(), blob.size(), SQLITE_STATIC);
        break;
      }
    }
    if (rc != SQLITE_OK) return std::unexpected(driver_error(db_.get(), rc));
    return {};
  }

  static Value column_value(sqlite3_stmt* s, int c) {
    switch (sqlite3_column_type(s, c)) {
      case SQLITE_INTEGER:
        return Value(static_cast<std::int64_t>(sqlite3_column_int64(s, c)));
      case SQLITE_FLOAT:
        return Value(sqlite3_column_double(s, c));
      case SQLITE_TEXT: {
        const auto* text = sqlite3_column_text(s, c);
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, c));
        return Value(std::string(reinterpret_cast<const char*>(text), size));
      }
      case SQLITE_BLOB: {
        const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, c));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, c));
        return Value(data == nullptr ? Blob{} : Blob(data, data + size));
      }
      default:
        return Value();
    }
  }

  DbPtr db_;  // declared first: destroyed after the cached statements
  std::unordered_map<std::string, StmtPtr> cache_;
};

}  // namespace

Result<std::unique_ptr<Connection>> open_sqlite(const SqliteSettings& settings) {
  const bool memory = settings.path == ":memory:";
  if (!memory) {
    const auto parent = std::filesystem::path(settings.path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return fail(ErrorCode::config_invalid,
                  "DATABASE_URL: directory '" + parent.string() + "' does not exist (create it first)");
    }
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(settings.path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    spdlog::warn("store: cannot open sqlite database: {}", db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc));
    return fail(ErrorCode::database_error, "cannot open the SQLite database");
  }
  auto conn = std::make_unique<SqliteConnection>(std::move(db));
  if (auto configured = conn->configure(settings.busy_timeout); !configured) {
    return std::unexpected(std::move(configured.error()));
  }
  return conn;
}

}  // namespace pierre::store::detail
