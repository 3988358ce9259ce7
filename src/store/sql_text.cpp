#include "sql_text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace pierre::store::detail {
namespace {

using Kind = Token::Kind;

constexpr std::size_t max_placeholder = 9999;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) noexcept { return is_ident_start(c) || is_digit(c) || c == '$'; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::unexpected<Error> invalid(std::string reason) {
  spdlog::error("store: rejected statement: {}", reason);
  return fail(ErrorCode::internal_error, "invalid SQL statement: " + reason);
}

std::unexpected<Error> violation(std::string reason) {
  spdlog::error("store: tenant scoping violation: {}", reason);
  return fail(ErrorCode::internal_error, "tenant scoping violation: " + reason);
}

// Scans a quoted run starting at `open`; `close` doubled inside means a literal close. Returns one past the end.
std::optional<std::size_t> scan_quoted(std::string_view sql, std::size_t open, char close, bool backslash_escapes) {
  std::size_t i = open + 1;
  while (i < sql.size()) {
    const char c = sql[i];
    if (backslash_escapes && c == '\\') {
      i += 2;
      continue;
    }
    if (c == close) {
      if (i + 1 < sql.size() && sql[i + 1] == close) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 9> multi_char_ops = {"->>", "::", "<=", ">=", "<>", "!=", "==", "||", "->"};

}  // namespace

bool is_plain_identifier(std::string_view text) noexcept {
  auto part_ok = [](std::string_view part) {
    if (part.empty() || !(is_ident_start(part[0]) && static_cast<unsigned char>(part[0]) < 0x80)) return false;
    return std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c);
    });
  };
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return part_ok(text);
  return part_ok(text.substr(0, dot)) && part_ok(text.substr(dot + 1));
}

Result<Statement> tokenize(std::string_view sql) {
  Statement statement;
  auto& tokens = statement.tokens;
  bool ended = false;  // a top-level ';' was seen: only whitespace and comments may follow
  std::size_t i = 0;
  const std::size_t n = sql.size();
  auto at = [&](std::size_t k) { return k < n ? sql[k] : '\0'; };

  while (i < n) {
    const char c = sql[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '-' && at(i + 1) == '-') {
      const auto eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? n : eol + 1;
      continue;
    }
    if (c == '/' && at(i + 1) == '*') {
      const auto end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) return invalid("unterminated comment");
      i = end + 2;
      continue;
    }
    if (ended) return invalid("only one statement per call is allowed");
    if (c == ';') {
      ended = true;
      ++i;
      continue;
    }

    Token t;
    t.offset = i;
    if (c == '\'' || ((c == 'E' || c == 'e') && at(i + 1) == '\'')) {
      const bool escaped = c != '\'';
      const auto end = scan_quoted(sql, escaped ? i + 1 : i, '\'', escaped);
      if (!end) return invalid("unterminated string literal");
      t.kind = Kind::string;
      t.length = *end - i;
    } else if (c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      const auto end = scan_quoted(sql, i, close, false);
      if (!end) return invalid("unterminated quoted identifier");
      t.kind = Kind::quoted_identifier;
      t.length = *end - i;
      // Lower-cased even though PostgreSQL treats quoted names as case-sensitive: SQLite does not, and folding
      // can only make the scoping check stricter.
      t.name = lower(sql.substr(i + 1, t.length - 2));
    } else if (is_ident_start(c)) {
      std::size_t j = i + 1;
      while (j < n && is_ident_char(sql[j])) ++j;
      t.kind = Kind::word;
      t.length = j - i;
      t.name = lower(sql.substr(i, t.length));
    } else if (is_digit(c) || (c == '.' && is_digit(at(i + 1)))) {
      std::size_t j = i + 1;
      while (j < n) {
        const char d = sql[j];
        if (is_ident_char(d) || d == '.') {
          ++j;
        } else if ((d == '+' || d == '-') && (sql[j - 1] == 'e' || sql[j - 1] == 'E')) {
          ++j;
        } else {
          break;
        }
      }
      t.kind = Kind::number;
      t.length = j - i;
    } else if (c == '?') {
      std::size_t j = i + 1;
      while (j < n && is_digit(sql[j])) ++j;
      if (j == i + 1) return invalid("bare '?' placeholders are not supported; use ?1, ?2, ...");
      std::size_t index = 0;
      const auto digits = sql.substr(i + 1, j - i - 1);
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc{} || ptr != digits.data() + digits.size() || index == 0 || index > max_placeholder) {
        return invalid("placeholder numbers run from ?1 to ?" + std::to_string(max_placeholder));
      }
      t.kind = Kind::placeholder;
      t.length = j - i;
      t.index = index;
    } else if (c == ':' && at(i + 1) == ':') {
      t.kind = Kind::punct;
      t.length = 2;
      t.name = "::";
    } else if (c == ':' && is_ident_start(at(i + 1))) {
      std::size_t j = i + 1;
      while (j < n && is_ident_char(sql[j])) ++j;
      if (lower(sql.substr(i + 1, j - i - 1)) != "tenant") {
        return invalid("named parameters are not supported; use ?1, ?2, ... (:tenant is reserved)");
      }
      t.kind = Kind::tenant;
      t.length = j - i;
    } else if (c == '$') {
      return invalid(is_digit(at(i + 1)) ? "use ?N placeholders, not $N"
                                         : "dollar-quoted strings are not supported in statements");
    } else if (c == '@' && is_ident_start(at(i + 1))) {
      return invalid("named parameters are not supported; use ?1, ?2, ...");
    } else {
      t.kind = Kind::punct;
      t.length = 1;
      for (auto op : multi_char_ops) {
        if (sql.substr(i, op.size()) == op) {
          t.length = op.size();
          break;
        }
      }
      t.name = std::string(sql.substr(i, t.length));
    }
    i += t.length;
    tokens.push_back(std::move(t));
  }
  if (tokens.empty()) return invalid("empty statement");
  // A transaction opened by hand would be rolled back when the pooled connection is returned.
  static constexpr std::array<std::string_view, 8> control = {"begin", "commit", "rollback",  "end",
                                                              "abort", "start",  "savepoint", "release"};
  if (tokens[0].kind == Kind::word && std::find(control.begin(), control.end(), tokens[0].name) != control.end()) {
    return invalid("transaction control goes through Database::begin() and Transaction");
  }
  return statement;
}

namespace {

bool is_name(const Token& t) noexcept { return t.kind == Kind::word || t.kind == Kind::quoted_identifier; }
bool is_punct(const Token& t, std::string_view text) noexcept { return t.kind == Kind::punct && t.name == text; }
bool is_word(const Token& t, std::string_view word) noexcept { return t.kind == Kind::word && t.name == word; }

bool is_comparison(const Token& t) noexcept {
  static constexpr std::array<std::string_view, 9> ops = {"=", "==", "<", ">", "<=", ">=", "<>", "!=", "!"};
  static constexpr std::array<std::string_view, 10> words = {"in",     "like", "ilike", "glob",    "match",
                                                             "regexp", "is",   "not",   "between", "similar"};
  if (t.kind == Kind::punct) return std::find(ops.begin(), ops.end(), t.name) != ops.end();
  if (t.kind == Kind::word) return std::find(words.begin(), words.end(), t.name) != words.end();
  return false;
}

// Words after a table name that start the next clause rather than name an alias.
bool is_clause_word(const Token& t) noexcept {
  static constexpr std::array<std::string_view, 32> words = {
      "where",  "join",  "inner", "left",  "right",   "full",  "cross",  "natural",   "on",        "using",  "set",
      "values", "order", "group", "limit", "offset",  "union", "except", "intersect", "having",    "window", "select",
      "from",   "and",   "or",    "outer", "lateral", "for",   "do",     "default",   "returning", "indexed"};
  return t.kind == Kind::word && std::find(words.begin(), words.end(), t.name) != words.end();
}

// Words that change which clause the following tokens belong to (tracked per parenthesis depth).
bool is_clause_start(const Token& t) noexcept {
  static constexpr std::array<std::string_view, 17> words = {
      "select", "from", "where", "set",  "on",     "having", "group",     "order", "limit",
      "values", "join", "using", "into", "update", "delete", "returning", "do"};
  return t.kind == Kind::word && std::find(words.begin(), words.end(), t.name) != words.end();
}

// Index of the name token of `tokens[k]`'s column when it is written `qualifier.column`: k - 2, else k.
std::size_t column_start(const std::vector<Token>& tokens, std::size_t k) noexcept {
  if (k >= 2 && is_punct(tokens[k - 1], ".") && is_name(tokens[k - 2])) return k - 2;
  return k;
}

bool is_tenant_column(const std::vector<Token>& tokens, std::size_t k) noexcept {
  return k < tokens.size() && is_name(tokens[k]) && tokens[k].name == "tenant_id" &&
         !(k + 1 < tokens.size() && is_punct(tokens[k + 1], "."));
}

// From an opening "(" at `open`, the index of the matching ")" and the top-level comma-separated element ranges.
struct Group {
  std::size_t close = 0;
  std::vector<std::pair<std::size_t, std::size_t>> elements;  // [first, last)
};
std::optional<Group> read_group(const std::vector<Token>& tokens, std::size_t open) {
  if (open >= tokens.size() || !is_punct(tokens[open], "(")) return std::nullopt;
  Group g;
  int depth = 0;
  std::size_t start = open + 1;
  for (std::size_t k = open; k < tokens.size(); ++k) {
    if (is_punct(tokens[k], "(")) {
      ++depth;
    } else if (is_punct(tokens[k], ")")) {
      if (--depth == 0) {
        g.elements.emplace_back(start, k);
        g.close = k;
        return g;
      }
    } else if (depth == 1 && is_punct(tokens[k], ",")) {
      g.elements.emplace_back(start, k);
      start = k + 1;
    }
  }
  return std::nullopt;
}

// Checks INSERT INTO <scoped table> (..., tenant_id, ...) VALUES (..., :tenant, ...)[, (...)] [ON CONFLICT ...].
// Returns the index of the target table token when it is scoped (so it is not counted as a reference needing a
// WHERE predicate), nullopt when the statement is not an INSERT into a scoped table.
Result<std::optional<std::size_t>> check_insert(const std::vector<Token>& tokens, const TableSet& scoped) {
  if (tokens.empty() || !is_word(tokens[0], "insert")) return std::optional<std::size_t>{};
  std::size_t k = 1;
  while (k < tokens.size() && !is_word(tokens[k], "into")) ++k;
  ++k;
  if (k + 2 < tokens.size() && is_name(tokens[k]) && is_punct(tokens[k + 1], ".")) k += 2;  // schema.table
  if (k >= tokens.size() || !is_name(tokens[k])) return invalid("INSERT without a target table");
  const std::size_t target = k;
  const std::string& table = tokens[k].name;
  if (!scoped.contains(table)) return std::optional<std::size_t>{};

  ++k;
  if (k < tokens.size() && is_word(tokens[k], "as")) k += 2;
  const auto columns = read_group(tokens, k);
  if (!columns) return violation("INSERT INTO " + table + " must list its columns");
  std::optional<std::size_t> tenant_column;
  for (std::size_t c = 0; c < columns->elements.size(); ++c) {
    const auto [first, last] = columns->elements[c];
    if (last == first + 1 && is_tenant_column(tokens, first)) tenant_column = c;
  }
  if (!tenant_column) return violation("INSERT INTO " + table + " must set tenant_id to :tenant");
  k = columns->close + 1;
  if (k >= tokens.size() || !is_word(tokens[k], "values")) {
    return violation("INSERT INTO " + table + " must use VALUES (INSERT ... SELECT is not checked)");
  }
  ++k;
  while (true) {
    const auto row = read_group(tokens, k);
    if (!row) return violation("INSERT INTO " + table + ": malformed VALUES");
    if (row->elements.size() != columns->elements.size()) {
      return violation("INSERT INTO " + table + ": VALUES row and column list differ in length");
    }
    const auto [first, last] = row->elements[*tenant_column];
    if (!(last == first + 1 && tokens[first].kind == Kind::tenant)) {
      return violation("INSERT INTO " + table + " must set tenant_id to :tenant");
    }
    k = row->close + 1;
    if (k < tokens.size() && is_punct(tokens[k], ",")) {
      ++k;
      continue;
    }
    break;
  }
  // Upserts: DO UPDATE must only be able to hit a row of this tenant, so the conflict target includes tenant_id.
  for (; k < tokens.size(); ++k) {
    if (!is_word(tokens[k], "conflict")) continue;
    bool target_has_tenant = false;
    std::size_t j = k + 1;
    if (const auto target_cols = read_group(tokens, j)) {
      for (const auto& [first, last] : target_cols->elements) {
        if (last == first + 1 && is_tenant_column(tokens, first)) target_has_tenant = true;
      }
      j = target_cols->close + 1;
    }
    while (j < tokens.size() && !is_word(tokens[j], "do")) ++j;
    if (j + 1 < tokens.size() && is_word(tokens[j + 1], "update") && !target_has_tenant) {
      return violation("INSERT INTO " + table +
                       " ... ON CONFLICT DO UPDATE must name tenant_id in its conflict target");
    }
  }
  return std::optional<std::size_t>{target};
}

}  // namespace

Result<void> check_unscoped(const Statement& statement, const TableSet& scoped_tables) {
  for (const auto& t : statement.tokens) {
    if (t.kind == Kind::tenant) return violation(":tenant is only available through a TenantScope");
    if (is_name(t) && scoped_tables.contains(t.name)) {
      return violation("table " + t.name + " is tenant-scoped: query it through tenant(TenantId)");
    }
  }
  return {};
}

Result<void> check_scoped(const Statement& statement, const TableSet& scoped_tables) {
  const auto& tokens = statement.tokens;

  auto insert_target = check_insert(tokens, scoped_tables);
  if (!insert_target) return std::unexpected(std::move(insert_target.error()));

  struct Reference {
    std::string table;
    std::string alias;
  };
  std::vector<Reference> references;
  std::set<std::string, std::less<>> qualified_predicates;
  std::size_t unqualified_predicates = 0;
  std::vector<std::string> clause{""};  // current clause keyword per parenthesis depth

  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (is_punct(t, "(")) {
      clause.push_back(clause.back());
      continue;
    }
    if (is_punct(t, ")")) {
      if (clause.size() > 1) clause.pop_back();
      continue;
    }
    if (is_clause_start(t)) clause.back() = t.name;
    if (is_word(t, "replace") && !(k + 1 < tokens.size() && is_punct(tokens[k + 1], "("))) {
      return violation("REPLACE is not allowed on tenant-scoped statements");
    }

    if (is_name(t) && scoped_tables.contains(t.name) && !(k + 1 < tokens.size() && is_punct(tokens[k + 1], "."))) {
      if (insert_target->has_value() && **insert_target == k) continue;
      Reference ref{t.name, {}};
      if (k + 1 < tokens.size()) {
        const Token& next = tokens[k + 1];
        if (is_word(next, "as") && k + 2 < tokens.size() && is_name(tokens[k + 2])) {
          ref.alias = tokens[k + 2].name;
        } else if (is_name(next) && !is_clause_word(next)) {
          ref.alias = next.name;
        }
      }
      references.push_back(std::move(ref));
      continue;
    }

    if (!is_tenant_column(tokens, k)) continue;
    const std::size_t start = column_start(tokens, k);
    const std::string qualifier = start == k ? std::string{} : tokens[start].name;
    const bool next_is_op = k + 1 < tokens.size() && is_comparison(tokens[k + 1]);
    const bool prev_is_op = start >= 1 && is_comparison(tokens[start - 1]);
    if (!next_is_op && !prev_is_op) continue;  // select list, column list, ORDER BY, conflict target...

    if (clause.back() == "set") return violation("tenant_id cannot be assigned through a TenantScope");
    bool is_predicate = false;
    bool is_join = false;
    if (next_is_op) {
      if (is_punct(tokens[k + 1], "=") && k + 2 < tokens.size()) {
        if (tokens[k + 2].kind == Kind::tenant) {
          is_predicate = true;
        } else if (is_tenant_column(tokens, k + 2) ||
                   (k + 4 < tokens.size() && is_punct(tokens[k + 3], ".") && is_tenant_column(tokens, k + 4))) {
          is_join = true;  // a.tenant_id = b.tenant_id
        }
      }
    } else {
      if (is_punct(tokens[start - 1], "=") && start >= 2) {
        if (tokens[start - 2].kind == Kind::tenant) {
          is_predicate = true;
        } else if (is_tenant_column(tokens, start - 2)) {
          is_join = true;  // second half of a.tenant_id = b.tenant_id
        }
      }
    }
    if (!is_predicate && !is_join) return violation("tenant_id may only be compared with = :tenant");
    if (is_predicate && (clause.back() == "where" || clause.back() == "on")) {
      if (qualifier.empty()) {
        ++unqualified_predicates;
      } else {
        qualified_predicates.insert(qualifier);
      }
    }
  }

  std::size_t uncovered = 0;
  std::string first_uncovered;
  for (const auto& ref : references) {
    const bool covered =
        qualified_predicates.contains(ref.table) || (!ref.alias.empty() && qualified_predicates.contains(ref.alias));
    if (!covered && uncovered++ == 0) first_uncovered = ref.table;
  }
  if (uncovered > unqualified_predicates) {
    return violation("table " + first_uncovered + " is not filtered by tenant_id = :tenant");
  }
  return {};
}

Result<std::string> render(std::string_view sql, const Statement& statement, std::size_t param_count, Dialect dialect) {
  std::vector<bool> used(param_count + 1, false);
  std::string out;
  out.reserve(sql.size() + 16);
  std::size_t copied = 0;
  const char prefix = dialect == Dialect::postgresql ? '$' : '?';
  for (const auto& t : statement.tokens) {
    std::size_t index = 0;
    if (t.kind == Token::Kind::placeholder) {
      if (t.index > param_count) {
        return invalid("statement uses ?" + std::to_string(t.index) + " but " + std::to_string(param_count) +
                       " parameter(s) were given");
      }
      used[t.index] = true;
      index = t.index;
    } else if (t.kind == Token::Kind::tenant) {
      index = param_count + 1;
    } else {
      continue;
    }
    out.append(sql.substr(copied, t.offset - copied));
    out.push_back(prefix);
    out.append(std::to_string(index));
    copied = t.offset + t.length;
  }
  out.append(sql.substr(copied));
  for (std::size_t i = 1; i <= param_count; ++i) {
    if (!used[i]) return invalid("parameter ?" + std::to_string(i) + " is never used");
  }
  return out;
}

}  // namespace pierre::store::detail
