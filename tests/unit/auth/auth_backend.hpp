#pragma once
// Test fixture shared by the database-backed auth suites: a fresh database per test on each backend.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pierre/auth/password.hpp"
#include "pierre/core/error.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"

namespace pierre::auth::testing {

template <typename T>
std::string describe(const Result<T>& r) {
  if (r) return "ok";
  return std::string(code_name(r.error().code)) + ": " + r.error().message;
}

std::string random_hex(std::size_t bytes);

// Argon2id at libsodium's minimums, so tests that hash many passwords stay fast.
const PasswordHasher& fast_hasher();

class AuthBackendTest : public ::testing::TestWithParam<std::string> {
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
  crypto::Bytes master_ = crypto::random_bytes(32);

 private:
  std::string pg_base_;
  std::unique_ptr<store::Database> admin_;
  std::vector<std::string> schemas_;
  std::filesystem::path temp_dir_;
};

// Backends whose data outlives a connection (restart tests).
class AuthPersistentTest : public AuthBackendTest {};

}  // namespace pierre::auth::testing
