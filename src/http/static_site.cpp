#include "pierre/http/static_site.hpp"

#include <boost/beast/http/field.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "pierre/http/errors.hpp"

namespace pierre::http {
namespace {

namespace fs = std::filesystem;
using field = boost::beast::http::field;

constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The captured rest of the path, percent-decoded once, as safe relative segments; nullopt for anything that could
// name a file outside the directory or that no build produces (dot segments, NUL, backslash, control characters,
// a malformed escape).
std::optional<fs::path> safe_relative_path(std::string_view raw) {
  std::string decoded;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      decoded += raw[i];
      continue;
    }
    if (i + 2 >= raw.size() || hex_digit(raw[i + 1]) < 0 || hex_digit(raw[i + 2]) < 0) return std::nullopt;
    decoded += static_cast<char>(hex_digit(raw[i + 1]) * 16 + hex_digit(raw[i + 2]));
    i += 2;
  }
  fs::path out;
  std::size_t start = 0;
  while (start <= decoded.size()) {
    const auto end = std::min(decoded.find('/', start), decoded.size());
    const std::string_view segment(decoded.data() + start, end - start);
    if (segment == "." || segment == "..") return std::nullopt;
    for (const char c : segment) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
    }
    if (!segment.empty()) out /= fs::path(std::string(segment));
    start = end + 1;
  }
  return out;
}

std::string_view content_type(const fs::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

void set_security_headers(Response& res) {
  res.set("Content-Security-Policy", kStrictContentSecurityPolicy);
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
}

Response failure(const Error& error, const Request& req, const RequestContext& ctx) {
  auto res = error_response(error, req, ctx);
  set_security_headers(res);
  res.set(field::cache_control, "no-store");
  return res;
}

// The file `relative` inside `root` (both canonical), or nullopt when it is missing, not a regular file, too large or
// (through a symbolic link) outside the root.
std::optional<fs::path> file_inside(const fs::path& root, const fs::path& relative) {
  std::error_code ec;
  const auto resolved = fs::weakly_canonical(root / relative, ec);
  if (ec) return std::nullopt;
  const auto rel = resolved.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  if (!fs::is_regular_file(resolved, ec) || ec) return std::nullopt;
  const auto size = fs::file_size(resolved, ec);
  if (ec || size > kMaxFileBytes) return std::nullopt;
  return resolved;
}

Response serve(const StaticSite& site, const Request& req, RequestContext& ctx) {
  std::error_code ec;
  const auto root = fs::weakly_canonical(fs::absolute(site.directory, ec), ec);
  const auto index = ec ? std::nullopt : file_inside(root, "index.html");
  if (!index) {
    return failure(Error{ErrorCode::resource_unavailable, "the dashboard is not built: " + site.build_hint}, req, ctx);
  }
  const auto it = ctx.path_params.find("path");
  const auto relative = safe_relative_path(it == ctx.path_params.end() ? std::string_view{} : it->second);
  if (!relative) return failure(Error{ErrorCode::resource_not_found, "no such file"}, req, ctx);

  std::optional<fs::path> file;
  bool immutable = false;
  if (relative->empty() || !relative->has_extension()) {
    file = index;  // the app's own routes
  } else {
    file = file_inside(root, *relative);
    if (!file) return failure(Error{ErrorCode::resource_not_found, "no such file"}, req, ctx);
    immutable = *relative->begin() == "assets";
  }
  std::ifstream in(*file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return failure(Error{ErrorCode::internal_error, "cannot read the file"}, req, ctx);

  Response res{Status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(field::content_type, content_type(*file));
  res.set(field::cache_control, immutable ? "public, max-age=31536000, immutable" : "no-cache");
  set_security_headers(res);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace

void register_static_site(Router& router, StaticSite site) {
  const auto pattern = site.mount + "/{path*}";
  router.add(
      Method::get, pattern,
      [site = std::move(site)](const Request& req, RequestContext& ctx) { return serve(site, req, ctx); },
      "the dashboard (static single-page app)");
}

}  // namespace pierre::http
