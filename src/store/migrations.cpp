#include "migrations.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "pierre/crypto/primitives.hpp"

namespace pierre::store::detail {
namespace {

std::string hex_sha256(std::string_view text) {
  const auto digest = crypto::sha256(crypto::as_bytes(text));
  std::string out;
  out.reserve(digest.size() * 2);
  for (auto b : digest) out += fmt::format("{:02x}", b);
  return out;
}

std::string placeholders(Dialect dialect, std::string_view sql_with_question_marks) {
  if (dialect == Dialect::sqlite) return std::string(sql_with_question_marks);
  std::string out(sql_with_question_marks);
  std::replace(out.begin(), out.end(), '?', '$');
  return out;
}

constexpr std::string_view create_table_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

Result<void> migrate_locked(Connection& conn, Dialect dialect, std::span<const Migration> migrations,
                            std::int64_t& version) {
  if (dialect == Dialect::postgresql) {
    // Held until COMMIT/ROLLBACK. Keyed by schema so separate schemas (tests) migrate independently.
    auto locked = conn.run("SELECT pg_advisory_xact_lock(1885956722, hashtext(coalesce(current_schema(), '')))", {});
    if (!locked) return std::unexpected(std::move(locked.error()));
  }
  if (auto created = conn.run_script(create_table_sql); !created) return std::unexpected(created.error());
  auto applied = conn.run("SELECT version, checksum FROM schema_migrations ORDER BY version", {});
  if (!applied) return std::unexpected(std::move(applied.error()));

  std::map<std::int64_t, std::string> done;
  for (const auto& row : applied->rows) {
    auto v = row.get<std::int64_t>("version");
    auto sum = row.get<std::string>("checksum");
    if (!v || !sum) return fail(ErrorCode::database_error, "schema_migrations is malformed");
    done.emplace(*v, std::move(*sum));
  }
  const std::int64_t latest = migrations.empty() ? 0 : migrations.back().version;
  for (const auto& [v, sum] : done) {
    if (v < 1 || v > latest) {
      spdlog::error("store: database schema version {} is newer than this build knows ({})", v, latest);
      return fail(ErrorCode::database_error, "database schema is newer than this build");
    }
    const auto& known = migrations[static_cast<std::size_t>(v - 1)];
    if (known.checksum != sum) {
      spdlog::error("store: migration {:03}_{} changed after it was applied", v, known.name);
      return fail(ErrorCode::database_error, "an applied database migration was modified");
    }
  }

  const auto insert = placeholders(
      dialect, "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)");
  for (const auto& m : migrations) {
    if (done.contains(m.version)) continue;
    spdlog::info("store: applying migration {:03}_{}", m.version, m.name);
    if (auto ran = conn.run_script(m.sql); !ran) {
      spdlog::error("store: migration {:03}_{} failed", m.version, m.name);
      return std::unexpected(ran.error());
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const Value params[] = {m.version, m.name, m.checksum, static_cast<std::int64_t>(now)};
    if (auto recorded = conn.run(insert, params); !recorded) return std::unexpected(recorded.error());
  }
  version = latest;
  return {};
}

}  // namespace

Result<std::vector<Migration>> migrations_for(Dialect dialect, std::span<const MigrationFile> files) {
  const auto mine = dialect == Dialect::sqlite ? MigrationDialect::sqlite : MigrationDialect::postgresql;
  std::map<std::int64_t, const MigrationFile*> chosen;
  for (const auto& f : files) {
    if (f.dialect != MigrationDialect::all && f.dialect != mine) continue;
    auto [it, inserted] = chosen.emplace(f.version, &f);
    if (!inserted) {
      return fail(ErrorCode::internal_error,
                  fmt::format("migration {:03} has both a shared and a dialect-specific file", f.version));
    }
  }
  std::vector<Migration> out;
  std::int64_t expected = 1;
  for (const auto& [version, file] : chosen) {
    if (version != expected) {
      return fail(ErrorCode::internal_error, fmt::format("migration {:03} is missing", expected));
    }
    out.push_back(Migration{version, std::string(file->name), file->sql, hex_sha256(file->sql)});
    ++expected;
  }
  return out;
}

Result<std::int64_t> apply_migrations(Connection& conn, Dialect dialect, std::span<const Migration> migrations) {
  if (auto begun = conn.run_script(dialect == Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN"); !begun) {
    return std::unexpected(begun.error());
  }
  std::int64_t version = 0;
  if (auto migrated = migrate_locked(conn, dialect, migrations, version); !migrated) {
    if (auto rolled_back = conn.run_script("ROLLBACK"); !rolled_back) {
      spdlog::error("store: rollback after a failed migration failed");
    }
    return std::unexpected(migrated.error());
  }
  if (auto committed = conn.run_script("COMMIT"); !committed) return std::unexpected(committed.error());
  return version;
}

Result<std::int64_t> applied_version(Connection& conn, Dialect dialect) {
  const std::string_view exists_sql =
      dialect == Dialect::sqlite
          ? "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
          : "SELECT count(*) AS n FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
  auto exists = conn.run(std::string(exists_sql), {});
  if (!exists) return std::unexpected(std::move(exists.error()));
  if (exists->rows.empty() || exists->rows[0].get<std::int64_t>("n").value_or(0) == 0) return std::int64_t{0};
  auto max = conn.run("SELECT coalesce(max(version), 0) AS v FROM schema_migrations", {});
  if (!max) return std::unexpected(std::move(max.error()));
  return max->rows.at(0).get<std::int64_t>("v");
}

}  // namespace pierre::store::detail
