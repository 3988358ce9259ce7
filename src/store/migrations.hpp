#pragma once
// Numbered SQL migrations compiled into the binary (see CMakeLists.txt) and the runner that applies them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"
#include "pierre/core/error.hpp"

namespace pierre::store::detail {

enum class MigrationDialect { all, sqlite, postgresql };

struct MigrationFile {
  std::int64_t version;
  std::string_view name;
  MigrationDialect dialect;
  std::string_view sql;
};

// Defined in the generated embedded_migrations.cpp.
std::span<const MigrationFile> embedded_migration_files() noexcept;

struct Migration {
  std::int64_t version = 0;
  std::string name;
  std::string_view sql;
  std::string checksum;  // hex SHA-256 of sql: an applied migration must never change
};

// The migrations for one backend, ordered. Versions must run 1, 2, 3... with exactly one file for the
// backend per version (a shared NNN_name.sql, or its .sqlite/.postgresql variant).
Result<std::vector<Migration>> migrations_for(Dialect dialect, std::span<const MigrationFile> files);

// Applies pending migrations in one transaction that also records them in schema_migrations. Concurrent
// callers serialise on BEGIN IMMEDIATE (SQLite) or an advisory lock keyed by the current schema (PostgreSQL).
// Fails when the database has a version this build does not know or an applied migration's text changed.
// Returns the schema version afterwards.
Result<std::int64_t> apply_migrations(Connection& conn, Dialect dialect, std::span<const Migration> migrations);

// Highest applied version, 0 when schema_migrations does not exist yet.
Result<std::int64_t> applied_version(Connection& conn, Dialect dialect);

}  // namespace pierre::store::detail
