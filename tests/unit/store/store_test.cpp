// One suite, every case run against each backend (tests/support/backend_fixture.hpp says how).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"

#include "backend_fixture.hpp"

namespace pierre::store {
namespace {

using pierre::testing::describe;
using pierre::testing::random_hex;

class StoreTest : public pierre::testing::BackendTest {
 protected:
  std::string blob_type() const { return is_postgres() ? "BYTEA" : "BLOB"; }

  void add_tenant(const std::string& id) {
    auto r = db().execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                          {id, "Tenant " + id, "slug-" + id, 1'700'000'000'000});
    ASSERT_TRUE(r) << describe(r);
  }

  void add_user(const TenantScope& scope, const std::string& id, const std::string& email) {
    auto r = scope.execute(
        "INSERT INTO users (id, tenant_id, email, display_name, created_at, updated_at)"
        " VALUES (?1, :tenant, ?2, ?3, ?4, ?4)",
        {id, email, "User " + id, 1'700'000'000'000});
    ASSERT_TRUE(r) << describe(r);
  }

  void add_event(const TenantScope& scope, const std::string& id, std::int64_t created_at,
                 const std::string& kind = "login") {
    auto r = scope.execute(
        "INSERT INTO audit_events (id, tenant_id, created_at, kind, payload) VALUES (?1, :tenant, ?2, ?3, ?4)",
        {id, created_at, kind, std::string("{}")});
    ASSERT_TRUE(r) << describe(r);
  }

  std::int64_t count(const std::string& sql, Params params = {}) {
    auto row = db().query_row(sql, std::move(params));
    EXPECT_TRUE(row && *row) << describe(row);
    return row && *row ? (*row)->get<std::int64_t>(0).value_or(-1) : -1;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite_file", "sqlite_memory", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

// ---- open, migrations, ping -----------------------------------------------------------------------------------

TEST_P(StoreTest, OpenAppliesAllMigrations) {
  EXPECT_EQ(db().backend(), is_postgres() ? "postgresql" : "sqlite");
  auto version = db().schema_version();
  ASSERT_TRUE(version) << describe(version);
  EXPECT_GE(Database::latest_schema_version(), 1);
  EXPECT_EQ(*version, Database::latest_schema_version());
  EXPECT_EQ(count("SELECT count(*) FROM schema_migrations"), Database::latest_schema_version());

  const auto& scoped = db().tenant_scoped_tables();
  EXPECT_NE(std::find(scoped.begin(), scoped.end(), "users"), scoped.end());
  EXPECT_NE(std::find(scoped.begin(), scoped.end(), "audit_events"), scoped.end());
  EXPECT_EQ(std::find(scoped.begin(), scoped.end(), "tenants"), scoped.end());
  EXPECT_EQ(std::find(scoped.begin(), scoped.end(), "schema_migrations"), scoped.end());
}

// Only backends whose data outlives the connection: an in-memory database cannot be reopened.
class PersistentStoreTest : public StoreTest {};
INSTANTIATE_TEST_SUITE_P(Backends, PersistentStoreTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

TEST_P(PersistentStoreTest, ReopenDoesNotReapplyMigrations) {
  add_tenant("t1");
  auto before = db().query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(before) << describe(before);
  db_.reset();

  auto again = open(url_);
  ASSERT_TRUE(again) << describe(again);
  db_ = std::move(*again);
  auto after = db().query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(after) << describe(after);
  ASSERT_EQ(after->rows.size(), before->rows.size());
  for (std::size_t i = 0; i < after->rows.size(); ++i) {
    EXPECT_EQ(after->rows[i].values(), before->rows[i].values());
  }
  EXPECT_EQ(db().schema_version().value_or(-1), Database::latest_schema_version());
  EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE id = ?1", {"t1"}), 1);
}

TEST_P(StoreTest, ConcurrentFirstOpensApplyMigrationsOnce) {
  const std::string url = fresh_url();
  constexpr int openers = 4;
  std::vector<std::unique_ptr<Database>> opened(openers);
  std::vector<std::string> errors(openers);
  std::vector<std::thread> threads;
  for (int i = 0; i < openers; ++i) {
    threads.emplace_back([&, i] {
      auto db = open(url);
      if (db) {
        opened[static_cast<std::size_t>(i)] = std::move(*db);
      } else {
        errors[static_cast<std::size_t>(i)] = describe(db);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < openers; ++i) {
    ASSERT_TRUE(opened[static_cast<std::size_t>(i)]) << errors[static_cast<std::size_t>(i)];
    auto n = opened[static_cast<std::size_t>(i)]->query_row("SELECT count(*) AS n FROM schema_migrations");
    ASSERT_TRUE(n && *n) << describe(n);
    EXPECT_EQ((*n)->get<std::int64_t>("n").value_or(-1), Database::latest_schema_version());
  }
}

TEST_P(StoreTest, Ping) {
  auto pinged = db().ping();
  EXPECT_TRUE(pinged) << describe(pinged);
}

// ---- values and CRUD ------------------------------------------------------------------------------------------

TEST_P(StoreTest, RoundTripsEveryValueType) {
  auto created = db().execute(
      "CREATE TABLE value_types (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION,"
      " t TEXT, b " +
      blob_type() + ")");
  ASSERT_TRUE(created) << describe(created);

  Blob all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<std::uint8_t>(b));
  const std::string tricky = "it's \"quoted\" -- not a comment ?1 :tenant $1 ✓ é";
  const std::string insert = "INSERT INTO value_types (id, i, d, t, b) VALUES (?1, ?2, ?3, ?4, ?5)";

  auto inserted = db().execute(insert, {1, std::numeric_limits<std::int64_t>::max(), 3.25, tricky, all_bytes});
  ASSERT_TRUE(inserted) << describe(inserted);
  EXPECT_EQ(*inserted, 1);
  ASSERT_TRUE(db().execute(insert, {2, std::numeric_limits<std::int64_t>::min(), -1e300, "", Blob{}}));
  ASSERT_TRUE(db().execute(insert, {3, nullptr, std::nullopt, std::optional<std::string>{}, Value()}));
  ASSERT_TRUE(db().execute(insert, {4, true, 0.1, std::string_view("view"), Blob{0, 0, 0}}));

  auto rows = db().query("SELECT id, i, d, t, b FROM value_types ORDER BY id");
  ASSERT_TRUE(rows) << describe(rows);
  ASSERT_EQ(rows->rows.size(), 4u);
  EXPECT_EQ(rows->affected_rows, 0);

  const Row& r1 = rows->rows[0];
  EXPECT_EQ(r1.get<std::int64_t>("i").value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(r1.get<double>("d").value(), 3.25);
  EXPECT_EQ(r1.get<std::string>("t").value(), tricky);
  EXPECT_EQ(r1.get<Blob>("b").value(), all_bytes);

  const Row& r2 = rows->rows[1];
  EXPECT_EQ(r2.get<std::int64_t>("i").value(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(r2.get<double>("d").value(), -1e300);
  EXPECT_EQ(r2.get<std::string>("t").value(), "");  // empty, not NULL
  EXPECT_EQ(r2.get<Blob>("b").value(), Blob{});
  EXPECT_FALSE(r2[4].is_null());

  const Row& r3 = rows->rows[2];
  for (const char* column : {"i", "d", "t", "b"}) {
    ASSERT_NE(r3.find(column), nullptr);
    EXPECT_TRUE(r3.find(column)->is_null()) << column;
  }
  EXPECT_EQ(r3.get<std::optional<std::int64_t>>("i").value(), std::nullopt);
  EXPECT_EQ(r3.get<std::optional<std::string>>("t").value(), std::nullopt);
  EXPECT_FALSE(r3.get<std::int64_t>("i"));  // NULL for a non-optional type is an error

  const Row& r4 = rows->rows[3];
  EXPECT_TRUE(r4.get<bool>("i").value());
  EXPECT_EQ(r4.get<int>("i").value(), 1);
  EXPECT_EQ(r4.get<double>("d").value(), 0.1);
  EXPECT_EQ(r4.get<std::string>(3).value(), "view");
  EXPECT_EQ(r4.get<Blob>("b").value(), (Blob{0, 0, 0}));

  // Type mismatches and missing columns are errors, not crashes or silent conversions.
  EXPECT_EQ(r1.get<std::int64_t>("t").error().code, ErrorCode::database_error);
  EXPECT_EQ(r1.get<std::string>("i").error().code, ErrorCode::database_error);
  EXPECT_EQ(r1.get<std::string>("nope").error().code, ErrorCode::database_error);
  EXPECT_EQ(r1.get<std::string>(99).error().code, ErrorCode::database_error);

  auto updated = db().execute("UPDATE value_types SET t = ?1 WHERE id >= ?2", {"changed", 3});
  ASSERT_TRUE(updated) << describe(updated);
  EXPECT_EQ(*updated, 2);
  auto returned = db().query("UPDATE value_types SET i = i + 1 WHERE id = ?1 RETURNING id, i", {4});
  ASSERT_TRUE(returned) << describe(returned);
  ASSERT_EQ(returned->rows.size(), 1u);
  EXPECT_EQ(returned->rows[0].get<std::int64_t>("i").value(), 2);
  EXPECT_EQ(returned->affected_rows, 1);
  auto deleted = db().execute("DELETE FROM value_types WHERE id IN (?1, ?2)", {1, 2});
  ASSERT_TRUE(deleted) << describe(deleted);
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(count("SELECT count(*) FROM value_types"), 2);

  auto none = db().query_row("SELECT id FROM value_types WHERE id = ?1", {42});
  ASSERT_TRUE(none) << describe(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreTest, PlaceholderRulesAreEnforced) {
  const auto code = [](const auto& r) { return r ? std::string("ok") : std::string(code_name(r.error().code)); };
  EXPECT_EQ(code(db().query("SELECT id FROM tenants WHERE id = ?", {"x"})), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT id FROM tenants WHERE id = $1", {"x"})), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT id FROM tenants WHERE id = :id", {"x"})), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT id FROM tenants WHERE id = ?2", {"x"})), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT id FROM tenants WHERE id = ?1", {"x", "unused"})), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT 1; DROP TABLE tenants")), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT id FROM tenants WHERE name = 'unterminated")), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().query("SELECT :tenant AS t")), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().execute("BEGIN")), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().execute("  commit")), "INTERNAL_ERROR");
  EXPECT_EQ(code(db().execute("-- nothing\n")), "INTERNAL_ERROR");
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 0);  // still there

  // Placeholders inside literals and comments are text; a trailing semicolon and reused placeholders are fine.
  auto literal = db().query_row("SELECT '?' AS q, ?1 AS a, ?1 AS b /* ?2 */ -- $3\n;", {7});
  ASSERT_TRUE(literal && *literal) << describe(literal);
  EXPECT_EQ((*literal)->get<std::string>("q").value(), "?");
  EXPECT_EQ((*literal)->get<std::int64_t>("b").value(), 7);
}

// ---- transactions ---------------------------------------------------------------------------------------------

TEST_P(StoreTest, TransactionRollsBackOnScopeExit) {
  {
    auto txn = db().begin();
    ASSERT_TRUE(txn) << describe(txn);
    ASSERT_TRUE(txn->execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                             {"t1", "One", "one", 1}));
    auto inside = txn->query_row("SELECT count(*) AS n FROM tenants");
    ASSERT_TRUE(inside && *inside);
    EXPECT_EQ((*inside)->get<std::int64_t>("n").value(), 1);  // sees its own write
  }
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 0);
}

TEST_P(StoreTest, TransactionCommitAndExplicitRollback) {
  {
    auto txn = db().begin();
    ASSERT_TRUE(txn) << describe(txn);
    ASSERT_TRUE(txn->execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                             {"t1", "One", "one", 1}));
    add_user(txn->tenant(TenantId("t1")), "u1", "u1@example.com");
    auto committed = txn->commit();
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_FALSE(txn->active());
    EXPECT_EQ(txn->commit().error().code, ErrorCode::internal_error);
    EXPECT_EQ(txn->query("SELECT 1").error().code, ErrorCode::internal_error);
  }
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);
  {
    auto txn = db().begin();
    ASSERT_TRUE(txn) << describe(txn);
    ASSERT_TRUE(txn->execute("DELETE FROM tenants WHERE id = ?1", {"t1"}));
    auto rolled_back = txn->rollback();
    ASSERT_TRUE(rolled_back) << describe(rolled_back);
  }
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);
  auto users = db().tenant(TenantId("t1")).query_row("SELECT count(*) AS n FROM users WHERE tenant_id = :tenant");
  ASSERT_TRUE(users && *users) << describe(users);
  EXPECT_EQ((*users)->get<std::int64_t>("n").value(), 1);
}

TEST_P(StoreTest, FailedStatementAbortsTransactionCommit) {
  add_tenant("t1");
  auto txn = db().begin();
  ASSERT_TRUE(txn) << describe(txn);
  ASSERT_TRUE(txn->execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                           {"t2", "Two", "two", 1}));
  auto dup =
      txn->execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)", {"t1", "Dup", "dup", 1});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::resource_already_exists);
  // PostgreSQL cannot commit after a failed statement and says so; SQLite keeps the earlier insert.
  auto committed = txn->commit();
  if (is_postgres()) {
    EXPECT_FALSE(committed);
    EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);
  } else {
    EXPECT_TRUE(committed) << describe(committed);
    EXPECT_EQ(count("SELECT count(*) FROM tenants"), 2);
  }
}

TEST_P(StoreTest, WaitingForItsOwnConnectionFailsFast) {
  OpenOptions options;
  options.pool_size = 1;
  auto single = open(persistent() ? url_ : "sqlite::memory:", options);
  ASSERT_TRUE(single) << describe(single);
  auto txn = (*single)->begin();
  ASSERT_TRUE(txn) << describe(txn);
  auto nested = (*single)->query("SELECT 1");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().code, ErrorCode::internal_error);
  EXPECT_TRUE(txn->query("SELECT 1")) << "the transaction itself still works";
}

// ---- errors ---------------------------------------------------------------------------------------------------

TEST_P(StoreTest, UniqueViolationIsResourceAlreadyExists) {
  add_tenant("t1");
  add_tenant("t2");
  auto dup_slug = db().execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                               {"t3", "Three", "slug-t1", 1});
  ASSERT_FALSE(dup_slug);
  EXPECT_EQ(dup_slug.error().code, ErrorCode::resource_already_exists);
  EXPECT_EQ(dup_slug.error().message.find("slug"), std::string::npos) << "no schema detail in the message";
  EXPECT_EQ(dup_slug.error().message.find("INSERT"), std::string::npos);

  add_user(db().tenant(TenantId("t1")), "u1", "a@example.com");
  auto dup_email =
      db().tenant(TenantId("t1"))
          .execute("INSERT INTO users (id, tenant_id, email, created_at, updated_at) VALUES (?1, :tenant, ?2, 1, 1)",
                   {"u2", "a@example.com"});
  ASSERT_FALSE(dup_email);
  EXPECT_EQ(dup_email.error().code, ErrorCode::resource_already_exists);
  // The same email in another tenant is a different user.
  add_user(db().tenant(TenantId("t2")), "u3", "a@example.com");
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  auto orphan =
      db().tenant(TenantId("no-such-tenant"))
          .execute("INSERT INTO users (id, tenant_id, email, created_at, updated_at) VALUES (?1, :tenant, ?2, 1, 1)",
                   {"u1", "a@example.com"});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::invalid_input);
}

// ---- tenant scoping -------------------------------------------------------------------------------------------

TEST_P(StoreTest, TenantsCannotSeeEachOthersRows) {
  add_tenant("a");
  add_tenant("b");
  const auto a = db().tenant(TenantId("a"));
  const auto b = db().tenant(TenantId("b"));
  add_user(a, "ua1", "one@a.example");
  add_user(a, "ua2", "two@a.example");
  add_user(b, "ub1", "one@b.example");

  auto a_users = a.query("SELECT id FROM users WHERE tenant_id = :tenant ORDER BY id");
  ASSERT_TRUE(a_users) << describe(a_users);
  ASSERT_EQ(a_users->rows.size(), 2u);
  EXPECT_EQ(a_users->rows[0].get<std::string>("id").value(), "ua1");

  // B addressing A's row by id finds nothing and changes nothing.
  auto peek = b.query_row("SELECT id, email FROM users WHERE tenant_id = :tenant AND id = ?1", {"ua1"});
  ASSERT_TRUE(peek) << describe(peek);
  EXPECT_FALSE(peek->has_value());
  auto update = b.execute("UPDATE users SET display_name = ?1 WHERE tenant_id = :tenant AND id = ?2", {"x", "ua1"});
  ASSERT_TRUE(update) << describe(update);
  EXPECT_EQ(*update, 0);
  auto del = b.execute("DELETE FROM users WHERE tenant_id = :tenant AND id = ?1", {"ua1"});
  ASSERT_TRUE(del) << describe(del);
  EXPECT_EQ(*del, 0);
  auto still = a.query_row("SELECT display_name FROM users WHERE tenant_id = :tenant AND id = ?1", {"ua1"});
  ASSERT_TRUE(still && *still) << describe(still);
  EXPECT_EQ((*still)->get<std::string>("display_name").value(), "User ua1");

  // Joins and subqueries that filter every scoped table are fine.
  add_event(a, "ea1", 10);
  add_event(b, "eb1", 10);
  auto joined = a.query(
      "SELECT u.id AS uid, e.id AS eid FROM users u JOIN audit_events AS e ON e.tenant_id = :tenant"
      " WHERE u.tenant_id = :tenant ORDER BY u.id");
  ASSERT_TRUE(joined) << describe(joined);
  ASSERT_EQ(joined->rows.size(), 2u);
  EXPECT_EQ(joined->rows[0].get<std::string>("eid").value(), "ea1");
  auto nested = a.query_row(
      "SELECT count(*) AS n FROM users WHERE tenant_id = :tenant"
      " AND EXISTS (SELECT 1 FROM audit_events WHERE tenant_id = :tenant AND kind = ?1)",
      {"login"});
  ASSERT_TRUE(nested && *nested) << describe(nested);
  EXPECT_EQ((*nested)->get<std::int64_t>("n").value(), 2);

  // An upsert keyed on (tenant_id, email) can only touch the caller's row.
  auto upsert = b.execute(
      "INSERT INTO users (id, tenant_id, email, display_name, created_at, updated_at)"
      " VALUES (?1, :tenant, ?2, ?3, 2, 2)"
      " ON CONFLICT (tenant_id, email) DO UPDATE SET display_name = excluded.display_name",
      {"ub-new", "one@a.example", "B's own"});
  ASSERT_TRUE(upsert) << describe(upsert);
  EXPECT_EQ(a.query_row("SELECT display_name FROM users WHERE tenant_id = :tenant AND email = ?1", {"one@a.example"})
                ->value()
                .get<std::string>("display_name")
                .value(),
            "User ua1");

  // Tenant-free tables stay reachable from a scope.
  auto own = a.query_row("SELECT name FROM tenants WHERE id = :tenant");
  ASSERT_TRUE(own && *own) << describe(own);
  EXPECT_EQ((*own)->get<std::string>("name").value(), "Tenant a");
}

TEST_P(StoreTest, UnscopedAccessToScopedTablesIsRejected) {
  add_tenant("a");
  add_user(db().tenant(TenantId("a")), "u1", "x@a.example");
  for (const std::string sql : {
           "SELECT id FROM users",
           "SELECT id FROM USERS",
           "SELECT id FROM \"users\"",
           "SELECT t.id FROM tenants t WHERE t.id IN (SELECT tenant_id FROM audit_events)",
           "DELETE FROM users",
           "UPDATE audit_events SET kind = 'x'",
       }) {
    auto r = db().query(sql);
    ASSERT_FALSE(r) << sql;
    EXPECT_EQ(r.error().code, ErrorCode::internal_error) << sql;
    auto txn = db().begin();
    ASSERT_TRUE(txn);
    auto in_txn = txn->query(sql);
    ASSERT_FALSE(in_txn) << sql;
  }
  auto users = db().tenant(TenantId("a")).query("SELECT id FROM users WHERE tenant_id = :tenant");
  ASSERT_TRUE(users) << describe(users);
  EXPECT_EQ(users->rows.size(), 1u);
}

TEST_P(StoreTest, ScopedStatementsWithoutTenantPredicateAreRejected) {
  add_tenant("a");
  add_tenant("b");
  add_user(db().tenant(TenantId("b")), "ub1", "one@b.example");
  const auto a = db().tenant(TenantId("a"));
  for (const std::string sql : {
           "SELECT id FROM users",
           "SELECT id FROM users WHERE email = ?1",
           "SELECT id FROM users WHERE tenant_id = ?1",
           "SELECT id FROM users WHERE ?1 = tenant_id",
           "SELECT id FROM users WHERE tenant_id <> :tenant AND email = ?1",
           "SELECT id FROM users WHERE tenant_id IN (:tenant, ?1)",
           "SELECT id FROM users WHERE tenant_id = :tenant UNION SELECT id FROM audit_events WHERE kind = ?1",
           "SELECT u.id FROM users u JOIN audit_events e ON e.tenant_id = u.tenant_id WHERE u.tenant_id = :tenant"
           " AND e.kind = ?1",
           "SELECT u.id FROM users u WHERE e.tenant_id = :tenant AND u.email = ?1",
           "SELECT tenant_id = :tenant AS mine FROM users WHERE email = ?1",
           "UPDATE users SET display_name = ?1",
           "UPDATE users SET tenant_id = :tenant WHERE email = ?1",
           "DELETE FROM users WHERE email = ?1",
           "INSERT INTO users (id, email, created_at, updated_at) VALUES (?1, 'e', 1, 1)",
           "INSERT INTO users (id, tenant_id, email, created_at, updated_at) VALUES (?1, 'b', 'e', 1, 1)",
           "INSERT INTO users (id, tenant_id, email, created_at, updated_at) VALUES ('x', :tenant, 'e', 1, 1),"
           " (?1, 'b', 'f', 1, 1)",
           "INSERT INTO users (id, tenant_id, email, created_at, updated_at)"
           " SELECT ?1, tenant_id, email, 1, 1 FROM users WHERE tenant_id = :tenant",
           "INSERT INTO users (id, tenant_id, email, created_at, updated_at) VALUES (?1, :tenant, 'one@b.example', 1, "
           "1)"
           " ON CONFLICT (id) DO UPDATE SET display_name = 'pwned'",
           "REPLACE INTO users (id, tenant_id, email, created_at, updated_at) VALUES (?1, :tenant, 'e', 1, 1)",
       }) {
    auto r = a.execute(sql, {"ub1"});
    ASSERT_FALSE(r) << sql;
    EXPECT_EQ(r.error().code, ErrorCode::internal_error) << sql;
  }
  auto empty = db().tenant(TenantId("")).query("SELECT id FROM users WHERE tenant_id = :tenant");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::internal_error);

  auto b_user = db().tenant(TenantId("b")).query_row("SELECT display_name FROM users WHERE tenant_id = :tenant");
  ASSERT_TRUE(b_user && *b_user) << describe(b_user);
  EXPECT_EQ((*b_user)->get<std::string>("display_name").value(), "User ub1");
}

// ---- pagination -----------------------------------------------------------------------------------------------

CursorCodec test_codec() {
  return CursorCodec::create(crypto::random_bytes(32)).value();
}

std::vector<std::string> ids_of(const std::vector<Row>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.get<std::string>("id").value());
  return ids;
}

TEST_P(StoreTest, KeysetPaginationWalksEveryRowOnceWithTies) {
  add_tenant("a");
  add_tenant("b");
  const auto a = db().tenant(TenantId("a"));
  const auto b = db().tenant(TenantId("b"));
  // 23 events for A, four per timestamp (ties broken by id), interleaved with B's events at the same times.
  std::vector<std::pair<std::int64_t, std::string>> expected;
  {
    auto txn = db().begin();
    ASSERT_TRUE(txn);
    for (int i = 0; i < 23; ++i) {
      const std::int64_t at = 1000 + i / 4;
      const std::string id = fmt::format("e{}", 100 + (i * 7) % 23);
      add_event(txn->tenant(TenantId("a")), id, at, i % 3 == 0 ? "logout" : "login");
      add_event(txn->tenant(TenantId("b")), "b-" + id, at);
      expected.emplace_back(at, id);
    }
    ASSERT_TRUE(txn->commit());
  }
  std::sort(expected.begin(), expected.end(), std::greater<>());

  const auto codec = test_codec();
  KeysetQuery q;
  q.list = "audit_events";
  q.select = "SELECT id, created_at, kind FROM audit_events WHERE tenant_id = :tenant";
  q.limit = 5;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = fetch_page(a, codec, q);
    ASSERT_TRUE(page) << describe(page);
    ++pages;
    ASSERT_LE(page->items.size(), 5u);
    for (auto& id : ids_of(page->items)) seen.push_back(id);
    if (!page->next_cursor) break;
    EXPECT_EQ(page->items.size(), 5u);
    q.after = *page->next_cursor;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 5);
  std::vector<std::string> expected_ids;
  for (const auto& e : expected) expected_ids.push_back(e.second);
  EXPECT_EQ(seen, expected_ids);

  // Ascending, with a filter parameter, page size that divides evenly (the last full page has no next cursor).
  KeysetQuery asc;
  asc.list = "audit_events?kind=login";
  asc.select = "SELECT id, created_at FROM audit_events WHERE tenant_id = :tenant AND kind = ?1";
  asc.params = {"login"};
  asc.order = SortOrder::ascending;
  asc.limit = 3;
  std::vector<std::string> ascending;
  for (int guard = 0; guard < 20; ++guard) {
    auto page = fetch_page(a, codec, asc);
    ASSERT_TRUE(page) << describe(page);
    for (auto& id : ids_of(page->items)) ascending.push_back(id);
    if (!page->next_cursor) break;
    asc.after = *page->next_cursor;
  }
  auto all_logins = a.query(
      "SELECT id FROM audit_events WHERE tenant_id = :tenant AND kind = ?1"
      " ORDER BY created_at, id",
      {"login"});
  ASSERT_TRUE(all_logins);
  EXPECT_EQ(ascending, ids_of(all_logins->rows));
  EXPECT_EQ(ascending.size(), 15u);

  // B's pages never contain A's rows.
  KeysetQuery bq = q;
  bq.after.clear();
  bq.limit = 100;
  auto b_page = fetch_page(b, codec, bq);
  ASSERT_TRUE(b_page) << describe(b_page);
  EXPECT_EQ(b_page->items.size(), 23u);
  EXPECT_FALSE(b_page->next_cursor);
  for (const auto& id : ids_of(b_page->items)) EXPECT_TRUE(id.starts_with("b-")) << id;
}

TEST_P(StoreTest, BadCursorsAreInvalidCursorNeverAWrongPage) {
  add_tenant("a");
  add_tenant("b");
  const auto a = db().tenant(TenantId("a"));
  for (int i = 0; i < 12; ++i) {
    add_event(a, fmt::format("e{}", 10 + i), 100 + i / 2);
    add_event(db().tenant(TenantId("b")), fmt::format("b{}", 10 + i), 100 + i / 2);
  }
  const auto codec = test_codec();
  KeysetQuery q;
  q.list = "audit_events";
  q.select = "SELECT id, created_at FROM audit_events WHERE tenant_id = :tenant";
  q.limit = 4;
  auto first = fetch_page(a, codec, q);
  ASSERT_TRUE(first && first->next_cursor) << describe(first);
  const std::string cursor = *first->next_cursor;
  q.after = cursor;
  auto second = fetch_page(a, codec, q);
  ASSERT_TRUE(second) << describe(second);
  const auto second_ids = ids_of(second->items);

  auto expect_invalid = [&](const TenantScope& scope, KeysetQuery query, const CursorCodec& c,
                            const std::string& what) {
    auto page = fetch_page(scope, c, query);
    ASSERT_FALSE(page) << what;
    EXPECT_EQ(page.error().code, ErrorCode::invalid_cursor) << what;
  };

  // Every single-character substitution is rejected, or (when it only touches base64 padding bits) yields the
  // very same page.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < cursor.size(); ++i) {
    for (char replacement :
         {alphabet[(alphabet.find(cursor[i]) + 1) % 64], alphabet[(alphabet.find(cursor[i]) + 31) % 64]}) {
      KeysetQuery tampered = q;
      tampered.after[i] = replacement;
      auto page = fetch_page(a, codec, tampered);
      if (page) {
        EXPECT_EQ(ids_of(page->items), second_ids) << "position " << i;
      } else {
        EXPECT_EQ(page.error().code, ErrorCode::invalid_cursor) << "position " << i;
      }
    }
  }
  // Truncated and extended.
  for (std::size_t len = 1; len < cursor.size(); ++len) {
    KeysetQuery truncated = q;
    truncated.after = cursor.substr(0, len);
    expect_invalid(a, truncated, codec, "truncated to " + std::to_string(len));
  }
  {
    KeysetQuery extended = q;
    extended.after = cursor + "AA";
    expect_invalid(a, extended, codec, "extended");
  }
  // Garbage.
  for (const std::string& garbage :
       {std::string("x"), std::string("!!!!"), std::string("not a cursor"), std::string(5000, 'A'),
        std::string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), std::string("eyJpZCI6MX0"),
        std::string("\xff\xfe", 2), cursor + "=", crypto::base64url_encode(crypto::random_bytes(48))}) {
    KeysetQuery g = q;
    g.after = garbage;
    expect_invalid(a, g, codec, "garbage");
  }
  // Foreign: another tenant, another list, another order, another key.
  expect_invalid(db().tenant(TenantId("b")), q, codec, "other tenant");
  {
    KeysetQuery other_list = q;
    other_list.list = "audit_events?kind=login";
    expect_invalid(a, other_list, codec, "other list");
    KeysetQuery other_order = q;
    other_order.order = SortOrder::ascending;
    expect_invalid(a, other_order, codec, "other order");
    expect_invalid(a, q, test_codec(), "other key");
  }
  // Out-of-range limits are a client error too.
  KeysetQuery zero = q;
  zero.limit = 0;
  EXPECT_EQ(fetch_page(a, codec, zero).error().code, ErrorCode::value_out_of_range);
  KeysetQuery huge = q;
  huge.limit = max_page_size + 1;
  EXPECT_EQ(fetch_page(a, codec, huge).error().code, ErrorCode::value_out_of_range);
  // And the paging helper runs through the tenant rules like any other scoped statement.
  KeysetQuery unscoped = q;
  unscoped.after.clear();
  unscoped.select = "SELECT id, created_at FROM audit_events WHERE kind = 'login'";
  EXPECT_EQ(fetch_page(a, codec, unscoped).error().code, ErrorCode::internal_error);
  KeysetQuery injected = q;
  injected.sort_column = "created_at; DROP TABLE tenants";
  EXPECT_EQ(fetch_page(a, codec, injected).error().code, ErrorCode::internal_error);
}

// ---- concurrency ----------------------------------------------------------------------------------------------

TEST_P(StoreTest, ConcurrentWritersLoseNothing) {
  OpenOptions options;
  options.pool_size = 4;
  auto shared = open(url_, options);
  ASSERT_TRUE(shared) << describe(shared);
  Database& sdb = **shared;
  ASSERT_TRUE(sdb.execute("CREATE TABLE counters (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"));
  ASSERT_TRUE(sdb.execute("INSERT INTO counters (id, n) VALUES (1, 0)"));
  ASSERT_TRUE(sdb.execute("INSERT INTO tenants (id, name, slug, created_at) VALUES ('a', 'A', 'a', 1)"));

  constexpr int threads = 8;
  constexpr int iterations = 25;
  std::atomic<int> failures{0};
  std::vector<std::string> first_error(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto note = [&](const Error& e) {
        if (failures++ == 0) first_error[static_cast<std::size_t>(t)] = e.message;
      };
      for (int i = 0; i < iterations; ++i) {
        // A transaction: counter + one scoped row, committed together.
        auto txn = sdb.begin();
        if (!txn) {
          note(txn.error());
          continue;
        }
        auto bumped = txn->execute("UPDATE counters SET n = n + 1 WHERE id = 1");
        auto event =
            txn->tenant(TenantId("a"))
                .execute("INSERT INTO audit_events (id, tenant_id, created_at, kind) VALUES (?1, :tenant, ?2, 'tick')",
                         {fmt::format("t{}-{}", t, i), i});
        auto committed = bumped && event ? txn->commit() : Result<void>(fail(ErrorCode::database_error, "x"));
        if (!bumped) note(bumped.error());
        if (!event) note(event.error());
        if (!committed) note(committed.error());
        // And an autocommit statement.
        auto single = sdb.execute("UPDATE counters SET n = n + 1 WHERE id = 1");
        if (!single) note(single.error());
      }
    });
  }
  for (auto& w : workers) w.join();
  std::string errors;
  for (const auto& e : first_error) errors += e.empty() ? "" : e + "; ";
  EXPECT_EQ(failures.load(), 0) << errors;
  auto n = sdb.query_row("SELECT n FROM counters WHERE id = 1");
  ASSERT_TRUE(n && *n) << describe(n);
  EXPECT_EQ((*n)->get<std::int64_t>("n").value(), threads * iterations * 2);
  auto events = sdb.tenant(TenantId("a"))
                    .query_row("SELECT count(*) AS c FROM audit_events WHERE tenant_id = :tenant AND kind = 'tick'");
  ASSERT_TRUE(events && *events) << describe(events);
  EXPECT_EQ((*events)->get<std::int64_t>("c").value(), threads * iterations);
}

// ---- not backend-specific -------------------------------------------------------------------------------------

TEST(StoreOpen, RejectsBadUrlsWithClearErrorsAndNoSecrets) {
  struct Case {
    std::string url;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"", ErrorCode::config_invalid},
      {"mysql://root:hunter2@db/pierre", ErrorCode::config_invalid},
      {"just some words", ErrorCode::config_invalid},
      {"sqlite:", ErrorCode::config_invalid},
      {"sqlite:./data/x.db?cache=shared", ErrorCode::config_invalid},
      {"sqlite:/nonexistent-pierre-dir/sub/pierre.db", ErrorCode::config_invalid},
      {"postgresql://pierre:hunter2@127.0.0.1:1/pierre", ErrorCode::database_error},
      {"postgresql://pierre:hunter2@127.0.0.1:5432/db?bogus_option=1", ErrorCode::config_invalid},
  };
  for (const auto& c : cases) {
    auto db = open(c.url);
    ASSERT_FALSE(db) << c.url;
    EXPECT_EQ(db.error().code, c.code) << c.url << " -> " << db.error().message;
    EXPECT_EQ(db.error().message.find("hunter2"), std::string::npos) << db.error().message;
    EXPECT_FALSE(db.error().message.empty());
  }
  auto missing_dir = open("sqlite:/nonexistent-pierre-dir/sub/pierre.db");
  EXPECT_NE(missing_dir.error().message.find("does not exist"), std::string::npos) << missing_dir.error().message;
  auto scheme = open("mysql://root:hunter2@db/pierre");
  EXPECT_NE(scheme.error().message.find("'mysql'"), std::string::npos) << scheme.error().message;
}

TEST(StoreOpen, AcceptsPierreStyleSqliteUrls) {
  const auto dir = std::filesystem::temp_directory_path() / ("pierre-store-url-" + random_hex(6));
  std::filesystem::create_directories(dir);
  for (const auto& url : {"sqlite:" + (dir / "a.db").string(), "sqlite://" + (dir / "b.db").string(),
                          "sqlite:" + (dir / "c.db").string() + "?mode=rwc"}) {
    auto db = open(url);
    ASSERT_TRUE(db) << url << ": " << describe(db);
    EXPECT_TRUE((*db)->ping());
  }
  std::filesystem::remove_all(dir);
}

TEST(CursorCodec, RequiresALongKey) {
  EXPECT_EQ(CursorCodec::create(crypto::random_bytes(16)).error().code, ErrorCode::config_invalid);
  EXPECT_TRUE(CursorCodec::create(crypto::random_bytes(32)));
}

TEST(CursorCodec, RoundTripsKeysAndRejectsEveryFlippedBit) {
  const auto codec = CursorCodec::create(crypto::random_bytes(32)).value();
  const TenantId tenant("t");
  const Value keys[] = {std::int64_t{-5}, 2.5, "id-ü", std::numeric_limits<std::int64_t>::max()};
  auto cursor = codec.encode(tenant, "list", keys);
  ASSERT_TRUE(cursor) << describe(cursor);
  auto decoded = codec.decode(tenant, "list", *cursor);
  ASSERT_TRUE(decoded) << describe(decoded);
  EXPECT_EQ(*decoded, std::vector<Value>(std::begin(keys), std::end(keys)));

  crypto::Bytes raw;
  ASSERT_TRUE(crypto::base64url_decode(*cursor, raw));
  for (std::size_t byte = 0; byte < raw.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto flipped = raw;
      flipped[byte] = static_cast<std::uint8_t>(flipped[byte] ^ (1u << bit));
      auto r = codec.decode(tenant, "list", crypto::base64url_encode(flipped));
      ASSERT_FALSE(r) << byte << ":" << bit;
      EXPECT_EQ(r.error().code, ErrorCode::invalid_cursor);
    }
  }
  EXPECT_EQ(codec.decode(TenantId("u"), "list", *cursor).error().code, ErrorCode::invalid_cursor);
  EXPECT_EQ(codec.decode(tenant, "list2", *cursor).error().code, ErrorCode::invalid_cursor);
  // Unsupported key types are refused at encoding time.
  const Value bad[] = {Value()};
  EXPECT_FALSE(codec.encode(tenant, "list", bad));
}

}  // namespace
}  // namespace pierre::store
