#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "connection.hpp"

namespace pierre::store::detail {

struct SqliteSettings {
  std::string path;  // a file path, or ":memory:"
  std::chrono::milliseconds busy_timeout{10'000};
};

// Opens (creating if needed) the database file with WAL, busy_timeout, foreign_keys=ON, synchronous=NORMAL.
// The file's directory must exist (config_invalid otherwise).
Result<std::unique_ptr<Connection>> open_sqlite(const SqliteSettings& settings);

}  // namespace pierre::store::detail
