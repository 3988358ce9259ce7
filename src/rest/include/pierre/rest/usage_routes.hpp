#pragma once
// Usage analytics and live requests for the dashboard (JWT or API key; the caller's account must be active). What a
// caller sees is decided here, from the account's current role, not by the UI:
//   user         their own requests only;   admin   their tenant;   super_admin   any tenant (and every tenant's
//   totals in per_tenant).
//
//   GET /api/usage/summary?from=YYYY-MM-DD&to=YYYY-MM-DD[&tenant_id=ID][&user_id=ID]
//       UTC days, both inclusive; default the last 7 days; at most 366 days. Aggregated by the database (GROUP BY):
//       → {range:{from,to,days}, scope:{tenant_id, user_id|null},
//          totals:{requests, errors, error_rate, latency_ms:{p50,p95,p99}},
//          per_day:[{day, requests, errors, error_rate, mean_latency_ms}]   (every day of the range, zeros included),
//          per_tool:[{kind, name, requests, errors, error_rate, mean_latency_ms}]   (busiest first, ≤ 50),
//          per_tenant:[{tenant_id, name, requests, errors, error_rate}]}   (empty for users)
//       A malformed date, `to` before `from` or a longer range → 400 INVALID_INPUT (details.field);
//       tenant_id other than the caller's → 403 unless super_admin (unknown tenant 404); user_id other than the
//       caller's → 403 for users.
//   GET /api/usage/live
//       text/event-stream of `request` events {at, kind, name, status, latency_ms, user_id, tenant_id} — the last
//       ≤ 50 visible requests first, then each new one as it completes. No emails, paths or arguments.
//
// request_log_middleware (Router::use, outside the authentication middleware so it sees ctx.auth): records every
// authenticated request in the log — MCP calls by tool name (tools/call) or method, A2A and REST requests by method
// and route pattern ("GET /api/keys/{id}/usage") — except the dashboard's own assets and usage routes and the
// operational ones (/health, /ready, /metrics).

#include "pierre/auth/user_service.hpp"
#include "pierre/http/router.hpp"
#include "pierre/usage/analytics.hpp"
#include "pierre/usage/request_log.hpp"

namespace pierre::rest {

http::Middleware request_log_middleware(usage::RequestLog& log);

// Everything referenced must outlive the router.
void register_usage_routes(http::Router& router, auth::UserService& users, usage::RequestLog& log,
                           const usage::Analytics& analytics);

}  // namespace pierre::rest
