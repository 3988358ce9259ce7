#include "pierre/rest/identity_routes.hpp"

#include <boost/beast/http/field.hpp>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;

using detail::json_body;

struct Credentials {
  std::string email;
  std::string password;
  std::string display_name;
};

Result<Credentials> credentials(const json& body, bool with_display_name) {
  Credentials c;
  auto email = detail::string_field(body, "email");
  if (!email) return std::unexpected(email.error());
  auto password = detail::string_field(body, "password");
  if (!password) return std::unexpected(password.error());
  c.email = std::move(*email);
  c.password = std::move(*password);
  if (with_display_name) {
    auto name = detail::string_field(body, "display_name");
    if (!name) return std::unexpected(name.error());
    c.display_name = std::move(*name);
  }
  return c;
}

json new_admin_json(const auth::User& u) {
  return {{"id", u.id},     {"email", u.email},   {"display_name", u.display_name},
          {"role", u.role}, {"status", u.status}, {"tenant_id", u.tenant_id}};
}

}  // namespace

void register_identity_routes(http::Router& router, auth::UserService& users, auth::TokenService& tokens,
                              auth::LoginThrottle& throttle) {
  router.add(
      http::Method::post, "/admin/setup",
      [&users](const http::Request& req, http::RequestContext& ctx) {
        auto body = json_body(req);
        if (!body) return http::error_response(body.error(), req, ctx);
        auto c = credentials(*body, true);
        if (!c) return http::error_response(c.error(), req, ctx);
        auto setup = users.setup_admin(c->email, c->password, c->display_name);
        if (!setup) return http::error_response(setup.error(), req, ctx);
        return http::json_response(http::Status::created,
                                   {{"user", new_admin_json(setup->admin)}, {"tenant_id", setup->tenant_id}}, req);
      },
      "create the first admin (once)");

  router.add(
      http::Method::post, "/auth/register",
      [&users](const http::Request& req, http::RequestContext& ctx) {
        auto body = json_body(req);
        if (!body) return http::error_response(body.error(), req, ctx);
        auto c = credentials(*body, true);
        if (!c) return http::error_response(c.error(), req, ctx);
        auto tenant = users.default_tenant();
        if (!tenant) return http::error_response(tenant.error(), req, ctx);
        if (!*tenant) {
          return http::error_response(
              Error{ErrorCode::resource_unavailable,
                    "server setup has not been completed: an administrator must call POST /admin/setup first"},
              req, ctx);
        }
        auto user = users.register_user(**tenant, c->email, c->password, c->display_name);
        if (!user) return http::error_response(user.error(), req, ctx);
        const bool pending = user->status == "pending";
        return http::json_response(
            http::Status::created,
            {{"user_id", user->id},
             {"status", user->status},
             {"message",
              pending ? "account created; an administrator must approve it before you can log in" : "account created"}},
            req);
      },
      "register a user (pending approval)");

  router.add(
      http::Method::post, "/auth/login",
      [&users, &tokens, &throttle](const http::Request& req, http::RequestContext& ctx) {
        auto body = json_body(req);
        if (!body) return http::error_response(body.error(), req, ctx);
        auto c = credentials(*body, false);
        if (!c) return http::error_response(c.error(), req, ctx);
        // Refused before any password work (and identically for unknown and existing emails).
        if (auto allowed = throttle.check(c->email, ctx.remote_address); !allowed) {
          auto res = http::error_response(allowed.error(), req, ctx);
          res.set(boost::beast::http::field::retry_after,
                  std::to_string(allowed.error().details.value("retry_after_secs", std::int64_t{1})));
          return res;
        }
        auto identity = users.login(c->email, c->password);
        if (!identity) {
          // Every refusal of the credentials counts, including "pending"/"suspended" after a right password.
          if (identity.error().code == ErrorCode::auth_invalid) throttle.record_failure(c->email, ctx.remote_address);
          return http::error_response(identity.error(), req, ctx);
        }
        throttle.record_success(c->email);
        auto user = users.get_user(identity->tenant_id, identity->user_id);
        if (!user) return http::error_response(user.error(), req, ctx);
        auto issued = tokens.issue(*identity);
        if (!issued) return http::error_response(issued.error(), req, ctx);
        return http::json_response(http::Status::ok,
                                   {{"jwt_token", issued->token},
                                    {"expires_at", iso8601(issued->expires_at)},
                                    {"user",
                                     {{"id", user->id},
                                      {"email", user->email},
                                      {"display_name", user->display_name},
                                      {"role", user->role},
                                      {"tenant_id", user->tenant_id}}}},
                                   req);
      },
      "log in; returns a JWT");

  router.add(
      http::Method::post, "/auth/refresh",
      [&users, &tokens](const http::Request& req, http::RequestContext& ctx) {
        auto identity = caller(ctx);
        if (!identity) return http::error_response(identity.error(), req, ctx);
        // A session is extended with a session: an API key must not mint JWTs.
        if (ctx.auth->method != Authentication::Method::jwt) {
          return http::error_response(
              Error{ErrorCode::permission_denied, "only a login session (JWT) can be refreshed"}, req, ctx);
        }
        // The account is re-read: a suspended (or deleted) user cannot extend a token, and a changed role is
        // reflected in the new one.
        auto user = users.get_user(identity->tenant_id, identity->user_id);
        if (!user) {
          if (user.error().code == ErrorCode::resource_not_found) {
            return http::error_response(Error{ErrorCode::auth_invalid, "account not found"}, req, ctx);
          }
          return http::error_response(user.error(), req, ctx);
        }
        if (user->status != "active") {
          return http::error_response(Error{ErrorCode::auth_invalid, "account " + user->status}, req, ctx);
        }
        auth::Identity fresh{user->id, user->tenant_id, user->role, auth::scopes_for_role(user->role)};
        auto issued = tokens.issue(fresh);
        if (!issued) return http::error_response(issued.error(), req, ctx);
        return http::json_response(http::Status::ok,
                                   {{"jwt_token", issued->token}, {"expires_at", iso8601(issued->expires_at)}}, req);
      },
      "exchange a valid JWT for a new one");

  auto jwks = [&tokens](const http::Request& req, http::RequestContext&) {
    return http::json_response(http::Status::ok, tokens.jwks(), req);
  };
  router.add(http::Method::get, "/oauth2/jwks", jwks, "token signing keys (JWKS)");
  router.add(http::Method::get, "/.well-known/jwks.json", jwks, "token signing keys (JWKS)");
}

}  // namespace pierre::rest
