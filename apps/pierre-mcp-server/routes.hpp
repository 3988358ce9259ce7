#pragma once
#include "pierre/http/metrics.hpp"
#include "pierre/http/router.hpp"
#include "pierre/store/database.hpp"

namespace pierre::server {

// GET /health (liveness), GET /ready (database reachable), GET /metrics (Prometheus text format).
void register_operational_routes(http::Router& router, http::Metrics& metrics, store::Database& database);

}  // namespace pierre::server
