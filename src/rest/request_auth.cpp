#include "pierre/rest/request_auth.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <chrono>

#include "pierre/core/text.hpp"
#include "pierre/http/errors.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using text::trim;

// The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235), or nullopt.
std::optional<std::string_view> bearer_token(const http::Request& request) {
  const auto header = trim(request[boost::beast::http::field::authorization]);
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size() || !std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
        return a == static_cast<char>(std::tolower(static_cast<unsigned char>(b)));
      })) {
    return std::nullopt;
  }
  return trim(header.substr(scheme.size()));
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

void set_rate_limit_headers(http::Response& res, std::string_view tier, const auth::QuotaDecision& decision) {
  res.set("X-RateLimit-Tier", std::string(tier));
  if (const auto& window = decision.binding) {
    res.set("X-RateLimit-Limit", std::to_string(window->limit));
    res.set("X-RateLimit-Remaining", std::to_string(window->remaining));
    res.set("X-RateLimit-Reset", std::to_string(unix_seconds(window->reset_at)));
    res.set("X-RateLimit-Window", std::to_string(window->length.count()));
  }
  if (!decision.allowed) {
    res.set(boost::beast::http::field::retry_after, std::to_string(decision.retry_after.count()));
  }
}

http::Middleware authentication_middleware(const auth::TokenService& tokens, auth::ApiKeyService& api_keys,
                                           GrantCheck grant_active) {
  return [&tokens, &api_keys, grant_active = std::move(grant_active)](
             const http::Request& req, http::RequestContext& ctx, const http::Handler& next) -> http::Response {
    std::string_view api_key = trim(req["X-API-Key"]);
    const auto bearer = bearer_token(req);
    if (api_key.empty() && bearer && auth::ApiKeyService::looks_like_key(*bearer)) api_key = *bearer;

    if (!api_key.empty()) {
      auth::ApiKeyCheck refused;
      auto check = api_keys.authenticate(api_key, &refused);
      if (!check) {
        if (refused.decision.allowed) {  // not a quota refusal: the key itself was not accepted
          ctx.auth_error = check.error();
          return next(req, ctx);
        }
        auto res = http::error_response(check.error(), req, ctx);
        set_rate_limit_headers(res, auth::tier_name(refused.tier), refused.decision);
        return res;
      }
      ctx.auth = check->auth;
      auto res = next(req, ctx);
      set_rate_limit_headers(res, auth::tier_name(check->tier), check->decision);
      return res;
    }
    if (bearer) {
      auto verified = tokens.verify_token(*bearer);
      if (verified && !verified->grant_id.empty()) {
        auto active = grant_active ? grant_active(verified->grant_id) : Result<bool>(false);
        if (!active) {
          verified = std::unexpected(active.error());
        } else if (!*active) {
          verified = std::unexpected(Error{ErrorCode::auth_invalid, "token has been revoked"});
        }
      }
      if (verified) {
        ctx.auth = Authentication{std::move(verified->identity),
                                  Authentication::Method::jwt,
                                  {},
                                  std::move(verified->client_id),
                                  std::move(verified->grant_id)};
      } else {
        ctx.auth_error = verified.error();
      }
    }
    return next(req, ctx);
  };
}

Result<auth::Identity> caller(const http::RequestContext& ctx) {
  if (ctx.auth) return ctx.auth->identity;
  if (ctx.auth_error) return std::unexpected(*ctx.auth_error);
  return fail(ErrorCode::auth_required,
              "authentication required: send Authorization: Bearer <jwt_token>, or X-API-Key: <api key>");
}

Result<auth::Identity> current_account(const http::RequestContext& ctx, auth::UserService& users) {
  auto identity = caller(ctx);
  if (!identity) return identity;
  auto user = users.get_user(identity->tenant_id, identity->user_id);
  if (!user) {
    if (user.error().code == ErrorCode::resource_not_found) return fail(ErrorCode::auth_invalid, "account not found");
    return std::unexpected(user.error());
  }
  if (user->status != "active") return fail(ErrorCode::auth_invalid, "account is not active");
  identity->role = user->role;
  return identity;
}

Result<void> require_role(const auth::Identity& identity, std::initializer_list<std::string_view> roles) {
  if (std::find(roles.begin(), roles.end(), std::string_view(identity.role)) != roles.end()) return {};
  return fail(ErrorCode::permission_denied, "this operation requires an administrator");
}

}  // namespace pierre::rest
