#pragma once
// store::Database — one interface over SQLite and PostgreSQL, chosen by DATABASE_URL:
//   sqlite:./data/pierre.db      a file (its directory must exist; the caller creates it)
//   sqlite::memory:              a private in-memory database (one connection; for tests and tools)
//   postgresql://user:pw@host:5432/db?...   (or postgres://) — anything libpq accepts in a URI
// open() connects a small connection pool and applies pending migrations before returning.
//
// SQL text and placeholders
//   Statements are one SQL statement written in the common subset of both dialects, with values bound only
//   through numbered placeholders `?1`, `?2`, ... (rendered as `$1`... for PostgreSQL). Every placeholder
//   ?1..?N must appear and N must equal params.size(). Bare `?`, `$1`, `:name`, multiple statements and
//   hand-written BEGIN/COMMIT/SAVEPOINT are rejected before reaching the driver, so there is no way to splice a
//   value into SQL by accident. (Use jsonb_exists() rather than PostgreSQL's `?` operator.) Violations are
//   programming errors: internal_error.
//
// Tenant scoping (how "every query filters by tenant" is enforced by the API, not by callers remembering)
//   * Every table with a `tenant_id` column is tenant-scoped. The list is read from the schema after migrating,
//     so a new migration's tables are covered without registering them anywhere (tenant_scoped_tables()).
//   * Database/Transaction::query/execute reject any statement that mentions a tenant-scoped table.
//     The only way to reach one is `executor.tenant(TenantId)` → TenantScope, which binds the tenant id itself
//     to the reserved placeholder `:tenant`; callers cannot supply it as an ordinary parameter.
//   * A TenantScope statement is checked token by token (outside string literals and comments) before it runs:
//       - each reference to a scoped table (in FROM/JOIN/UPDATE/DELETE, subqueries included) must be covered by a
//         predicate `tenant_id = :tenant` (or `:tenant = tenant_id`), qualified with that table's alias or name,
//         or an unqualified one — unqualified predicates cover at most one reference each;
//       - `tenant_id` may only be compared or assigned with `= :tenant` (no `tenant_id = ?2`, `IN`, `<>`...);
//       - INSERT INTO a scoped table must list `tenant_id` and give `:tenant` as its value in every VALUES row
//         (INSERT ... SELECT into a scoped table is rejected), and `ON CONFLICT ... DO UPDATE` must name
//         `tenant_id` in its conflict target so an upsert cannot land on another tenant's row;
//       - REPLACE (SQLite's delete-then-insert) is rejected.
//     This is a guard against forgetting the tenant predicate, not a SQL parser: it does not reason about OR/NOT
//     around the predicate. Statement texts are constants in our source, so review covers the rest.
//   * Violations are ErrorCode::internal_error, message "tenant scoping violation: <reason>" (names the table,
//     never quotes SQL text), also logged at error level.
//
// Errors: driver failures map to database_error with a generic message (no SQL, no connection string);
// unique violations → resource_already_exists; foreign-key violations → invalid_input. Details are logged.
//
// Threads: Database is safe to share between threads. Each call on it checks out a pooled connection for the
// duration of that statement (autocommit). A Transaction holds one connection until commit/rollback/destruction
// and must be used by one thread at a time. TenantScope and Transaction must not outlive what created them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/store/value.hpp"

namespace pierre::store {

namespace detail {
struct DatabaseState;
}

// A tenant's id. A distinct type so a user id or an arbitrary string cannot be passed where the tenant that
// scopes a query is meant.
class TenantId {
 public:
  explicit TenantId(std::string value) noexcept : value_(std::move(value)) {}
  [[nodiscard]] const std::string& str() const noexcept { return value_; }
  friend bool operator==(const TenantId&, const TenantId&) = default;

 private:
  std::string value_;
};

class TenantScope;

// Something that runs statements: the Database itself (one pooled connection per call) or a Transaction.
class Executor {
 public:
  virtual ~Executor();

  // Runs one statement on tables that are not tenant-scoped (see the header comment).
  Result<QueryResult> query(std::string_view sql, Params params = {});
  // The first row, or nullopt when the statement returned none.
  Result<std::optional<Row>> query_row(std::string_view sql, Params params = {});
  // Rows affected.
  Result<std::int64_t> execute(std::string_view sql, Params params = {});

  // The only door to tenant-scoped tables. The scope refers to this executor: do not let it outlive it.
  [[nodiscard]] TenantScope tenant(TenantId tenant);

 protected:
  explicit Executor(std::shared_ptr<detail::DatabaseState> state) noexcept;
  Executor(Executor&&) noexcept;
  Executor& operator=(Executor&&) noexcept;
  [[nodiscard]] const std::shared_ptr<detail::DatabaseState>& state() const noexcept { return state_; }

 private:
  friend class TenantScope;
  Result<QueryResult> run_checked(std::string_view sql, Params params, const TenantId* tenant);
  // Runs a statement already checked and rendered in the backend's dialect.
  virtual Result<QueryResult> run_native(const std::string& sql, const Params& params) = 0;

  std::shared_ptr<detail::DatabaseState> state_;
};

// Statements bound to one tenant: `:tenant` in the SQL is always that tenant's id. Create with
// `db.tenant(id)` or `txn.tenant(id)`.
class TenantScope {
 public:
  [[nodiscard]] const TenantId& tenant_id() const noexcept { return tenant_; }

  Result<QueryResult> query(std::string_view sql, Params params = {}) const;
  Result<std::optional<Row>> query_row(std::string_view sql, Params params = {}) const;
  Result<std::int64_t> execute(std::string_view sql, Params params = {}) const;

 private:
  friend class Executor;
  TenantScope(Executor& executor, TenantId tenant) noexcept : executor_(&executor), tenant_(std::move(tenant)) {}

  Executor* executor_;
  TenantId tenant_;
};

// A database transaction on one pooled connection. Rolls back on destruction unless commit() succeeded.
// On SQLite it starts with BEGIN IMMEDIATE (takes the write lock up front, waiting up to the busy timeout), so
// read-modify-write inside a transaction cannot fail half-way with SQLITE_BUSY; on PostgreSQL it is a plain
// BEGIN (READ COMMITTED): use UPDATE ... SET n = n + 1 or SELECT ... FOR UPDATE for read-modify-write there.
class Transaction final : public Executor {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction() override;

  Result<void> commit();
  Result<void> rollback();
  [[nodiscard]] bool active() const noexcept;

 private:
  friend class Database;
  struct Held;
  Transaction(std::shared_ptr<detail::DatabaseState> state, std::unique_ptr<Held> held) noexcept;
  Result<QueryResult> run_native(const std::string& sql, const Params& params) override;

  std::unique_ptr<Held> held_;
};

struct OpenOptions {
  // Pooled connections; 0 = one per hardware thread (at least 2, at most 16). sqlite::memory: always uses 1.
  std::size_t pool_size = 0;
  // How long a call waits for a free pooled connection before failing with resource_unavailable.
  std::chrono::milliseconds acquire_timeout{30'000};
  // SQLite: how long a statement waits for another connection's write lock before failing.
  std::chrono::milliseconds busy_timeout{10'000};
  // Off only for tools that inspect a database without changing it (and the tests' schema setup).
  bool apply_migrations = true;
};

class Database final : public Executor {
 public:
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() override;

  // "sqlite" or "postgresql".
  [[nodiscard]] std::string_view backend() const noexcept;
  // A round trip on a pooled connection (GET /ready).
  Result<void> ping();
  // Highest applied migration version (0 before any).
  Result<std::int64_t> schema_version();
  // Highest migration version compiled into this binary.
  [[nodiscard]] static std::int64_t latest_schema_version() noexcept;
  // Tables that have a tenant_id column, lower-case, sorted.
  [[nodiscard]] const std::vector<std::string>& tenant_scoped_tables() const noexcept;

  Result<Transaction> begin();

 private:
  friend Result<std::unique_ptr<Database>> open(std::string_view url, const OpenOptions& options);
  explicit Database(std::shared_ptr<detail::DatabaseState> state) noexcept;
  Result<QueryResult> run_native(const std::string& sql, const Params& params) override;
};

// Parses DATABASE_URL (config_invalid on a malformed or unsupported URL, never echoing credentials), connects,
// and applies pending migrations in one transaction recorded in `schema_migrations` (PostgreSQL: under an
// advisory lock; SQLite: BEGIN IMMEDIATE), so concurrent starts apply each migration once.
Result<std::unique_ptr<Database>> open(std::string_view url, const OpenOptions& options = {});

}  // namespace pierre::store
