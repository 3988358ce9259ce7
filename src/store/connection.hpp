#pragma once
// The backend seam: one live connection to SQLite or PostgreSQL. Private to the store; everything above it
// (SQL checks, pooling, transactions, migrations) is backend-neutral.

#include <span>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/store/value.hpp"

namespace pierre::store::detail {

enum class Dialect { sqlite, postgresql };

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement in this backend's dialect (placeholders already rendered), values bound, prepared and cached.
  virtual Result<QueryResult> run(const std::string& sql, std::span<const Value> params) = 0;
  // Several statements without parameters (migrations and transaction control only).
  virtual Result<void> run_script(std::string_view sql) = 0;
  // True while a transaction is open on this connection.
  [[nodiscard]] virtual bool in_transaction() const noexcept = 0;
  // True when the open transaction can only roll back (PostgreSQL after an error; COMMIT would silently roll back).
  [[nodiscard]] virtual bool transaction_failed() const noexcept = 0;
  // Called when a pooled connection is returned: roll back anything left open, reconnect a broken link.
  virtual void reset_after_use() noexcept = 0;
};

}  // namespace pierre::store::detail
