#include "pierre/store/pagination.hpp"

#include <bit>
#include <cstring>

#include "sql_text.hpp"

namespace pierre::store {
namespace {

// Cursor bytes: version | key count | keys... | HMAC-SHA-256 tag (32 bytes).
// Key: tag byte (1 = int64, 2 = double, 3 = text) then 8 bytes big-endian, or a 2-byte big-endian length + UTF-8.
constexpr std::uint8_t format_version = 1;
constexpr std::size_t tag_bytes = 32;
constexpr std::size_t max_keys = 8;
constexpr std::size_t max_text_key = 512;
constexpr std::string_view mac_domain = "pierre.store.cursor.v1";

enum : std::uint8_t { key_int64 = 1, key_double = 2, key_text = 3 };

std::unexpected<Error> invalid_cursor() { return fail(ErrorCode::invalid_cursor, "invalid pagination cursor"); }

void put_u64(crypto::Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_u32(crypto::Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_text(crypto::Bytes& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
}

// Reads the payload strictly: any deviation (unknown tag, short read, trailing bytes) is a failure.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}
  bool u8(std::uint8_t& v) noexcept {
    if (pos_ + 1 > bytes_.size()) return false;
    v = bytes_[pos_++];
    return true;
  }
  bool u64(std::uint64_t& v) noexcept {
    if (pos_ + 8 > bytes_.size()) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | bytes_[pos_++];
    return true;
  }
  bool text(std::string& v, std::size_t length) {
    if (pos_ + length > bytes_.size()) return false;
    v.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
    pos_ += length;
    return true;
  }
  [[nodiscard]] bool done() const noexcept { return pos_ == bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

std::string_view result_column(std::string_view column) noexcept {
  const auto dot = column.rfind('.');
  return dot == std::string_view::npos ? column : column.substr(dot + 1);
}

}  // namespace

Result<CursorCodec> CursorCodec::create(crypto::Bytes key) {
  if (key.size() < min_key_bytes) {
    return fail(ErrorCode::config_invalid, "cursor key must be at least 32 bytes");
  }
  return CursorCodec(std::move(key));
}

crypto::Bytes CursorCodec::tag(const TenantId& tenant, std::string_view context,
                               std::span<const std::uint8_t> payload) const {
  crypto::Bytes message;
  message.reserve(mac_domain.size() + 8 + tenant.str().size() + context.size() + payload.size());
  message.insert(message.end(), mac_domain.begin(), mac_domain.end());
  put_text(message, tenant.str());
  put_text(message, context);
  message.insert(message.end(), payload.begin(), payload.end());
  return crypto::hmac_sha256(key_, message);
}

Result<std::string> CursorCodec::encode(const TenantId& tenant, std::string_view context,
                                        std::span<const Value> keys) const {
  if (keys.empty() || keys.size() > max_keys) return fail(ErrorCode::internal_error, "cursor: 1 to 8 keys");
  crypto::Bytes bytes{format_version, static_cast<std::uint8_t>(keys.size())};
  for (const auto& key : keys) {
    if (const auto* i = key.if_int64()) {
      bytes.push_back(key_int64);
      put_u64(bytes, static_cast<std::uint64_t>(*i));
    } else if (const auto* d = key.if_real()) {
      bytes.push_back(key_double);
      put_u64(bytes, std::bit_cast<std::uint64_t>(*d));
    } else if (const auto* s = key.if_text(); s != nullptr && s->size() <= max_text_key) {
      bytes.push_back(key_text);
      bytes.push_back(static_cast<std::uint8_t>(s->size() >> 8));
      bytes.push_back(static_cast<std::uint8_t>(s->size() & 0xff));
      bytes.insert(bytes.end(), s->begin(), s->end());
    } else {
      return fail(ErrorCode::internal_error, "cursor keys must be integers, numbers or short text");
    }
  }
  const auto mac = tag(tenant, context, bytes);
  bytes.insert(bytes.end(), mac.begin(), mac.end());
  return crypto::base64url_encode(bytes);
}

Result<std::vector<Value>> CursorCodec::decode(const TenantId& tenant, std::string_view context,
                                               std::string_view cursor) const {
  if (cursor.empty() || cursor.size() > max_cursor_chars) return invalid_cursor();
  crypto::Bytes bytes;
  if (!crypto::base64url_decode(cursor, bytes) || bytes.size() < 2 + tag_bytes) return invalid_cursor();

  const std::span<const std::uint8_t> all(bytes);
  const auto payload = all.first(bytes.size() - tag_bytes);
  const auto given_tag = all.last(tag_bytes);
  // Authenticate before interpreting a single payload byte.
  if (!crypto::constant_time_equal(tag(tenant, context, payload), given_tag)) return invalid_cursor();

  Reader in(payload);
  std::uint8_t version = 0;
  std::uint8_t count = 0;
  if (!in.u8(version) || version != format_version || !in.u8(count) || count == 0 || count > max_keys) {
    return invalid_cursor();
  }
  std::vector<Value> keys;
  for (std::uint8_t k = 0; k < count; ++k) {
    std::uint8_t type = 0;
    if (!in.u8(type)) return invalid_cursor();
    if (type == key_int64 || type == key_double) {
      std::uint64_t raw = 0;
      if (!in.u64(raw)) return invalid_cursor();
      if (type == key_int64) {
        keys.emplace_back(static_cast<std::int64_t>(raw));
      } else {
        keys.emplace_back(std::bit_cast<double>(raw));
      }
    } else if (type == key_text) {
      std::uint8_t hi = 0;
      std::uint8_t lo = 0;
      std::string text;
      if (!in.u8(hi) || !in.u8(lo)) return invalid_cursor();
      const std::size_t length = (std::size_t{hi} << 8) | lo;
      if (length > max_text_key || !in.text(text, length)) return invalid_cursor();
      keys.emplace_back(std::move(text));
    } else {
      return invalid_cursor();
    }
  }
  if (!in.done()) return invalid_cursor();
  return keys;
}

Result<Page> fetch_page(const TenantScope& scope, const CursorCodec& codec, const KeysetQuery& query) {
  if (query.limit == 0 || query.limit > max_page_size) {
    return fail(ErrorCode::value_out_of_range, "limit must be between 1 and " + std::to_string(max_page_size),
                {{"field", "limit"}, {"min", 1}, {"max", max_page_size}});
  }
  if (!detail::is_plain_identifier(query.sort_column) || !detail::is_plain_identifier(query.id_column)) {
    return fail(ErrorCode::internal_error, "fetch_page: sort and id columns must be plain identifiers");
  }
  const bool descending = query.order == SortOrder::descending;
  // Everything that shapes the list is bound into the cursor, so a cursor cannot be replayed against another
  // list, ordering or tenant.
  std::string context = query.list;
  context.append("\n").append(query.sort_column).append("\n").append(query.id_column);
  context.append(descending ? "\ndesc" : "\nasc");

  std::string sql = query.select;
  Params params = query.params;
  if (!query.after.empty()) {
    auto keys = codec.decode(scope.tenant_id(), context, query.after);
    if (!keys) return std::unexpected(std::move(keys.error()));
    if (keys->size() != 2) return invalid_cursor();
    sql += " AND (" + query.sort_column + ", " + query.id_column + ")" + (descending ? " < " : " > ") + "(?" +
           std::to_string(params.size() + 1) + ", ?" + std::to_string(params.size() + 2) + ")";
    params.push_back(std::move((*keys)[0]));
    params.push_back(std::move((*keys)[1]));
  }
  const char* direction = descending ? " DESC" : " ASC";
  sql += " ORDER BY " + query.sort_column + direction + ", " + query.id_column + direction + " LIMIT ?" +
         std::to_string(params.size() + 1);
  params.emplace_back(static_cast<std::int64_t>(query.limit + 1));  // one extra row tells whether a next page exists

  auto result = scope.query(sql, std::move(params));
  if (!result) return std::unexpected(std::move(result.error()));

  Page page;
  page.items = std::move(result->rows);
  if (page.items.size() > query.limit) {
    page.items.erase(page.items.begin() + static_cast<std::ptrdiff_t>(query.limit), page.items.end());
    const Row& last = page.items.back();
    const Value* sort = last.find(result_column(query.sort_column));
    const Value* id = last.find(result_column(query.id_column));
    if (sort == nullptr || id == nullptr || sort->is_null() || id->is_null()) {
      return fail(ErrorCode::internal_error, "fetch_page: the select must return non-NULL sort and id columns");
    }
    const Value keys[] = {*sort, *id};
    auto cursor = codec.encode(scope.tenant_id(), context, keys);
    if (!cursor) return std::unexpected(std::move(cursor.error()));
    page.next_cursor = std::move(*cursor);
  }
  return page;
}

}  // namespace pierre::store
