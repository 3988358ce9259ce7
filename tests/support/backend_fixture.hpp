#pragma once
// A fresh database per test on each backend: SQLite in a temporary file ("sqlite_file"), SQLite in memory
// ("sqlite_memory") and PostgreSQL ("postgresql", when PIERRE_TEST_POSTGRES_URL is set; scripts/start-services.sh
// writes it). Without that variable the PostgreSQL cases fail unless PIERRE_TEST_ALLOW_NO_POSTGRES=1. On PostgreSQL
// each test works in a new schema (selected via search_path in the connection URL) that is dropped afterwards.
// Suites derive from BackendTest and instantiate it with the backend names they need.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"

namespace pierre::testing {

template <typename T>
std::string describe(const Result<T>& r) {
  if (r) return "ok";
  return std::string(code_name(r.error().code)) + ": " + r.error().message;
}

std::string random_hex(std::size_t bytes);

// Creates the tenant row `id` (name = id, slug = "slug-" + id) that tenant-scoped rows reference; a failure fails the
// calling test.
void add_tenant(store::Database& db, const std::string& id);

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A URL nobody has used yet (new SQLite file, new PostgreSQL schema; memory: a new private database).
  std::string fresh_url();
  // Opens (or reopens) url_ into db_.
  void reopen();
  bool persistent() const { return GetParam() != "sqlite_memory"; }
  bool is_postgres() const { return GetParam() == "postgresql"; }
  store::Database& db() { return *db_; }

  std::string url_;
  std::unique_ptr<store::Database> db_;

 private:
  std::string pg_base_;
  std::unique_ptr<store::Database> admin_;
  std::vector<std::string> schemas_;
  std::filesystem::path temp_dir_;
};

}  // namespace pierre::testing
