#include "pierre/rest/admin_routes.hpp"

#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>

#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;
using detail::iso8601_ms;
using detail::query_params;

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 100;

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

http::Response list_users(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                          const auth::TokenService& tokens, std::optional<std::string> forced_status) {
  auto caller = require_admin(req, users, tokens);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  const auto params = query_params(req.target());
  auto limit = detail::parse_limit(params, kDefaultLimit, kMaxLimit);
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
