#include "pierre/rest/provider_routes.hpp"

#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;
namespace field = boost::beast::http;

Result<providers::Owner> connection_owner(const http::RequestContext& ctx) {
  auto identity = caller(ctx);
  if (!identity) return std::unexpected(identity.error());
  return providers::Owner{identity->tenant_id, identity->user_id};
}

// The page the browser lands on after the provider: nothing cached, framed, scripted or leaked through Referer
// (the URL carries the code and state).
http::Response page(http::Status status, std::string_view title, std::string_view message, const http::Request& req) {
  http::Response res{status, req.version()};
  res.set(field::field::content_type, "text/html; charset=utf-8");
  res.set(field::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.body() = fmt::format(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\"><title>{0}</title><style>body{{font-family:system-ui,"
      "sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2937}}h1{{font-size:1.4rem}}</style>"
      "</head><body><main><h1>{0}</h1><p>{1}</p></main></body></html>",
      http::html_escape(title), http::html_escape(message));
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

std::string display_name(std::string_view provider) {
  if (provider == providers::kStrava) return "Strava";
  if (provider == providers::kGarmin) return "Garmin";
  if (provider == providers::kFitbit) return "Fitbit (Google Health)";
  return std::string(provider);
}

void publish(events::Hub& hub, const providers::Owner& owner, std::string type, json data) {
  hub.publish(events::Event{owner.tenant_id, owner.user_id, std::move(type), std::move(data), 0, 0});
}

http::Response callback(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  const auto& name = ctx.path_params.at("provider");
  const auto q = detail::query_params(req.target());
  const auto get = [&](const char* key) {
    const auto it = q.find(key);
    return it == q.end() ? std::string() : it->second;
  };
  const auto state = get("state");
  const auto title_failed = fmt::format("{} was not connected", display_name(name));
  if (const auto denied = get("error"); !denied.empty()) {
    auto owner = r.connections.abandon(name, state);
    if (owner) {
      publish(r.events, *owner, "oauth_error",
              {{"provider", name}, {"error", denied.size() > 64 ? denied.substr(0, 64) : denied}});
    }
    return page(http::Status::bad_request, title_failed,
                "The authorization was not granted. You can close this tab and try again from your assistant.", req);
  }
  std::optional<providers::Owner> signed_in;
  if (ctx.auth) signed_in = providers::Owner{ctx.auth->identity.tenant_id, ctx.auth->identity.user_id};
  auto connected = r.connections.complete(name, state, get("code"), signed_in ? &*signed_in : nullptr, get("scope"));
  if (!connected) {
    const auto& e = connected.error();
    const auto status = e.code == ErrorCode::auth_invalid || e.code == ErrorCode::permission_denied ||
                                e.code == ErrorCode::invalid_input || e.code == ErrorCode::resource_not_found
                            ? http::Status::bad_request
                            : http::Status::bad_gateway;
    spdlog::info("provider callback for {} refused: {}", name, e.message);
    return page(status, title_failed, e.message + ". You can close this tab and start again from your assistant.", req);
  }
  const auto owner = connected->owner;
  publish(r.events, owner, "oauth_complete", {{"provider", name}, {"connection", connected->connection.to_json()}});
  const bool queued = r.sync.submit_sync(owner, name);
  return page(http::Status::ok, fmt::format("{} connected", display_name(name)),
              queued ? "You can close this tab. Your activities are being synced in the background."
                     : "You can close this tab. Your activities will be synced shortly.",
              req);
}

http::Response list_connections(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto owner = connection_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  auto status = r.sync.status(*owner);
  if (!status) return http::error_response(status.error(), req, ctx);
  return http::json_response(http::Status::ok, *status, req);
}

// Every connection in force in the administrator's tenant (the super-admin: every tenant, or `tenant_id`), with its
// owner's ids; each owner's connections come from list(), so a second provider needing re-authorisation shows too.
http::Response admin_connections(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto admin = current_account(ctx, *r.users);
  if (!admin) return http::error_response(admin.error(), req, ctx);
  if (auto ok = require_role(*admin, {"admin", "super_admin"}); !ok) return http::error_response(ok.error(), req, ctx);
  const auto query = detail::query_params(req.target());
  std::optional<std::string> tenant;
  if (admin->role != "super_admin") tenant = admin->tenant_id;
  if (const auto it = query.find("tenant_id"); it != query.end()) {
    if (tenant && it->second != *tenant) {
      return http::error_response(
          Error{ErrorCode::permission_denied, "only the super-admin sees other tenants", {{"field", "tenant_id"}}}, req,
          ctx);
    }
    tenant = it->second;
  }
  auto connected = r.connections.all_connected();
  if (!connected) return http::error_response(connected.error(), req, ctx);
  std::set<std::pair<std::string, std::string>> owners;
  for (const auto& [owner, provider] : *connected) {
    if (!tenant || owner.tenant_id == *tenant) owners.emplace(owner.tenant_id, owner.user_id);
  }
  json list = json::array();
  for (const auto& [tenant_id, user_id] : owners) {
    auto theirs = r.connections.list({tenant_id, user_id});
    if (!theirs) return http::error_response(theirs.error(), req, ctx);
    for (const auto& c : *theirs) {
      auto item = c.to_json();
      item.erase("account_id");  // the provider's id of the person: not needed to administer
      item["tenant_id"] = tenant_id;
      item["user_id"] = user_id;
      list.push_back(std::move(item));
    }
  }
  auto res = http::json_response(http::Status::ok, {{"connections", std::move(list)}}, req);
  res.set(field::field::cache_control, "no-store");
  return res;
}

http::Response connect(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto owner = connection_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto& name = ctx.path_params.at("provider");
  auto start = r.connections.begin(*owner, name);
  if (!start) return http::error_response(start.error(), req, ctx);
  return http::json_response(http::Status::ok,
                             {{"provider", name},
                              {"authorization_url", start->authorization_url},
                              {"expires_at", iso8601_ms(start->expires_at_ms)}},
                             req);
}

http::Response sync_now(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto owner = connection_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto& name = ctx.path_params.at("provider");
  auto found = r.connections.find(*owner, name);
  if (!found) return http::error_response(found.error(), req, ctx);
  if (!found->has_value()) {
    return http::error_response(Error(ErrorCode::resource_not_found, fmt::format("{} is not connected", name),
                                      {{"provider", name}, {"status", "not_connected"}}),
                                req, ctx);
  }
  const bool queued = r.sync.submit_sync(*owner, name);
  if (!queued) {
    return http::error_response(Error(ErrorCode::resource_unavailable, "the sync queue is full: try again later"), req,
                                ctx);
  }
  return http::json_response(http::Status::accepted, {{"provider", name}, {"status", "queued"}}, req);
}

http::Response disconnect(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto owner = connection_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto q = detail::query_params(req.target());
  bool delete_data = false;
  if (const auto it = q.find("delete_data"); it != q.end()) {
    if (it->second != "true" && it->second != "false") {
      return http::error_response(
          Error(ErrorCode::invalid_input, "delete_data must be true or false", {{"field", "delete_data"}}), req, ctx);
    }
    delete_data = it->second == "true";
  }
  auto report = r.sync.disconnect(*owner, ctx.path_params.at("provider"), delete_data);
  if (!report) return http::error_response(report.error(), req, ctx);
  return http::json_response(http::Status::ok, *report, req);
}

// An incremental sync, in the background, of whoever here connected the provider account `account` (nothing when
// nobody did): what every webhook that names an account rather than an activity asks for. Also the answer to a
// notice that the account withdrew its consent (Strava deauthorization, Garmin deregistration): neither is signed,
// so the notice itself decides nothing; a provider that really revoked the grant refuses the tokens and the refresh,
// which marks the connection needs_reauth (the tools then say to connect again), and a forged notice costs one call.
// `provider` must be one of the providers:: name constants (it outlives the task).
void submit_account_sync(ProviderRoutes& r, std::string_view provider, std::string account) {
  (void)r.sync.submit([&r, provider, account = std::move(account)] {
    auto owner = r.connections.owner_of(provider, account);
    if (!owner || !owner->has_value()) return;
    (void)r.sync.sync(**owner, provider);
  });
}

// A string member of a JSON object, "" when absent or of another type (never throws on hostile input).
std::string string_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

http::Response strava_validation(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  const auto q = detail::query_params(req.target());
  const auto get = [&](const char* key) {
    const auto it = q.find(key);
    return it == q.end() ? std::string() : it->second;
  };
  const auto token = get("hub.verify_token");
  const bool valid =
      !r.strava_webhook_verify_token.empty() && get("hub.mode") == "subscribe" &&
      crypto::constant_time_equal(crypto::as_bytes(token), crypto::as_bytes(r.strava_webhook_verify_token));
  if (!valid) {
    return http::error_response(Error(ErrorCode::permission_denied, "webhook verification failed"), req, ctx);
  }
  const auto challenge = get("hub.challenge");
  if (challenge.empty() || challenge.size() > 256) {
    return http::error_response(Error(ErrorCode::invalid_input, "hub.challenge is missing"), req, ctx);
  }
  return http::json_response(http::Status::ok, {{"hub.challenge", challenge}}, req);
}

// An id Strava or Garmin sends as a JSON number or string, as text; "" when it is neither or implausibly long.
std::string id_text(const json& v) {
  std::string out;
  if (v.is_number_unsigned() || v.is_number_integer()) out = std::to_string(v.get<std::int64_t>());
  if (v.is_string()) out = v.get<std::string>();
  return out.size() <= 64 ? out : std::string();
}

// Strava push events (developers.strava.com/docs/webhooks): {object_type: "activity"|"athlete", object_id,
// aspect_type: "create"|"update"|"delete", owner_id, subscription_id, event_time, updates}. Answered at once
// (Strava wants a 200 within two seconds); the work goes to the sync engine's thread. With
// STRAVA_WEBHOOK_SUBSCRIPTION_ID set, an event naming another subscription is refused: it is not from our
// subscription, so nobody should make the server spend provider calls on it.
http::Response strava_event(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto event = json::parse(req.body(), nullptr, false);
  if (!event.is_object() || !event.contains("owner_id") || !event.contains("object_id")) {
    return http::error_response(Error(ErrorCode::invalid_input, "not a Strava webhook event"), req, ctx);
  }
  const auto account = id_text(event["owner_id"]);
  const auto object = id_text(event["object_id"]);
  const auto object_type = string_at(event, "object_type");
  const auto aspect = string_at(event, "aspect_type");
  if (account.empty() || object.empty()) {
    return http::error_response(Error(ErrorCode::invalid_input, "not a Strava webhook event"), req, ctx);
  }
  if (!r.strava_webhook_subscription_id.empty()) {
    const auto subscription = event.contains("subscription_id") ? id_text(event["subscription_id"]) : std::string();
    if (subscription != r.strava_webhook_subscription_id) {
      return http::error_response(Error(ErrorCode::permission_denied, "not an event of this server's subscription"),
                                  req, ctx);
    }
  }
  if (object_type == "activity" && (aspect == "create" || aspect == "update" || aspect == "delete")) {
    (void)r.sync.submit([&sync = r.sync, account, object, deleted = aspect == "delete"] {
      if (auto done = sync.sync_one(providers::kStrava, account, object, deleted); !done) {
        spdlog::info("strava webhook: activity not synced: {}", done.error().message);
      }
    });
  } else if (object_type == "athlete" && event.contains("updates") &&
             string_at(event["updates"], "authorized") == "false") {
    submit_account_sync(r, providers::kStrava, account);
  }
  return http::json_response(http::Status::ok, {{"received", true}}, req);
}

// Garmin Activity API notifications, pings and pushes alike: {<summary type>: [{userId, …}, …], …}.
//   activityFiles    [{userId, activityId, summaryId, fileType, callbackURL}]: the file is fetched at once through
//                    its callbackURL (a one-time pull URL, valid 24 h); the Garmin client only follows it on the
//                    configured GARMIN_API_BASE_URL, so a forged ping cannot point the server anywhere else.
//   deregistrations  [{userId}]: the user withdrew consent at Garmin; checked with Garmin (submit_account_sync).
//   anything else    (activities, activityDetails, manuallyUpdatedActivities…): an incremental sync of the user.
// Garmin signs nothing: every consequence is bounded to users connected here and to Garmin's own API.
http::Response garmin_event(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  auto body = json::parse(req.body(), nullptr, false);
  if (!body.is_object()) {
    return http::error_response(Error(ErrorCode::invalid_input, "not a Garmin notification"), req, ctx);
  }
  constexpr std::size_t kMaxItems = 100;
  std::set<std::string> to_sync;
  std::set<std::string> deregistered;
  std::vector<std::tuple<std::string, std::string, std::string>> files;  // user, activity id, callback URL
  std::size_t items_seen = 0;
  for (const auto& [kind, items] : body.items()) {
    if (!items.is_array()) continue;
    for (const auto& item : items) {
      if (++items_seen > kMaxItems) break;
      if (!item.is_object() || !item.contains("userId")) continue;
      const auto user = id_text(item["userId"]);
      if (user.empty()) continue;
      if (kind == "deregistrations") {
        deregistered.insert(user);
        to_sync.insert(user);
      } else if (kind == "activityFiles") {
        auto activity = item.contains("activityId") ? id_text(item["activityId"]) : std::string();
        if (activity.empty() && item.contains("summaryId")) activity = id_text(item["summaryId"]);
        const auto url = string_at(item, "callbackURL");
        if (!activity.empty() && !url.empty() && url.size() <= 2048) files.emplace_back(user, activity, url);
      } else {
        to_sync.insert(user);
      }
    }
  }
  for (const auto& [user, activity, url] : files) {
    if (deregistered.contains(user)) continue;
    (void)r.sync.submit([&sync = r.sync, user, activity, url] {
      if (auto done = sync.sync_one(providers::kGarmin, user, activity, /*deleted=*/false, url); !done) {
        spdlog::info("garmin notification: activity file not synced: {}", done.error().message);
      }
    });
  }
  for (const auto& user : to_sync) submit_account_sync(r, providers::kGarmin, user);
  return http::json_response(http::Status::ok, {{"received", true}}, req);
}

// Google Health API webhooks (developers.google.com/health/webhooks, projects.subscribers): every request carries
// the subscriber's endpointAuthorization.secret as its whole Authorization value. Creating the subscriber sends
// {"type":"verification"} twice, with the secret (answer 201) and without it (answer 401). Notifications —
// {"data": {healthUserId, dataType, operation, civilIso8601TimeInterval}}, one object or an array of them — are
// acknowledged with 204; an `exercise` change starts an incremental sync of that user's connection (the telemetry
// types arrive with the session they belong to). The ECDSA signature in X-HEALTHAPI-SIGNATURE is not verified:
// Google's public keyset is fetched from a location its docs name only for its client libraries; the secret is the
// gate, compared in constant time.
http::Response fitbit_event(ProviderRoutes& r, const http::Request& req, http::RequestContext& ctx) {
  const auto authorization = req[field::field::authorization];
  const bool authorized =
      !r.fitbit_webhook_secret.empty() &&
      crypto::constant_time_equal(crypto::as_bytes(authorization), crypto::as_bytes(r.fitbit_webhook_secret));
  if (!authorized) {
    return http::error_response(
        Error(ErrorCode::auth_required, "this endpoint accepts Google Health notifications only"), req, ctx);
  }
  auto body = json::parse(req.body(), nullptr, false);
  if (string_at(body, "type") == "verification") {
    return http::json_response(http::Status::created, json::object(), req);
  }
  if (!body.is_object() && !body.is_array()) {
    return http::error_response(Error(ErrorCode::invalid_input, "not a Google Health notification"), req, ctx);
  }
  std::set<std::string> users;
  const auto take = [&](const json& notification) {
    if (!notification.is_object()) return;
    const auto data = notification.find("data");
    if (data == notification.end() || !data->is_object()) return;
    if (string_at(*data, "dataType") != "exercise") return;
    const auto user = data->contains("healthUserId") ? id_text((*data)["healthUserId"]) : std::string();
    if (!user.empty() && users.size() < 100) users.insert(user);
  };
  if (body.is_array()) {
    for (const auto& notification : body) take(notification);
  } else {
    take(body);
  }
  for (const auto& user : users) submit_account_sync(r, providers::kFitbit, user);
  http::Response res{http::Status::no_content, req.version()};
  res.prepare_payload();
  return res;
}

}  // namespace

void register_provider_routes(http::Router& router, ProviderRoutes routes) {
  auto r = std::make_shared<ProviderRoutes>(std::move(routes));
  const auto bind = [r](http::Response (*fn)(ProviderRoutes&, const http::Request&, http::RequestContext&)) {
    return [r, fn](const http::Request& req, http::RequestContext& ctx) { return fn(*r, req, ctx); };
  };
  router.add(http::Method::get, "/api/providers", bind(&list_connections), "fitness provider connections");
  router.add(http::Method::post, "/api/providers/{provider}/connect", bind(&connect), "start connecting a provider");
  router.add(http::Method::post, "/api/providers/{provider}/sync", bind(&sync_now), "sync a provider now");
  router.add(http::Method::delete_, "/api/providers/{provider}", bind(&disconnect), "disconnect a provider");
  if (r->users != nullptr) {
    router.add(http::Method::get, "/admin/connections", bind(&admin_connections),
               "provider connections of the tenant's users (admin)");
  }
  router.add(http::Method::get, "/oauth/callback/{provider}", bind(&callback), "provider OAuth callback");
  router.add(http::Method::get, "/api/webhooks/strava", bind(&strava_validation), "Strava webhook validation");
  router.add(http::Method::post, "/api/webhooks/strava", bind(&strava_event), "Strava webhook events");
  router.add(http::Method::post, "/api/webhooks/garmin", bind(&garmin_event), "Garmin pings");
  router.add(http::Method::post, "/api/webhooks/fitbit", bind(&fitbit_event), "Google Health notifications");
}

}  // namespace pierre::rest
