#include "postgres/pg_connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace pierre::store::detail {
namespace {

struct FinishConn {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct ClearResult {
  void operator()(PGresult* res) const noexcept { PQclear(res); }
};
struct FreeConninfo {
  void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};
struct FreeMem {
  void operator()(char* p) const noexcept { PQfreemem(p); }
};
using ConnPtr = std::unique_ptr<PGconn, FinishConn>;
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

// Type OIDs from pg_type.h (stable across PostgreSQL versions).
constexpr Oid bool_oid = 16;
constexpr Oid bytea_oid = 17;
constexpr Oid int8_oid = 20;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid oid_oid = 26;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;
constexpr Oid numeric_oid = 1700;

constexpr std::size_t max_prepared_statements = 512;

void ignore_notice(void*, const char*) {}

std::string_view field(const PGresult* res, int code) {
  const char* value = res != nullptr ? PQresultErrorField(res, code) : nullptr;
  return value != nullptr ? std::string_view(value) : std::string_view();
}

// Driver text (which may quote values in DETAIL) is never put in the Error; the primary message is logged.
Error driver_error(PGconn* conn, const PGresult* res) {
  const auto state = field(res, PG_DIAG_SQLSTATE);
  if (state == "23505") return Error(ErrorCode::resource_already_exists, "resource already exists");
  if (state == "23503") return Error(ErrorCode::invalid_input, "referenced resource does not exist");
  const auto primary = field(res, PG_DIAG_MESSAGE_PRIMARY);
  spdlog::warn("store: postgresql error {} ({})", state.empty() ? "-----" : state,
               primary.empty() ? std::string_view(PQerrorMessage(conn)) : primary);
  if (state.starts_with("08") || PQstatus(conn) != CONNECTION_OK) {
    return Error(ErrorCode::database_error, "database unavailable");
  }
  if (state == "40001" || state == "40P01" || state == "55P03") {
    return Error(ErrorCode::database_error, "database is busy");
  }
  return Error(ErrorCode::database_error, "database error");
}

std::optional<Blob> decode_bytea_hex(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Blob out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

std::optional<double> parse_double(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double d = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return d;
}

// Text-format result value -> Value by column type.
Value decode(Oid type, std::string_view text) {
  switch (type) {
    case bool_oid:
      return Value(std::int64_t{text == "t" ? 1 : 0});
    case int2_oid:
    case int4_oid:
    case int8_oid:
    case oid_oid: {
      std::int64_t i = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc{} && ptr == text.data() + text.size()) return Value(i);
      return Value(std::string(text));
    }
    case float4_oid:
    case float8_oid:
    case numeric_oid:
      if (auto d = parse_double(text)) return Value(*d);
      return Value(std::string(text));
    case bytea_oid:
      if (auto b = decode_bytea_hex(text)) return Value(std::move(*b));
      return Value(std::string(text));
    default:
      return Value(std::string(text));
  }
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", d);  // shortest text that round-trips
}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(ConnPtr conn) noexcept : conn_(std::move(conn)) {}

  Result<QueryResult> run(const std::string& sql, std::span<const Value> params) override {
    if (auto ok = ensure_connected(); !ok) return std::unexpected(ok.error());
    if (params.size() > 65535) return fail(ErrorCode::internal_error, "too many statement parameters");

    // Text-format parameters typed by value (NULL and text as "unknown" so the server infers them from context,
    // which lets one text value feed TEXT, JSONB or TIMESTAMPTZ columns); blobs go in binary format.
    const std::size_t n = params.size();
    std::vector<std::string> storage(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    std::vector<Oid> types(n, 0);
    std::string signature;
    signature.reserve(n + 1 + sql.size());
    for (std::size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      switch (v.type()) {
        case ValueType::null:
          signature.push_back('n');
          break;
        case ValueType::int64:
          storage[i] = std::to_string(*v.if_int64());
          values[i] = storage[i].c_str();
          types[i] = int8_oid;
          signature.push_back('i');
          break;
        case ValueType::real:
          storage[i] = format_double(*v.if_real());
          values[i] = storage[i].c_str();
          types[i] = float8_oid;
          signature.push_back('d');
          break;
        case ValueType::text: {
          const auto& text = *v.if_text();
          if (text.find('\0') != std::string::npos) {
            return fail(ErrorCode::invalid_input, "text contains a NUL character");
          }
          values[i] = text.c_str();
          signature.push_back('t');
          break;
        }
        case ValueType::blob: {
          const auto& blob = *v.if_blob();
          if (blob.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
            return fail(ErrorCode::invalid_input, "value too large");
          }
          static constexpr char empty = 0;
          values[i] = blob.empty() ? &empty : reinterpret_cast<const char*>(blob.data());
          lengths[i] = static_cast<int>(blob.size());
          formats[i] = 1;
          types[i] = bytea_oid;
          signature.push_back('b');
          break;
        }
      }
    }
    signature.push_back('\n');
    signature.append(sql);

    const int count = static_cast<int>(n);
    ResultPtr res;
    if (auto name = prepared(signature, sql, types); name) {
      res.reset(PQexecPrepared(conn_.get(), name->c_str(), count, values.data(), lengths.data(), formats.data(), 0));
    } else if (name.error().code != ErrorCode::resource_unavailable) {
      return std::unexpected(std::move(name.error()));
    } else {  // cache full: run unnamed
      res.reset(PQexecParams(conn_.get(), sql.c_str(), count, types.data(), values.data(), lengths.data(),
                             formats.data(), 0));
    }
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      return std::unexpected(driver_error(conn_.get(), res.get()));
    }
    return collect(res.get());
  }

  Result<void> run_script(std::string_view sql) override {
    if (auto ok = ensure_connected(); !ok) return std::unexpected(ok.error());
    const std::string text(sql);
    ResultPtr res(PQexec(conn_.get(), text.c_str()));
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
      return std::unexpected(driver_error(conn_.get(), res.get()));
    }
    return {};
  }

  bool in_transaction() const noexcept override {
    const auto status = PQtransactionStatus(conn_.get());
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
  }

  bool transaction_failed() const noexcept override { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }

  void reset_after_use() noexcept override {
    if (PQstatus(conn_.get()) != CONNECTION_OK) return;  // reconnected on next use
    if (in_transaction()) {
      ResultPtr res(PQexec(conn_.get(), "ROLLBACK"));
      if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        spdlog::error("store: postgresql rollback of an abandoned transaction failed");
      }
    }
  }

 private:
  Result<void> ensure_connected() {
    if (PQstatus(conn_.get()) == CONNECTION_OK) return {};
    PQreset(conn_.get());
    prepared_.clear();  // prepared statements die with the session
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      spdlog::warn("store: postgresql reconnect failed: {}", PQerrorMessage(conn_.get()));
      return fail(ErrorCode::database_error, "database unavailable");
    }
    return {};
  }

  // The server-side prepared statement for this SQL + parameter types, prepared on first use.
  // resource_unavailable means "cache full, run it unnamed".
  Result<std::string> prepared(const std::string& key, const std::string& sql, const std::vector<Oid>& types) {
    if (auto it = prepared_.find(key); it != prepared_.end()) return it->second;
    if (prepared_.size() >= max_prepared_statements) return fail(ErrorCode::resource_unavailable, "");
    std::string name = "pierre_" + std::to_string(next_statement_++);
    ResultPtr res(PQprepare(conn_.get(), name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data()));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return std::unexpected(driver_error(conn_.get(), res.get()));
    prepared_.emplace(key, name);
    return name;
  }

  static QueryResult collect(const PGresult* res) {
    QueryResult result;
    const int fields = PQnfields(res);
    const int rows = PQntuples(res);
    if (fields > 0) {
      auto names = std::make_shared<std::vector<std::string>>();
      std::vector<Oid> types;
      for (int f = 0; f < fields; ++f) {
        names->emplace_back(PQfname(res, f));
        types.push_back(PQftype(res, f));
      }
      Row::Columns shared = std::move(names);
      result.rows.reserve(static_cast<std::size_t>(rows));
      for (int r = 0; r < rows; ++r) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(fields));
        for (int f = 0; f < fields; ++f) {
          if (PQgetisnull(res, r, f) != 0) {
            values.emplace_back();
          } else {
            const auto len = static_cast<std::size_t>(PQgetlength(res, r, f));
            values.push_back(decode(types[static_cast<std::size_t>(f)], std::string_view(PQgetvalue(res, r, f), len)));
          }
        }
        result.rows.emplace_back(shared, std::move(values));
      }
    }
    // PQcmdTuples is the changed-row count for INSERT/UPDATE/DELETE (with or without RETURNING) and the row
    // count for SELECT, which is not "affected".
    const std::string_view command = PQcmdStatus(const_cast<PGresult*>(res));
    const std::string_view affected = PQcmdTuples(const_cast<PGresult*>(res));
    if (!affected.empty() && !command.starts_with("SELECT")) {
      std::from_chars(affected.data(), affected.data() + affected.size(), result.affected_rows);
    }
    return result;
  }

  ConnPtr conn_;
  std::unordered_map<std::string, std::string> prepared_;  // parameter signature + SQL -> statement name
  std::uint64_t next_statement_ = 0;
};

}  // namespace

Result<std::unique_ptr<Connection>> open_postgres(const std::string& url) {
  // Parse first so a malformed URL is a configuration error rather than a connection failure. libpq's parse
  // message may quote parts of the URL, so it is not passed on.
  char* parse_error = nullptr;
  const std::unique_ptr<PQconninfoOption, FreeConninfo> options(PQconninfoParse(url.c_str(), &parse_error));
  const std::unique_ptr<char, FreeMem> parse_message(parse_error);
  if (!options) return fail(ErrorCode::config_invalid, "DATABASE_URL: not a valid PostgreSQL connection URI");

  // Our defaults first; with expand_dbname the URI given as dbname overrides them.
  const std::array<const char*, 4> keys = {"application_name", "connect_timeout", "dbname", nullptr};
  const std::array<const char*, 4> values = {"pierre-mcp-server", "10", url.c_str(), nullptr};
  ConnPtr conn(PQconnectdbParams(keys.data(), values.data(), 1));
  if (!conn) return fail(ErrorCode::database_error, "cannot connect to PostgreSQL (out of memory)");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq's message names host, port and user but never the password; it goes to the log only.
    std::string detail = PQerrorMessage(conn.get());
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    spdlog::warn("store: cannot connect to PostgreSQL: {}", detail);
    return fail(ErrorCode::database_error, "cannot connect to PostgreSQL");
  }
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  return std::unique_ptr<Connection>(std::make_unique<PgConnection>(std::move(conn)));
}

}  // namespace pierre::store::detail
