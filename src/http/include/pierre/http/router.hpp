#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and `{name}` captures ("/api/keys/{id}").
// Routes are registered at start-up, then the table is only read: lookups need no lock.

#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/http/types.hpp"

namespace pierre::http {

class Router {
 public:
  void add(Method method, std::string pattern, Handler handler, std::string summary = {});

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
};

// "/a/b?x=1" → "/a/b"
std::string_view path_of(std::string_view target) noexcept;

}  // namespace pierre::http
