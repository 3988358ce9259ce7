#include "pierre/rest/admin_routes.hpp"

#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>

#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 100;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "a=1&b=2" of the request target; the first occurrence of a name wins.
std::map<std::string, std::string, std::less<>> query_params(std::string_view target) {
  std::map<std::string, std::string, std::less<>> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    out.try_emplace(std::move(name), std::move(value));
  }
  return out;
}

std::string iso8601_ms(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer, n);
}

json user_json(const auth::User& u) {
  return {{"id", u.id},     {"email", u.email},   {"display_name", u.display_name},
          {"role", u.role}, {"status", u.status}, {"created_at", iso8601_ms(u.created_at)}};
}

// The caller, re-checked against the database: the account must still be active, and its current role (not the
// one in the token, which may be stale) must be an administrator's.
Result<auth::Identity> require_admin(const http::Request& req, auth::UserService& users,
                                     const auth::TokenService& tokens) {
  auto identity = authenticate(req, tokens);
  if (!identity) return identity;
  auto user = users.get_user(identity->tenant_id, identity->user_id);
  if (!user) {
    if (user.error().code == ErrorCode::resource_not_found) return fail(ErrorCode::auth_invalid, "account not found");
    return std::unexpected(user.error());
  }
  if (user->status != "active") return fail(ErrorCode::auth_invalid, "account is not active");
  identity->role = user->role;
  if (auto ok = require_role(*identity, {"admin", "super_admin"}); !ok) return std::unexpected(ok.error());
  return identity;
}

Result<std::size_t> parse_limit(const std::map<std::string, std::string, std::less<>>& params) {
  auto it = params.find("limit");
  if (it == params.end()) return kDefaultLimit;
  std::size_t value = 0;
  const auto* first = it->second.data();
  const auto* last = first + it->second.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last || it->second.empty() || value < 1 || value > kMaxLimit) {
    return fail(ErrorCode::invalid_input, "limit must be an integer from 1 to 100", {{"field", "limit"}});
  }
  return value;
}

http::Response list_users(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                          const auth::TokenService& tokens, std::optional<std::string> forced_status) {
  auto caller = require_admin(req, users, tokens);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  const auto params = query_params(req.target());
  auto limit = parse_limit(params);
  if (!limit) return http::error_response(limit.error(), req, ctx);
  std::string status;
  if (forced_status) {
    status = *forced_status;
  } else if (auto it = params.find("status"); it != params.end()) {
    status = it->second;
    if (status != "pending" && status != "active" && status != "suspended") {
      return http::error_response(
          Error{ErrorCode::invalid_input, "status must be one of pending, active, suspended", {{"field", "status"}}},
          req, ctx);
    }
  }
  std::string cursor;
  if (auto it = params.find("cursor"); it != params.end()) cursor = it->second;
  auto page = users.list_users(caller->tenant_id, cursor, *limit, status);
  if (!page) return http::error_response(page.error(), req, ctx);
  json list = json::array();
  for (const auto& u : page->users) list.push_back(user_json(u));
  return http::json_response(
      http::Status::ok,
      {{"users", std::move(list)}, {"next_cursor", page->next_cursor ? json(*page->next_cursor) : json(nullptr)}}, req);
}

enum class Action { approve, suspend };

http::Response change_status(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                             const auth::TokenService& tokens, Action action) {
  auto caller = require_admin(req, users, tokens);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  const auto it = ctx.path_params.find("id");
  const std::string id = it == ctx.path_params.end() ? std::string{} : it->second;
  auto done = action == Action::approve ? users.approve(caller->tenant_id, id) : users.suspend(caller->tenant_id, id);
  if (!done) return http::error_response(done.error(), req, ctx);
  auto user = users.get_user(caller->tenant_id, id);
  if (!user) return http::error_response(user.error(), req, ctx);
  return http::json_response(http::Status::ok, {{"user", user_json(*user)}}, req);
}

}  // namespace

void register_admin_routes(http::Router& router, auth::UserService& users, const auth::TokenService& tokens) {
  router.add(
      http::Method::get, "/admin/users",
      [&users, &tokens](const http::Request& req, http::RequestContext& ctx) {
        return list_users(req, ctx, users, tokens, std::nullopt);
      },
      "list the tenant's users (admin)");
  router.add(
      http::Method::get, "/admin/pending-users",
      [&users, &tokens](const http::Request& req, http::RequestContext& ctx) {
        return list_users(req, ctx, users, tokens, std::string("pending"));
      },
      "list users awaiting approval (admin)");
  auto approve = [&users, &tokens](const http::Request& req, http::RequestContext& ctx) {
    return change_status(req, ctx, users, tokens, Action::approve);
  };
  router.add(http::Method::post, "/admin/users/{id}/approve", approve, "approve a user (admin)");
  router.add(http::Method::post, "/admin/approve-user/{id}", approve, "approve a user (admin; Pierre's path)");
  router.add(
      http::Method::post, "/admin/users/{id}/suspend",
      [&users, &tokens](const http::Request& req, http::RequestContext& ctx) {
        return change_status(req, ctx, users, tokens, Action::suspend);
      },
      "suspend a user (admin)");
}

}  // namespace pierre::rest
