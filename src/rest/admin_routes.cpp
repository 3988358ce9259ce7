#include "pierre/rest/admin_routes.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "pierre/core/text.hpp"
#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using detail::query_params;
using nlohmann::json;
using text::trim;

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 100;
constexpr std::size_t kMaxTenantNameBytes = 200;
constexpr std::size_t kMaxSlugBytes = 64;

json user_json(const auth::User& u) {
  return {{"id", u.id},     {"email", u.email},   {"display_name", u.display_name},
          {"role", u.role}, {"status", u.status}, {"created_at", iso8601_ms(u.created_at)}};
}

// The caller, re-checked against the database: the account must still be active, and its current role (not the
// one in the token, which may be stale) must be an administrator's.
Result<auth::Identity> require_admin(const http::RequestContext& ctx, auth::UserService& users) {
  auto identity = current_account(ctx, users);
  if (!identity) return identity;
  if (auto ok = require_role(*identity, {"admin", "super_admin"}); !ok) return std::unexpected(ok.error());
  return identity;
}

http::Response list_users(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                          std::optional<std::string> forced_status) {
  auto caller = require_admin(ctx, users);
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
                             auth::ApiKeyService& api_keys, const SuspensionHook& on_suspended, Action action) {
  auto caller = require_admin(ctx, users);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  const auto it = ctx.path_params.find("id");
  const std::string id = it == ctx.path_params.end() ? std::string{} : it->second;
  auto done = action == Action::approve ? users.approve(caller->tenant_id, id) : users.suspend(caller->tenant_id, id);
  if (!done) return http::error_response(done.error(), req, ctx);
  if (action == Action::suspend) {
    api_keys.forget_owner(caller->tenant_id, id);
    if (on_suspended) on_suspended(caller->tenant_id, id);
  }
  auto user = users.get_user(caller->tenant_id, id);
  if (!user) return http::error_response(user.error(), req, ctx);
  return http::json_response(http::Status::ok, {{"user", user_json(*user)}}, req);
}

// POST /admin/users/{id}/role {role: "admin"|"user"}: within the caller's tenant; not the caller's own role (an
// administrator cannot lock themselves out) nor the super_admin's.
http::Response change_role(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                           auth::ApiKeyService& api_keys) {
  auto caller = require_admin(ctx, users);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  const auto& id = ctx.path_params.at("id");
  auto body = detail::json_body(req);
  if (!body) return http::error_response(body.error(), req, ctx);
  auto role = detail::string_field(*body, "role");
  if (!role) return http::error_response(role.error(), req, ctx);
  if (id == caller->user_id) {
    return http::error_response(Error{ErrorCode::permission_denied, "you cannot change your own role"}, req, ctx);
  }
  if (auto done = users.set_role(caller->tenant_id, id, *role); !done) {
    return http::error_response(done.error(), req, ctx);
  }
  api_keys.forget_owner(caller->tenant_id, id);  // cached keys carry the old role
  auto user = users.get_user(caller->tenant_id, id);
  if (!user) return http::error_response(user.error(), req, ctx);
  return http::json_response(http::Status::ok, {{"user", user_json(*user)}}, req);
}

// The caller must be the super_admin (403 for other administrators and users).
Result<auth::Identity> require_super_admin(const http::RequestContext& ctx, auth::UserService& users) {
  auto caller = require_admin(ctx, users);
  if (!caller) return caller;
  if (auto ok = require_role(*caller, {"super_admin"}); !ok) return std::unexpected(ok.error());
  return caller;
}

json tenant_json(const auth::Tenant& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"slug", t.slug},
          {"auto_approve", t.auto_approve},
          {"created_at", iso8601_ms(t.created_at)}};
}

Error invalid_field(const char* field, std::string message) {
  return Error{ErrorCode::invalid_input, std::move(message), {{"field", field}}};
}

// An optional field: absent or null → nullopt; otherwise it must be a string.
Result<std::optional<std::string>> optional_string(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return std::unexpected(invalid_field(name, fmt::format("field {} must be a string", name)));
  return std::optional<std::string>{it->get<std::string>()};
}

bool valid_slug(std::string_view slug) {
  return !slug.empty() && slug.size() <= kMaxSlugBytes && slug.front() != '-' && slug.back() != '-' &&
         std::all_of(slug.begin(), slug.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// "Acme Running Club" → "acme-running-club"; non-ASCII letters and punctuation become separators.
std::string slug_from_name(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) {
      out.push_back(c);
    } else if (u >= 'A' && u <= 'Z') {
      out.push_back(static_cast<char>(u - 'A' + 'a'));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
    if (out.size() >= kMaxSlugBytes) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? std::string("tenant") : out;
}

struct NewTenant {
  std::string name;
  std::string slug;
  bool auto_approve = false;
};

Result<NewTenant> new_tenant(const json& body) {
  auto name = detail::string_field(body, "name");
  if (!name) return std::unexpected(name.error());
  NewTenant t;
  t.name = std::string(trim(*name));
  if (t.name.empty() || t.name.size() > kMaxTenantNameBytes) {
    return std::unexpected(invalid_field("name", fmt::format("name must be 1 to {} bytes", kMaxTenantNameBytes)));
  }
  if (std::any_of(t.name.begin(), t.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return std::unexpected(invalid_field("name", "name must not contain control characters"));
  }
  auto slug = optional_string(body, "slug");
  if (!slug) return std::unexpected(slug.error());
  if (*slug) {
    if (!valid_slug(**slug)) {
      return std::unexpected(invalid_field(
          "slug",
          fmt::format("slug must be 1 to {} of a-z, 0-9 and '-', not starting or ending with '-'", kMaxSlugBytes)));
    }
    t.slug = std::move(**slug);
  } else {
    t.slug = slug_from_name(t.name);
  }
  if (const auto it = body.find("auto_approve"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return std::unexpected(invalid_field("auto_approve", "auto_approve must be a boolean"));
    t.auto_approve = it->get<bool>();
  }
  return t;
}

http::Response create_tenant(const http::Request& req, http::RequestContext& ctx, auth::UserService& users) {
  auto caller = require_super_admin(ctx, users);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  auto body = detail::json_body(req);
  if (!body) return http::error_response(body.error(), req, ctx);
  auto input = new_tenant(*body);
  if (!input) return http::error_response(input.error(), req, ctx);
  auto id = users.create_tenant(input->name, input->slug, input->auto_approve);
  if (!id) {
    if (id.error().code == ErrorCode::resource_already_exists) {
      return http::error_response(
          Error{ErrorCode::resource_already_exists, "a tenant with this slug already exists", {{"field", "slug"}}}, req,
          ctx);
    }
    return http::error_response(id.error(), req, ctx);
  }
  auto tenant = users.get_tenant(*id);
  if (!tenant) return http::error_response(tenant.error(), req, ctx);
  return http::json_response(http::Status::created, tenant_json(*tenant), req);
}

http::Response list_tenants(const http::Request& req, http::RequestContext& ctx, auth::UserService& users) {
  auto caller = require_super_admin(ctx, users);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  auto tenants = users.list_tenants();
  if (!tenants) return http::error_response(tenants.error(), req, ctx);
  json list = json::array();
  for (const auto& t : *tenants) list.push_back(tenant_json(t));
  return http::json_response(http::Status::ok, {{"tenants", std::move(list)}}, req);
}

http::Response create_tenant_user(const http::Request& req, http::RequestContext& ctx, auth::UserService& users) {
  auto caller = require_super_admin(ctx, users);
  if (!caller) return http::error_response(caller.error(), req, ctx);
  const auto it = ctx.path_params.find("id");
  const std::string tenant_id = it == ctx.path_params.end() ? std::string{} : it->second;
  auto body = detail::json_body(req);
  if (!body) return http::error_response(body.error(), req, ctx);
  auto email = detail::string_field(*body, "email");
  if (!email) return http::error_response(email.error(), req, ctx);
  auto password = detail::string_field(*body, "password");
  if (!password) return http::error_response(password.error(), req, ctx);
  auto display_name = optional_string(*body, "display_name");
  if (!display_name) return http::error_response(display_name.error(), req, ctx);
  auto role = optional_string(*body, "role");
  if (!role) return http::error_response(role.error(), req, ctx);
  // Checked here as well as in UserService so that a bad role is reported before the tenant lookup.
  const std::string r = role->value_or("user");
  if (r != "admin" && r != "user")
    return http::error_response(invalid_field("role", "role must be admin or user"), req, ctx);
  auto user = users.create_user(tenant_id, *email, *password, display_name->value_or(""), r);
  if (!user) return http::error_response(user.error(), req, ctx);
  auto out = user_json(*user);
  out["tenant_id"] = user->tenant_id;
  return http::json_response(http::Status::created, {{"user", std::move(out)}}, req);
}

}  // namespace

void register_admin_routes(http::Router& router, auth::UserService& users, auth::ApiKeyService& api_keys,
                           SuspensionHook on_suspended) {
  router.add(
      http::Method::get, "/admin/users",
      [&users](const http::Request& req, http::RequestContext& ctx) {
        return list_users(req, ctx, users, std::nullopt);
      },
      "list the tenant's users (admin)");
  router.add(
      http::Method::get, "/admin/pending-users",
      [&users](const http::Request& req, http::RequestContext& ctx) {
        return list_users(req, ctx, users, std::string("pending"));
      },
      "list users awaiting approval (admin)");
  auto approve = [&users, &api_keys](const http::Request& req, http::RequestContext& ctx) {
    return change_status(req, ctx, users, api_keys, {}, Action::approve);
  };
  router.add(http::Method::post, "/admin/users/{id}/approve", approve, "approve a user (admin)");
  router.add(http::Method::post, "/admin/approve-user/{id}", approve, "approve a user (admin; Pierre's path)");
  router.add(
      http::Method::post, "/admin/users/{id}/suspend",
      [&users, &api_keys, on_suspended = std::move(on_suspended)](const http::Request& req, http::RequestContext& ctx) {
        return change_status(req, ctx, users, api_keys, on_suspended, Action::suspend);
      },
      "suspend a user (admin)");

  router.add(
      http::Method::post, "/admin/users/{id}/role",
      [&users, &api_keys](const http::Request& req, http::RequestContext& ctx) {
        return change_role(req, ctx, users, api_keys);
      },
      "change a user's role: admin or user (admin)");

  router.add(
      http::Method::post, "/admin/tenants",
      [&users](const http::Request& req, http::RequestContext& ctx) { return create_tenant(req, ctx, users); },
      "create a tenant (super admin)");
  router.add(
      http::Method::get, "/admin/tenants",
      [&users](const http::Request& req, http::RequestContext& ctx) { return list_tenants(req, ctx, users); },
      "list all tenants (super admin)");
  router.add(
      http::Method::post, "/admin/tenants/{id}/users",
      [&users](const http::Request& req, http::RequestContext& ctx) { return create_tenant_user(req, ctx, users); },
      "create an active admin or user in a tenant (super admin)");
}

}  // namespace pierre::rest
