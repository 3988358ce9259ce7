#pragma once
#include <memory>
#include <string>

#include "connection.hpp"

namespace pierre::store::detail {

// url: a postgresql:// or postgres:// URI, passed to libpq as is (never logged or echoed: it may hold a password).
Result<std::unique_ptr<Connection>> open_postgres(const std::string& url);

}  // namespace pierre::store::detail
