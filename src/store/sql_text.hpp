#pragma once
// Checks and renders statement text before it reaches a driver: placeholder rules, one statement only, and the
// tenant-scoping rules documented in pierre/store/database.hpp. A tokenizer, not a parser: it knows string
// literals, quoted identifiers, comments and placeholders, which is all the rules need.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"
#include "pierre/core/error.hpp"

namespace pierre::store::detail {

struct Token {
  enum class Kind { word, quoted_identifier, string, number, placeholder, tenant, punct };
  Kind kind = Kind::punct;
  std::size_t offset = 0;  // into the statement text
  std::size_t length = 0;
  std::string name;       // word / quoted identifier: lower-cased name; punct: the operator text
  std::size_t index = 0;  // placeholder: N of ?N
};

struct Statement {
  std::vector<Token> tokens;
};

using TableSet = std::set<std::string, std::less<>>;

// Tokenizes and enforces the placeholder and single-statement rules.
Result<Statement> tokenize(std::string_view sql);

// For Database/Transaction: no tenant-scoped table, no :tenant.
Result<void> check_unscoped(const Statement& statement, const TableSet& scoped_tables);
// For TenantScope: the rules in database.hpp.
Result<void> check_scoped(const Statement& statement, const TableSet& scoped_tables);

// Renders the text for `dialect`, with ?N as ?N or $N and :tenant as parameter param_count + 1. Every ?1..?N
// must be used and N must equal param_count.
Result<std::string> render(std::string_view sql, const Statement& statement, std::size_t param_count, Dialect dialect);

// True when `text` is a plain (optionally table-qualified) identifier: [A-Za-z_][A-Za-z0-9_]*(.same)?
bool is_plain_identifier(std::string_view text) noexcept;

}  // namespace pierre::store::detail
