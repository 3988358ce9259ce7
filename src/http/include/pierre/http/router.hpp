#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and `{name}` captures ("/api/keys/{id}"); a last
// segment `{name*}` captures the rest of the path, raw (still percent-encoded), zero or more segments and a trailing
// slash included ("/dashboard/{path*}" matches "/dashboard", "/dashboard/" and "/dashboard/a/b.js" → path "a/b.js").
// Routes are registered at start-up, then the table is only read: lookups need no lock.

#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/http/types.hpp"

namespace pierre::http {

// Runs around every matched route's handler: it may answer by itself (e.g. 429) or call `next` and decorate the
// response (e.g. rate-limit headers).
using Middleware = std::function<Response(const Request&, RequestContext&, const Handler& next)>;

class Router {
 public:
  void add(Method method, std::string pattern, Handler handler, std::string summary = {});
  // Middlewares run in the order added, the first outermost. Register them at start-up, before serving.
  void use(Middleware middleware);
  // Runs the middlewares, then `handler`.
  Response invoke(const Handler& handler, const Request& request, RequestContext& context) const;

  struct Match {
    const Handler* handler;
    std::string_view pattern;
  };
  // RESOURCE… errors: route_not_found when no pattern matches the path, method_not_allowed (details.allow lists the
  // methods) when the path exists but not for this method. HEAD is served by a GET route.
  Result<Match> match(Method method, std::string_view target, RequestContext& context) const;

  struct RouteInfo {
    std::string method;
    std::string pattern;
    std::string summary;
  };
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::string summary;
  };
  std::vector<Route> routes_;
  std::vector<Middleware> middlewares_;
};

// "/a/b?x=1" → "/a/b"
std::string_view path_of(std::string_view target) noexcept;

}  // namespace pierre::http
