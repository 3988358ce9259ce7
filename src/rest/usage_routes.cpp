#include "pierre/rest/usage_routes.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;
namespace field = boost::beast::http;

constexpr std::int64_t kDefaultDays = 7;
constexpr std::int64_t kMaxDays = 366;
constexpr std::size_t kLiveReplay = 50;
// A live stream whose client reads slower than requests arrive is closed rather than buffered without bound.
constexpr std::size_t kMaxLivePendingBytes = 256 * 1024;

bool logged_route(std::string_view route) {
  for (const std::string_view prefix : {"/dashboard", "/api/usage/", "/health", "/ready", "/metrics"}) {
    if (route.starts_with(prefix)) return false;
  }
  return true;
}

// What a client wrote as a tool or method name is kept only when it looks like one (letters, digits, "_-./", at most
// 64 bytes): anything else — an email typed as a tool name, say — is not stored.
std::string identifier_or_invalid(std::string_view name) {
  constexpr std::size_t kMaxName = 64;
  const bool ok = !name.empty() && name.size() <= kMaxName && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' || c == '/';
  });
  return ok ? std::string(name) : std::string("(invalid)");
}

// The MCP request's name: the tool of a tools/call, else the JSON-RPC method. 2026-07-28 clients say it in headers;
// older ones only in the body.
std::string mcp_name(const http::Request& req) {
  const auto method = req["Mcp-Method"];
  if (!method.empty()) {
    const auto tool = req["Mcp-Name"];
    return std::string(method == "tools/call" && !tool.empty() ? tool : method);
  }
  const auto body = json::parse(req.body(), nullptr, false);
  if (!body.is_object()) return body.is_array() ? "batch" : "unknown";
  const auto m = body.value("method", std::string("response"));
  if (m == "tools/call") {
    if (const auto p = body.find("params"); p != body.end() && p->is_object()) {
      if (const auto n = p->find("name"); n != p->end() && n->is_string()) return n->get<std::string>();
    }
  }
  return m;
}

double ms_of(double us) {
  return std::round(us / 10.0) / 100.0;  // two decimals
}

double rate(std::int64_t errors, std::int64_t requests) {
  return requests == 0 ? 0.0 : static_cast<double>(errors) / static_cast<double>(requests);
}

json record_json(const usage::Record& r) {
  return {{"at", iso8601_ms(r.at_ms)},
          {"kind", r.kind},
          {"name", r.name},
          {"status", r.status},
          {"latency_ms", ms_of(static_cast<double>(r.latency_us))},
          {"user_id", r.user_id},
          {"tenant_id", r.tenant_id}};
}

Error invalid(const char* field_name, std::string message) {
  return Error{ErrorCode::invalid_input, std::move(message), {{"field", field_name}}};
}

struct Range {
  std::int64_t first_day = 0;
  std::int64_t last_day = 0;  // inclusive
};

Result<Range> range_of(const detail::QueryParams& params) {
  const auto today = now_epoch_ms() / usage::kMsPerDay;
  Range r{today - (kDefaultDays - 1), today};
  if (const auto it = params.find("to"); it != params.end()) {
    const auto day = usage::parse_day(it->second);
    if (!day) return std::unexpected(invalid("to", "to must be a date YYYY-MM-DD (UTC)"));
    r.last_day = *day;
    r.first_day = *day - (kDefaultDays - 1);
  }
  if (const auto it = params.find("from"); it != params.end()) {
    const auto day = usage::parse_day(it->second);
    if (!day) return std::unexpected(invalid("from", "from must be a date YYYY-MM-DD (UTC)"));
    r.first_day = *day;
  }
  if (r.last_day < r.first_day) return std::unexpected(invalid("to", "to must not be before from"));
  if (r.last_day - r.first_day + 1 > kMaxDays) {
    return std::unexpected(invalid("from", fmt::format("the range may span at most {} days", kMaxDays)));
  }
  return r;
}

// Which tenant and user the caller may aggregate (see the header).
Result<usage::Query> scope_of(const auth::Identity& me, const detail::QueryParams& params, auth::UserService& users) {
  usage::Query q;
  q.tenant_id = me.tenant_id;
  if (const auto it = params.find("tenant_id"); it != params.end() && it->second != me.tenant_id) {
    if (me.role != "super_admin") {
      return fail(ErrorCode::permission_denied, "only the super-admin sees other tenants", {{"field", "tenant_id"}});
    }
    if (auto tenant = users.get_tenant(it->second); !tenant) return std::unexpected(tenant.error());
    q.tenant_id = it->second;
  }
  const bool admin = me.role == "admin" || me.role == "super_admin";
  if (const auto it = params.find("user_id"); it != params.end()) {
    if (!admin && it->second != me.user_id) {
      return fail(ErrorCode::permission_denied, "user_id must be your own", {{"field", "user_id"}});
    }
    q.user_id = it->second;
  } else if (!admin) {
    q.user_id = me.user_id;
  }
  return q;
}

json bucket_json(const usage::Bucket& b) {
  return {{"requests", b.requests},
          {"errors", b.errors},
          {"error_rate", rate(b.errors, b.requests)},
          {"mean_latency_ms", ms_of(b.mean_latency_us)}};
}

Result<json> per_tenant(const auth::Identity& me, const usage::Query& q, auth::UserService& users,
                        const usage::Analytics& analytics) {
  json out = json::array();
  if (me.role != "admin" && me.role != "super_admin") return out;
  std::vector<auth::Tenant> tenants;
  if (me.role == "super_admin") {
    auto all = users.list_tenants();
    if (!all) return std::unexpected(all.error());
    tenants = std::move(*all);
  } else {
    auto own = users.get_tenant(me.tenant_id);
    if (!own) return std::unexpected(own.error());
    tenants.push_back(std::move(*own));
  }
  for (const auto& t : tenants) {
    auto totals = analytics.tenant_totals({t.id, std::nullopt, q.from_ms, q.to_ms});
    if (!totals) return std::unexpected(totals.error());
    out.push_back({{"tenant_id", t.id},
                   {"name", t.name},
                   {"requests", totals->requests},
                   {"errors", totals->errors},
                   {"error_rate", rate(totals->errors, totals->requests)}});
  }
  return out;
}

http::Response summary(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                       const usage::Analytics& analytics) {
  auto me = current_account(ctx, users);
  if (!me) return http::error_response(me.error(), req, ctx);
  const auto params = detail::query_params(req.target());
  auto range = range_of(params);
  if (!range) return http::error_response(range.error(), req, ctx);
  auto query = scope_of(*me, params, users);
  if (!query) return http::error_response(query.error(), req, ctx);
  query->from_ms = range->first_day * usage::kMsPerDay;
  query->to_ms = (range->last_day + 1) * usage::kMsPerDay;
  auto s = analytics.summary(*query);
  if (!s) return http::error_response(s.error(), req, ctx);
  auto tenants = per_tenant(*me, *query, users, analytics);
  if (!tenants) return http::error_response(tenants.error(), req, ctx);

  json days = json::array();
  auto next = s->per_day.begin();
  for (auto day = range->first_day; day <= range->last_day; ++day) {
    const auto name = usage::day_string(day);
    json item = next != s->per_day.end() && next->key == name ? bucket_json(*next++) : bucket_json(usage::Bucket{});
    item["day"] = name;
    days.push_back(std::move(item));
  }
  json tools = json::array();
  for (const auto& b : s->per_name) {
    auto item = bucket_json(b);
    item["kind"] = b.kind;
    item["name"] = b.key;
    tools.push_back(std::move(item));
  }
  const auto& t = s->totals;
  auto res = http::json_response(
      http::Status::ok,
      {{"range",
        {{"from", usage::day_string(range->first_day)},
         {"to", usage::day_string(range->last_day)},
         {"days", range->last_day - range->first_day + 1}}},
       {"scope",
        {{"tenant_id", query->tenant_id}, {"user_id", query->user_id ? json(*query->user_id) : json(nullptr)}}},
       {"totals",
        {{"requests", t.requests},
         {"errors", t.errors},
         {"error_rate", rate(t.errors, t.requests)},
         {"latency_ms",
          {{"p50", ms_of(static_cast<double>(t.p50_us))},
           {"p95", ms_of(static_cast<double>(t.p95_us))},
           {"p99", ms_of(static_cast<double>(t.p99_us))}}}}},
       {"per_day", std::move(days)},
       {"per_tool", std::move(tools)},
       {"per_tenant", std::move(*tenants)}},
      req);
  res.set(field::field::cache_control, "no-store");
  return res;
}

http::Response live(const http::Request& req, http::RequestContext& ctx, auth::UserService& users,
                    usage::RequestLog& log) {
  auto me = current_account(ctx, users);
  if (!me) return http::error_response(me.error(), req, ctx);
  const usage::Viewer viewer{me->tenant_id, me->user_id, me->role};
  auto stream = ctx.open_stream();
  std::weak_ptr<http::EventStream> weak = stream;
  const auto id = log.subscribe(
      viewer,
      [weak](const usage::Record& r) {
        const auto s = weak.lock();
        if (!s || s->client_gone()) return false;
        if (s->pending_bytes() > kMaxLivePendingBytes) {
          s->close();
          return false;
        }
        return s->send_event(record_json(r).dump(), "request");
      },
      [weak] {
        if (const auto s = weak.lock()) s->close();
      });
  if (!id) {
    ctx.stream.reset();  // answered as an ordinary error response, not a stream
    auto res = http::error_response(id.error(), req, ctx);
    res.set(field::field::retry_after, "5");
    return res;
  }
  stream->on_client_gone([&log, id = *id] { log.unsubscribe(id); });
  stream->send("retry: 3000\n\n");
  for (const auto& r : log.recent(viewer, kLiveReplay)) stream->send_event(record_json(r).dump(), "request");
  return detail::event_stream_head(req);
}

}  // namespace

http::Middleware request_log_middleware(usage::RequestLog& log) {
  return [&log](const http::Request& req, http::RequestContext& ctx, const http::Handler& next) -> http::Response {
    auto res = next(req, ctx);
    if (!ctx.auth || !logged_route(ctx.route)) return res;
    usage::Record r;
    r.at_ms = now_epoch_ms();
    r.tenant_id = ctx.auth->identity.tenant_id;
    r.user_id = ctx.auth->identity.user_id;
    r.api_key_id = ctx.auth->api_key_id;
    if (ctx.route == "/mcp") {
      r.kind = "mcp";
      r.name = identifier_or_invalid(mcp_name(req));
    } else {
      r.kind = ctx.route.starts_with("/a2a") ? "a2a" : "rest";
      r.name = fmt::format("{} {}", req.method_string(), ctx.route);
    }
    r.status = static_cast<int>(res.result_int());
    r.latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ctx.started).count();
    log.record(std::move(r));
    return res;
  };
}

void register_usage_routes(http::Router& router, auth::UserService& users, usage::RequestLog& log,
                           const usage::Analytics& analytics) {
  router.add(
      http::Method::get, "/api/usage/summary",
      [&users, &analytics](const http::Request& req, http::RequestContext& ctx) {
        return summary(req, ctx, users, analytics);
      },
      "usage analytics aggregated by the database (per day, tool, tenant; latency percentiles)");
  router.add(
      http::Method::get, "/api/usage/live",
      [&users, &log](const http::Request& req, http::RequestContext& ctx) { return live(req, ctx, users, log); },
      "recent and live requests (Server-Sent Events; PII-redacted)");
}

}  // namespace pierre::rest
