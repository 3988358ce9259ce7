#pragma once
// application/x-www-form-urlencoded (query strings and form bodies) for the OAuth endpoints (module-internal).
// Stricter than the REST helper on purpose: OAuth 2.1 §3.1/§3.2 forbid repeating a parameter, so a repeated name
// is an error rather than "first wins" (which would let a proxy and this server disagree about a request), and a
// malformed percent escape is an error rather than literal text.

#include <expected>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pierre::oauth2::form {

using Params = std::map<std::string, std::string, std::less<>>;

// "a=1&b=x%20y" → {a:"1", b:"x y"}; '+' is a space. Parameters with an empty value count as absent (RFC 6749 §3.1).
// The error is a short description naming the problem ("duplicate parameter: state"); a malformed escape or a
// parameter without a name is one too.
std::expected<Params, std::string> parse(std::string_view encoded);

// The value of `name`, or "" when absent (which parse() also makes of an empty value).
inline std::string_view param(const Params& params, std::string_view name) {
  const auto it = params.find(name);
  return it == params.end() ? std::string_view{} : std::string_view(it->second);
}

// One percent-decoded component ('+' is a space); nullopt for a malformed escape.
std::optional<std::string> decode(std::string_view component);

// The query of a request target ("/p?x=1#f" → "x=1"), or "" when it has none.
std::string_view query_of(std::string_view target) noexcept;

// Percent-encodes everything but RFC 3986 unreserved characters (so the result is safe in a query and in HTML).
std::string encode(std::string_view value);

// `uri` with `params` appended to its query ('?' or '&' as needed), in the order given.
std::string append_query(std::string_view uri,
                         std::initializer_list<std::pair<std::string_view, std::string_view>> params);

}  // namespace pierre::oauth2::form
