#pragma once
// Keyset (cursor) pagination with opaque, tamper-evident cursors.
//
// A cursor carries the sort key and id of the last row of a page, serialised compactly, followed by an
// HMAC-SHA-256 tag over (format version, tenant id, list context, payload) under a server key, base64url-encoded.
// The tenant and the list context are bound by the tag but not stored, so a cursor is useless for another
// tenant or another list. Anything that fails to decode — garbage, truncation, a flipped bit, another tenant's or
// another list's cursor, a cursor minted under another key — is ErrorCode::invalid_cursor (HTTP 400).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/value.hpp"

namespace pierre::store {

class CursorCodec {
 public:
  static constexpr std::size_t min_key_bytes = 32;
  static constexpr std::size_t max_cursor_chars = 1024;

  // key: at least 32 secret bytes (derive it from the master key); config_invalid otherwise.
  static Result<CursorCodec> create(crypto::Bytes key);

  // keys: the last row's sort values (int64, double or text; at most 8, text up to 512 bytes).
  [[nodiscard]] Result<std::string> encode(const TenantId& tenant, std::string_view context,
                                           std::span<const Value> keys) const;
  [[nodiscard]] Result<std::vector<Value>> decode(const TenantId& tenant, std::string_view context,
                                                  std::string_view cursor) const;

 private:
  explicit CursorCodec(crypto::Bytes key) noexcept : key_(std::move(key)) {}
  [[nodiscard]] crypto::Bytes tag(const TenantId& tenant, std::string_view context,
                                  std::span<const std::uint8_t> payload) const;
  crypto::Bytes key_;
};

enum class SortOrder { descending, ascending };

// One page of a tenant-scoped list ordered by (sort_column, id_column), id_column unique and both NOT NULL.
struct KeysetQuery {
  // Names the list, including any filter, e.g. "audit_events" or "activities?sport=run": a cursor is only
  // accepted by the list it came from.
  std::string list;
  // "SELECT ... FROM t WHERE tenant_id = :tenant [AND ...]" — must end inside its WHERE clause (the helper
  // appends "AND (sort, id) < (?, ?) ORDER BY sort DESC, id DESC LIMIT ?") and must select both key columns.
  std::string select;
  Params params;  // for ?1..?N in `select`
  std::string sort_column = "created_at";
  std::string id_column = "id";
  SortOrder order = SortOrder::descending;
  std::size_t limit = 50;  // 1..max_page_size
  std::string after;       // the previous page's next_cursor; empty for the first page
};

inline constexpr std::size_t max_page_size = 1000;

struct Page {
  std::vector<Row> items;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// Runs the page query through the tenant scope (so the tenant rules apply) and mints the next cursor.
// Errors: invalid_cursor for a bad `after`, value_out_of_range for a bad limit, internal_error for a malformed
// query (bad column names, key columns missing from the result), plus whatever the statement returns.
Result<Page> fetch_page(const TenantScope& scope, const CursorCodec& codec, const KeysetQuery& query);

}  // namespace pierre::store
