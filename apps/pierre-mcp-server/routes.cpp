#include "routes.hpp"

#include <boost/beast/http/field.hpp>

#include "pierre/http/errors.hpp"

namespace pierre::server {

void register_operational_routes(http::Router& router, http::Metrics& metrics, store::Database& database) {
  router.add(
      http::Method::get, "/health",
      [](const http::Request& req, http::RequestContext&) {
        return http::json_response(http::Status::ok, {{"status", "ok"}, {"version", PIERRE_VERSION}}, req);
      },
      "liveness");
  router.add(
      http::Method::get, "/ready",
      [&database](const http::Request& req, http::RequestContext& ctx) {
        if (auto ping = database.ping(); !ping) {
          return http::error_response(Error{ErrorCode::resource_unavailable, "database is not reachable"}, req, ctx);
        }
        return http::json_response(http::Status::ok, {{"status", "ready"}, {"database", database.backend()}}, req);
      },
      "readiness (database reachable)");
  router.add(
      http::Method::get, "/metrics",
      [&metrics](const http::Request& req, http::RequestContext&) {
        http::Response res{http::Status::ok, req.version()};
        res.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = metrics.render();
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        return res;
      },
      "Prometheus metrics");
}

}  // namespace pierre::server
