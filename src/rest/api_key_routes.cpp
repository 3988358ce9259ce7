#include "pierre/rest/api_key_routes.hpp"

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;

json optional_time(const std::optional<std::int64_t>& ms) {
  return ms ? json(iso8601_ms(*ms)) : json(nullptr);
}

json limits_json(const auth::TierQuota& quota) {
  auto limit = [](std::uint32_t n) { return n == 0 ? json(nullptr) : json(n); };  // null = unlimited
  return {{"requests_per_minute", limit(quota.per_minute)}, {"requests_per_month", limit(quota.per_month)}};
}

json key_json(const auth::ApiKeyInfo& info, std::int64_t now_ms) {
  return {{"id", info.id},
          {"name", info.name},
          {"description", info.description.empty() ? json(nullptr) : json(info.description)},
          {"tier", auth::tier_name(info.tier)},
          {"key_prefix", info.key_prefix},
          {"is_active", info.active(now_ms)},
          {"created_at", iso8601_ms(info.created_at)},
          {"expires_at", optional_time(info.expires_at)},
          {"revoked_at", optional_time(info.revoked_at)},
          {"last_used_at", optional_time(info.last_used_at)}};
}

// The signed-in user behind a JWT; API-key callers are refused (see the header).
Result<auth::Identity> session_user(const http::RequestContext& ctx) {
  auto identity = caller(ctx);
  if (!identity) return identity;
  if (ctx.auth->method != Authentication::Method::jwt) {
    return fail(ErrorCode::permission_denied, "API keys are managed with a login session (JWT), not with an API key");
  }
  return identity;
}

Result<auth::NewApiKey> new_key_request(const json& body) {
  auth::NewApiKey request;
  auto name = detail::string_field(body, "name");
  if (!name) return std::unexpected(name.error());
  request.name = std::move(*name);
  auto tier = detail::string_field(body, "tier");
  if (!tier) return std::unexpected(tier.error());
  auto parsed = auth::parse_tier(*tier);
  if (!parsed) return std::unexpected(parsed.error());
  request.tier = *parsed;
  if (auto it = body.find("description"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) {
      return fail(ErrorCode::invalid_input, "field description must be a string", {{"field", "description"}});
    }
    request.description = it->get<std::string>();
  }
  if (auto it = body.find("expires_in_days"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return fail(ErrorCode::invalid_input, "field expires_in_days must be an integer", {{"field", "expires_in_days"}});
    }
    request.expires_in_days = it->get<std::int64_t>();
  }
  return request;
}

}  // namespace

void register_api_key_routes(http::Router& router, auth::ApiKeyService& api_keys) {
  router.add(
      http::Method::post, "/api/keys",
      [&api_keys](const http::Request& req, http::RequestContext& ctx) {
        auto owner = session_user(ctx);
        if (!owner) return http::error_response(owner.error(), req, ctx);
        auto body = detail::json_body(req);
        if (!body) return http::error_response(body.error(), req, ctx);
        auto request = new_key_request(*body);
        if (!request) return http::error_response(request.error(), req, ctx);
        auto created = api_keys.create(*owner, *request);
        if (!created) return http::error_response(created.error(), req, ctx);
        return http::json_response(http::Status::created,
                                   {{"api_key", created->key},
                                    {"key_info", key_json(created->info, now_epoch_ms())},
                                    {"warning", "Store this API key securely. It will not be shown again."}},
                                   req);
      },
      "create an API key (shown once)");

  router.add(
      http::Method::get, "/api/keys",
      [&api_keys](const http::Request& req, http::RequestContext& ctx) {
        auto owner = session_user(ctx);
        if (!owner) return http::error_response(owner.error(), req, ctx);
        auto keys = api_keys.list(*owner);
        if (!keys) return http::error_response(keys.error(), req, ctx);
        const auto t = now_epoch_ms();
        json list = json::array();
        for (const auto& info : *keys) {
          auto item = key_json(info, t);
          auto usage = api_keys.usage(*owner, info.id);
          if (!usage) return http::error_response(usage.error(), req, ctx);
          item["usage"] = {{"period", usage->period},
                           {"requests_this_month", usage->month_requests},
                           {"limits", limits_json(usage->quota)}};
          list.push_back(std::move(item));
        }
        return http::json_response(http::Status::ok, {{"api_keys", std::move(list)}}, req);
      },
      "list your API keys with usage");

  router.add(
      http::Method::delete_, "/api/keys/{id}",
      [&api_keys](const http::Request& req, http::RequestContext& ctx) {
        auto owner = session_user(ctx);
        if (!owner) return http::error_response(owner.error(), req, ctx);
        auto revoked = api_keys.revoke(*owner, ctx.path_params.at("id"));
        if (!revoked) return http::error_response(revoked.error(), req, ctx);
        return http::json_response(http::Status::ok,
                                   {{"message", "API key revoked"},
                                    {"id", revoked->id},
                                    {"deactivated_at", optional_time(revoked->revoked_at)}},
                                   req);
      },
      "revoke an API key");

  router.add(
      http::Method::get, "/api/keys/{id}/usage",
      [&api_keys](const http::Request& req, http::RequestContext& ctx) {
        auto owner = session_user(ctx);
        if (!owner) return http::error_response(owner.error(), req, ctx);
        const auto& id = ctx.path_params.at("id");
        auto usage = api_keys.usage(*owner, id);
        if (!usage) return http::error_response(usage.error(), req, ctx);
        auto remaining = [](std::uint32_t limit, std::int64_t used) {
          return limit == 0 ? json(nullptr) : json(std::max<std::int64_t>(0, limit - used));
        };
        return http::json_response(
            http::Status::ok,
            {{"api_key_id", id},
             {"period", usage->period},
             {"requests", {{"this_month", usage->month_requests}, {"this_minute", usage->minute_requests}}},
             {"limits", limits_json(usage->quota)},
             {"remaining",
              {{"this_month", remaining(usage->quota.per_month, usage->month_requests)},
               {"this_minute", remaining(usage->quota.per_minute, usage->minute_requests)}}}},
            req);
      },
      "usage of one of your API keys");
}

}  // namespace pierre::rest
