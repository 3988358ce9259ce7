// Raw bytes → Beast request parser (the server's limits) → router → error body: never crash, never hang.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>

#include "pierre/http/errors.hpp"
#include "pierre/http/router.hpp"

namespace {

pierre::http::Router& router() {
  static pierre::http::Router r = [] {
    pierre::http::Router built;
    auto ok = [](const pierre::http::Request& req, pierre::http::RequestContext&) {
      return pierre::http::json_response(pierre::http::Status::ok, {{"status", "ok"}}, req);
    };
    built.add(pierre::http::Method::get, "/health", ok);
    built.add(pierre::http::Method::get, "/ready", ok);
    built.add(pierre::http::Method::get, "/metrics", ok);
    built.add(pierre::http::Method::get, "/api/keys/{id}", ok);
    built.add(pierre::http::Method::delete_, "/api/keys/{id}", ok);
    return built;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t offset = 0;
  while (offset < size && !parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
    if (ec || used == 0) break;
    offset += used;
  }
  if (!ec && offset == size && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
  pierre::http::RequestContext ctx;
  ctx.request_id = "fuzz";
  if (ec || !parser.is_done()) {
    (void)pierre::http::error_response(pierre::Error{pierre::ErrorCode::malformed_request, "malformed"}, ctx);
    return 0;
  }
  auto request = parser.release();
  auto matched = router().match(request.method(), request.target(), ctx);
  if (!matched) {
    (void)pierre::http::error_response(matched.error(), request, ctx);
  } else {
    (void)(*matched->handler)(request, ctx);
  }
  return 0;
}
