#include "backend_fixture.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "pierre/crypto/primitives.hpp"

namespace pierre::testing {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// The store logs rejected statements (and unique violations) at error level, which these tests provoke on purpose.
// PIERRE_TEST_LOG=1 keeps the log.
const bool quiet_logs = [] {
  if (env("PIERRE_TEST_LOG") == nullptr) spdlog::set_level(spdlog::level::off);
  return true;
}();

// libpq URI: options=-csearch_path=<schema>, with '=' percent-encoded.
std::string with_search_path(const std::string& base, const std::string& schema) {
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

}  // namespace

void add_tenant(store::Database& db, const std::string& id) {
  auto r = db.execute("INSERT INTO tenants (id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
                      {id, id, "slug-" + id, 1'700'000'000'000});
  ASSERT_TRUE(r) << describe(r);
}

std::string random_hex(std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : crypto::random_bytes(bytes)) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

void BackendTest::SetUp() {
  if (GetParam() == "postgresql") {
    const char* base = env("PIERRE_TEST_POSTGRES_URL");
    if (base == nullptr) {
      const char* allow = env("PIERRE_TEST_ALLOW_NO_POSTGRES");
      if (allow != nullptr && std::string(allow) == "1") {
        GTEST_SKIP() << "PIERRE_TEST_POSTGRES_URL not set and PIERRE_TEST_ALLOW_NO_POSTGRES=1";
      }
      FAIL() << "PIERRE_TEST_POSTGRES_URL is not set: run scripts/start-services.sh and source "
                "build/services/env (or set PIERRE_TEST_ALLOW_NO_POSTGRES=1 to skip PostgreSQL)";
    }
    pg_base_ = base;
    store::OpenOptions admin_options;
    admin_options.pool_size = 1;
    admin_options.apply_migrations = false;
    auto admin = store::open(pg_base_, admin_options);
    ASSERT_TRUE(admin) << describe(admin);
    admin_ = std::move(*admin);
  } else if (GetParam() == "sqlite_file") {
    temp_dir_ = std::filesystem::temp_directory_path() / ("pierre-backend-test-" + random_hex(8));
    std::filesystem::create_directories(temp_dir_);
  }
  url_ = fresh_url();
  reopen();
}

void BackendTest::reopen() {
  db_.reset();
  auto db = store::open(url_);
  ASSERT_TRUE(db) << describe(db);
  db_ = std::move(*db);
}

void BackendTest::TearDown() {
  db_.reset();
  if (admin_) {
    for (const auto& schema : schemas_) {
      auto dropped = admin_->execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      EXPECT_TRUE(dropped) << describe(dropped);
    }
  }
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

std::string BackendTest::fresh_url() {
  if (GetParam() == "sqlite_memory") return "sqlite::memory:";
  if (GetParam() == "sqlite_file") return "sqlite:" + (temp_dir_ / ("pierre-" + random_hex(4) + ".db")).string();
  const std::string schema = "pierre_test_" + random_hex(8);
  auto created = admin_->execute("CREATE SCHEMA " + schema);
  EXPECT_TRUE(created) << describe(created);
  schemas_.push_back(schema);
  return with_search_path(pg_base_, schema);
}

}  // namespace pierre::testing
