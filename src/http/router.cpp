#include "pierre/http/router.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <set>

namespace pierre::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    const auto end = path.find('/', start);
    const auto stop = end == std::string_view::npos ? path.size() : end;
    parts.push_back(path.substr(start, stop - start));
    start = stop;
  }
  return parts;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "{name*}": the last segment of a pattern that captures the rest of the path (zero or more segments).
bool is_tail_capture(std::string_view segment) {
  return is_capture(segment) && segment.size() > 3 && segment[segment.size() - 2] == '*';
}

// The path after its first `count` segments, without the separating '/': "/a/b/c/" after 1 → "b/c/".
std::string_view after_segments(std::string_view path, std::size_t count) {
  std::size_t at = 0;
  for (std::size_t seen = 0; seen < count; ++seen) {
    while (at < path.size() && path[at] == '/') ++at;
    while (at < path.size() && path[at] != '/') ++at;
  }
  while (at < path.size() && path[at] == '/') ++at;
  return path.substr(at);
}

}  // namespace

std::string_view path_of(std::string_view target) noexcept {
  const auto q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

void Router::add(Method method, std::string pattern, Handler handler, std::string summary) {
  std::vector<std::string> segments;
  for (auto part : split_path(pattern)) segments.emplace_back(part);
  routes_.push_back({method, std::move(pattern), std::move(segments), std::move(handler), std::move(summary)});
}

Result<Router::Match> Router::match(Method method, std::string_view target, RequestContext& context) const {
  const auto path = path_of(target);
  const auto parts = split_path(path);
  // Trailing-slash variants are distinct resources; only "/" itself is empty.
  const bool trailing_slash = path.size() > 1 && path.back() == '/';
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    const bool tail = !route.segments.empty() && is_tail_capture(route.segments.back());
    const std::size_t fixed = tail ? route.segments.size() - 1 : route.segments.size();
    if (tail ? parts.size() < fixed : (trailing_slash || fixed != parts.size())) continue;
    bool same = true;
    for (std::size_t i = 0; i < fixed && same; ++i) {
      same = is_capture(route.segments[i]) ? !parts[i].empty() : route.segments[i] == parts[i];
    }
    if (!same) continue;
    const bool method_ok = route.method == method || (method == Method::head && route.method == Method::get);
    if (!method_ok) {
      allowed.insert(std::string(beast_http::to_string(route.method)));
      if (route.method == Method::get) allowed.insert("HEAD");
      continue;
    }
    context.path_params.clear();
    for (std::size_t i = 0; i < fixed; ++i) {
      if (is_capture(route.segments[i])) {
        const auto& seg = route.segments[i];
        context.path_params.emplace(seg.substr(1, seg.size() - 2), std::string(parts[i]));
      }
    }
    if (tail) {
      const auto& seg = route.segments.back();
      context.path_params.emplace(seg.substr(1, seg.size() - 3), std::string(after_segments(path, fixed)));
    }
    context.route = route.pattern;
    return Match{&route.handler, route.pattern};
  }
  if (!allowed.empty()) {
    std::string allow = fmt::format("{}", fmt::join(allowed, ", "));
    return fail(ErrorCode::method_not_allowed,
                fmt::format("method {} is not allowed here; allowed: {}", beast_http::to_string(method), allow),
                {{"allow", allow}});
  }
  return fail(ErrorCode::route_not_found, "no such endpoint");
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({std::string(beast_http::to_string(r.method)), r.pattern, r.summary});
  return out;
}

void Router::use(Middleware middleware) {
  middlewares_.push_back(std::move(middleware));
}

Response Router::invoke(const Handler& handler, const Request& request, RequestContext& context) const {
  if (middlewares_.empty()) return handler(request, context);
  // Each layer's `next` runs the following layers, the innermost the handler itself.
  std::function<Response(std::size_t, const Request&, RequestContext&)> run = [&](std::size_t layer, const Request& req,
                                                                                  RequestContext& ctx) -> Response {
    if (layer == middlewares_.size()) return handler(req, ctx);
    const Handler next = [&run, layer](const Request& r, RequestContext& c) { return run(layer + 1, r, c); };
    return middlewares_[layer](req, ctx, next);
  };
  return run(0, request, context);
}

}  // namespace pierre::http
