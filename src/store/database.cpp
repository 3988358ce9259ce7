#include "pierre/store/database.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "connection.hpp"
#include "migrations.hpp"
#include "pool.hpp"
#include "postgres/pg_connection.hpp"
#include "sql_text.hpp"
#include "sqlite/sqlite_connection.hpp"

namespace pierre::store {

namespace detail {

struct DatabaseState {
  Dialect dialect = Dialect::sqlite;
  std::unique_ptr<ConnectionPool> pool;
  TableSet scoped_tables;
  std::vector<std::string> scoped_list;
};

namespace {

struct ParsedUrl {
  Dialect dialect = Dialect::sqlite;
  std::string target;  // SQLite path (or ":memory:"), or the PostgreSQL URI as given
};

// Never echoes more of the URL than its scheme: a PostgreSQL URL may carry a password.
Result<ParsedUrl> parse_url(std::string_view url) {
  if (url.empty()) return fail(ErrorCode::config_invalid, "DATABASE_URL is empty");
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return ParsedUrl{Dialect::postgresql, std::string(url)};
  }
  if (url.starts_with("sqlite:")) {
    auto rest = url.substr(7);
    if (rest.starts_with("//")) rest.remove_prefix(2);  // sqlite://relative/path, sqlite:///absolute/path
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
      // sqlx-style options from Pierre deployments: only the create-if-missing mode, which is what we do anyway.
      const auto query = rest.substr(q + 1);
      if (query != "mode=rwc" && query != "mode=rw") {
        return fail(ErrorCode::config_invalid, "DATABASE_URL: unsupported sqlite option (only mode=rwc)");
      }
      rest = rest.substr(0, q);
    }
    if (rest.empty()) {
      return fail(ErrorCode::config_invalid, "DATABASE_URL: sqlite: needs a file path or :memory:");
    }
    return ParsedUrl{Dialect::sqlite, std::string(rest)};
  }
  const auto colon = url.find(':');
  const auto scheme = url.substr(0, colon);
  const bool plausible_scheme =
      colon != std::string_view::npos && !scheme.empty() && scheme.size() <= 20 &&
      std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+';
      });
  if (plausible_scheme) {
    return fail(ErrorCode::config_invalid, "DATABASE_URL: unsupported scheme '" + std::string(scheme) +
                                               "' (expected sqlite:PATH, sqlite::memory: or postgresql://...)");
  }
  return fail(ErrorCode::config_invalid,
              "DATABASE_URL: expected sqlite:PATH, sqlite::memory: or postgresql://user:password@host:port/db");
}

std::size_t default_pool_size() noexcept { return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 2, 16); }

Result<void> load_scoped_tables(Connection& conn, DatabaseState& state) {
  const std::string sql =
      state.dialect == Dialect::sqlite
          ? "SELECT DISTINCT m.name AS name FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p"
            " WHERE m.type IN ('table', 'view') AND p.name = 'tenant_id'"
          : "SELECT DISTINCT table_name AS name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'tenant_id'";
  auto rows = conn.run(sql, {});
  if (!rows) return std::unexpected(std::move(rows.error()));
  for (const auto& row : rows->rows) {
    auto name = row.get<std::string>("name");
    if (!name) return std::unexpected(std::move(name.error()));
    std::transform(name->begin(), name->end(), name->begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    state.scoped_tables.insert(*name);
  }
  state.scoped_list.assign(state.scoped_tables.begin(), state.scoped_tables.end());
  return {};
}

}  // namespace
}  // namespace detail

// ---- Executor -------------------------------------------------------------------------------------------------

Executor::Executor(std::shared_ptr<detail::DatabaseState> state) noexcept : state_(std::move(state)) {}
Executor::Executor(Executor&&) noexcept = default;
Executor& Executor::operator=(Executor&&) noexcept = default;
Executor::~Executor() = default;

Result<QueryResult> Executor::run_checked(std::string_view sql, Params params, const TenantId* tenant) {
  auto statement = detail::tokenize(sql);
  if (!statement) return std::unexpected(std::move(statement.error()));
  if (tenant != nullptr) {
    if (tenant->str().empty()) return fail(ErrorCode::internal_error, "tenant scope with an empty tenant id");
    if (auto ok = detail::check_scoped(*statement, state_->scoped_tables); !ok) return std::unexpected(ok.error());
  } else {
    if (auto ok = detail::check_unscoped(*statement, state_->scoped_tables); !ok) {
      return std::unexpected(ok.error());
    }
  }
  auto native = detail::render(sql, *statement, params.size(), state_->dialect);
  if (!native) return std::unexpected(std::move(native.error()));
  const bool uses_tenant = std::any_of(statement->tokens.begin(), statement->tokens.end(),
                                       [](const auto& t) { return t.kind == detail::Token::Kind::tenant; });
  if (uses_tenant) params.emplace_back(tenant->str());
  return run_native(*native, params);
}

Result<QueryResult> Executor::query(std::string_view sql, Params params) {
  return run_checked(sql, std::move(params), nullptr);
}

Result<std::optional<Row>> Executor::query_row(std::string_view sql, Params params) {
  auto result = run_checked(sql, std::move(params), nullptr);
  if (!result) return std::unexpected(std::move(result.error()));
  if (result->rows.empty()) return std::optional<Row>{};
  return std::optional<Row>{std::move(result->rows.front())};
}

Result<std::int64_t> Executor::execute(std::string_view sql, Params params) {
  auto result = run_checked(sql, std::move(params), nullptr);
  if (!result) return std::unexpected(std::move(result.error()));
  return result->affected_rows;
}

TenantScope Executor::tenant(TenantId tenant) { return TenantScope(*this, std::move(tenant)); }

// ---- TenantScope ----------------------------------------------------------------------------------------------

Result<QueryResult> TenantScope::query(std::string_view sql, Params params) const {
  return executor_->run_checked(sql, std::move(params), &tenant_);
}

Result<std::optional<Row>> TenantScope::query_row(std::string_view sql, Params params) const {
  auto result = executor_->run_checked(sql, std::move(params), &tenant_);
  if (!result) return std::unexpected(std::move(result.error()));
  if (result->rows.empty()) return std::optional<Row>{};
  return std::optional<Row>{std::move(result->rows.front())};
}

Result<std::int64_t> TenantScope::execute(std::string_view sql, Params params) const {
  auto result = executor_->run_checked(sql, std::move(params), &tenant_);
  if (!result) return std::unexpected(std::move(result.error()));
  return result->affected_rows;
}

// ---- Transaction ----------------------------------------------------------------------------------------------

struct Transaction::Held {
  std::optional<detail::ConnectionPool::Lease> lease;  // released as soon as the transaction ends
};

Transaction::Transaction(std::shared_ptr<detail::DatabaseState> state, std::unique_ptr<Held> held) noexcept
    : Executor(std::move(state)), held_(std::move(held)) {}

Transaction::Transaction(Transaction&& other) noexcept = default;

Transaction::~Transaction() {
  if (active()) {
    if (auto rolled_back = rollback(); !rolled_back) {
      spdlog::warn("store: rollback on scope exit failed: {}", rolled_back.error().message);
    }
  }
}

bool Transaction::active() const noexcept { return held_ && held_->lease.has_value(); }

Result<QueryResult> Transaction::run_native(const std::string& sql, const Params& params) {
  if (!active()) return fail(ErrorCode::internal_error, "transaction already ended");
  return (*held_->lease)->run(sql, params);
}

Result<void> Transaction::commit() {
  if (!active()) return fail(ErrorCode::internal_error, "transaction already ended");
  auto& conn = **held_->lease;
  Result<void> outcome;
  if (conn.transaction_failed()) {
    // PostgreSQL would answer COMMIT with a silent ROLLBACK.
    outcome = fail(ErrorCode::database_error, "transaction aborted by an earlier error");
  } else {
    outcome = conn.run_script("COMMIT");
  }
  held_->lease.reset();  // returns the connection; reset_after_use() rolls back whatever is still open
  return outcome;
}

Result<void> Transaction::rollback() {
  if (!active()) return fail(ErrorCode::internal_error, "transaction already ended");
  auto outcome = (**held_->lease).run_script("ROLLBACK");
  held_->lease.reset();
  return outcome;
}

// ---- Database -------------------------------------------------------------------------------------------------

Database::Database(std::shared_ptr<detail::DatabaseState> state) noexcept : Executor(std::move(state)) {}
Database::~Database() = default;

std::string_view Database::backend() const noexcept {
  return state()->dialect == detail::Dialect::sqlite ? "sqlite" : "postgresql";
}

Result<void> Database::ping() {
  auto lease = state()->pool->acquire();
  if (!lease) return std::unexpected(std::move(lease.error()));
  auto result = (*lease)->run("SELECT 1", {});
  if (!result) return std::unexpected(std::move(result.error()));
  return {};
}

Result<std::int64_t> Database::schema_version() {
  auto lease = state()->pool->acquire();
  if (!lease) return std::unexpected(std::move(lease.error()));
  return detail::applied_version(**lease, state()->dialect);
}

std::int64_t Database::latest_schema_version() noexcept {
  std::int64_t latest = 0;
  for (const auto& f : detail::embedded_migration_files()) latest = std::max(latest, f.version);
  return latest;
}

const std::vector<std::string>& Database::tenant_scoped_tables() const noexcept { return state()->scoped_list; }

Result<Transaction> Database::begin() {
  auto lease = state()->pool->acquire();
  if (!lease) return std::unexpected(std::move(lease.error()));
  const auto* begin_sql = state()->dialect == detail::Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  if (auto begun = (*lease)->run_script(begin_sql); !begun) return std::unexpected(begun.error());
  auto held = std::make_unique<Transaction::Held>();
  held->lease.emplace(std::move(*lease));
  return Transaction(state(), std::move(held));
}

Result<QueryResult> Database::run_native(const std::string& sql, const Params& params) {
  auto lease = state()->pool->acquire();
  if (!lease) return std::unexpected(std::move(lease.error()));
  return (*lease)->run(sql, params);
}

Result<std::unique_ptr<Database>> open(std::string_view url, const OpenOptions& options) {
  auto parsed = detail::parse_url(url);
  if (!parsed) return std::unexpected(std::move(parsed.error()));

  auto state = std::make_shared<detail::DatabaseState>();
  state->dialect = parsed->dialect;
  detail::ConnectionPool::Factory factory;
  std::size_t size = options.pool_size != 0 ? options.pool_size : detail::default_pool_size();
  if (parsed->dialect == detail::Dialect::sqlite) {
    // Each connection to ":memory:" would be a separate database, so an in-memory database has exactly one.
    if (parsed->target == ":memory:") size = 1;
    factory = [settings = detail::SqliteSettings{parsed->target, options.busy_timeout}] {
      return detail::open_sqlite(settings);
    };
  } else {
    factory = [target = parsed->target] { return detail::open_postgres(target); };
  }
  auto pool = detail::ConnectionPool::create(factory, size, options.acquire_timeout);
  if (!pool) return std::unexpected(std::move(pool.error()));
  state->pool = std::move(*pool);

  {
    auto lease = state->pool->acquire();
    if (!lease) return std::unexpected(std::move(lease.error()));
    if (options.apply_migrations) {
      auto migrations = detail::migrations_for(state->dialect, detail::embedded_migration_files());
      if (!migrations) return std::unexpected(std::move(migrations.error()));
      auto version = detail::apply_migrations(**lease, state->dialect, *migrations);
      if (!version) return std::unexpected(std::move(version.error()));
    }
    if (auto loaded = detail::load_scoped_tables(**lease, *state); !loaded) return std::unexpected(loaded.error());
  }
  return std::unique_ptr<Database>(new Database(std::move(state)));
}

}  // namespace pierre::store
