#pragma once
// Values that travel between the application and either backend: statement parameters and result columns.
// Five types cover both SQLite and PostgreSQL: NULL, 64-bit integer, double, UTF-8 text and bytes.
// PostgreSQL results are normalised to these (bool and int2/4/8 -> int64, float4/8/numeric -> double,
// bytea -> blob, everything else -> text), so code reading a Row does not depend on the backend.

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "pierre/core/error.hpp"

namespace pierre::store {

using Blob = std::vector<std::uint8_t>;

enum class ValueType { null, int64, real, text, blob };

class Value {
 public:
  using Storage = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

  Value() noexcept = default;  // NULL
  Value(std::nullptr_t) noexcept {}
  Value(std::nullopt_t) noexcept {}
  Value(bool b) noexcept : storage_(std::int64_t{b ? 1 : 0}) {}
  // Any signed integer, or an unsigned one that fits in int64 without a check.
  template <std::integral T>
  requires(!std::same_as<T, bool> && (std::is_signed_v<T> || sizeof(T) < sizeof(std::int64_t))) Value(T v)
  noexcept : storage_(static_cast<std::int64_t>(v)) {}
  Value(double v) noexcept : storage_(v) {}
  Value(const char* text) : storage_(std::string(text)) {}
  Value(std::string_view text) : storage_(std::string(text)) {}
  Value(std::string text) noexcept : storage_(std::move(text)) {}
  Value(Blob bytes) noexcept : storage_(std::move(bytes)) {}
  Value(std::span<const std::uint8_t> bytes) : storage_(Blob(bytes.begin(), bytes.end())) {}
  template <typename T>
  Value(const std::optional<T>& maybe) : Value(maybe ? Value(*maybe) : Value()) {}

  [[nodiscard]] ValueType type() const noexcept { return static_cast<ValueType>(storage_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return type() == ValueType::null; }
  [[nodiscard]] const Storage& storage() const noexcept { return storage_; }

  // Typed access without conversion; nullptr when the value holds another type.
  [[nodiscard]] const std::int64_t* if_int64() const noexcept { return std::get_if<std::int64_t>(&storage_); }
  [[nodiscard]] const double* if_real() const noexcept { return std::get_if<double>(&storage_); }
  [[nodiscard]] const std::string* if_text() const noexcept { return std::get_if<std::string>(&storage_); }
  [[nodiscard]] const Blob* if_blob() const noexcept { return std::get_if<Blob>(&storage_); }

  friend bool operator==(const Value&, const Value&) = default;

 private:
  Storage storage_;
};

// Statement parameters, bound in order to ?1, ?2, ... (see database.hpp for the placeholder rules).
using Params = std::vector<Value>;

// One result row. Columns are read by name or position; `get<T>` converts to T or returns an Error
// (database_error) when the column is missing, NULL for a non-optional T, or of an incompatible type.
// Supported T: std::int64_t, int, bool, double, std::string, Blob, Value and std::optional of any of these.
class Row {
 public:
  using Columns = std::shared_ptr<const std::vector<std::string>>;

  Row(Columns columns, std::vector<Value> values) noexcept : columns_(std::move(columns)), values_(std::move(values)) {}

  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] const std::vector<std::string>& columns() const noexcept { return *columns_; }
  [[nodiscard]] const std::vector<Value>& values() const noexcept { return values_; }
  // Precondition: index < size().
  [[nodiscard]] const Value& operator[](std::size_t index) const noexcept { return values_[index]; }
  // The first column with that name, or nullptr.
  [[nodiscard]] const Value* find(std::string_view column) const noexcept;

  template <typename T>
  [[nodiscard]] Result<T> get(std::string_view column) const {
    const Value* v = find(column);
    if (v == nullptr) return fail(ErrorCode::database_error, "result has no column '" + std::string(column) + "'");
    return convert<T>(*v, column);
  }
  template <typename T>
  [[nodiscard]] Result<T> get(std::size_t index) const {
    if (index >= values_.size()) return fail(ErrorCode::database_error, "result column index out of range");
    return convert<T>(values_[index], (*columns_)[index]);
  }

 private:
  template <typename T>
  struct is_optional : std::false_type {};
  template <typename T>
  struct is_optional<std::optional<T>> : std::true_type {};

  static Error type_error(std::string_view column, std::string_view expected);

  template <typename T>
  static Result<T> convert(const Value& v, std::string_view column) {
    if constexpr (is_optional<T>::value) {
      if (v.is_null()) return T{};
      auto inner = convert<typename T::value_type>(v, column);
      if (!inner) return std::unexpected(std::move(inner.error()));
      return T{std::move(*inner)};
    } else if constexpr (std::same_as<T, Value>) {
      return v;
    } else {
      if (v.is_null()) return std::unexpected(type_error(column, "a non-NULL value"));
      if constexpr (std::same_as<T, std::int64_t>) {
        if (const auto* i = v.if_int64()) return *i;
        return std::unexpected(type_error(column, "an integer"));
      } else if constexpr (std::same_as<T, int>) {
        if (const auto* i = v.if_int64(); i != nullptr && *i >= INT32_MIN && *i <= INT32_MAX) {
          return static_cast<int>(*i);
        }
        return std::unexpected(type_error(column, "a 32-bit integer"));
      } else if constexpr (std::same_as<T, bool>) {
        if (const auto* i = v.if_int64()) return *i != 0;
        return std::unexpected(type_error(column, "a boolean"));
      } else if constexpr (std::same_as<T, double>) {
        if (const auto* d = v.if_real()) return *d;
        if (const auto* i = v.if_int64()) return static_cast<double>(*i);
        return std::unexpected(type_error(column, "a number"));
      } else if constexpr (std::same_as<T, std::string>) {
        if (const auto* s = v.if_text()) return *s;
        return std::unexpected(type_error(column, "text"));
      } else if constexpr (std::same_as<T, Blob>) {
        if (const auto* b = v.if_blob()) return *b;
        return std::unexpected(type_error(column, "a blob"));
      } else {
        static_assert(sizeof(T) == 0, "Row::get<T>: unsupported type");
      }
    }
  }

  Columns columns_;
  std::vector<Value> values_;
};

struct QueryResult {
  std::vector<Row> rows;
  // Rows inserted, updated or deleted by the statement (0 for a SELECT).
  std::int64_t affected_rows = 0;
};

}  // namespace pierre::store
