#pragma once
// The vocabulary shared by the server, the router and every transport built on top (MCP, OAuth, REST, A2A).

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "pierre/core/error.hpp"
#include "pierre/core/identity.hpp"
#include "pierre/http/stream.hpp"

namespace pierre::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Method = beast_http::verb;

struct RequestContext {
  std::string request_id;
  std::string remote_address;
  std::chrono::steady_clock::time_point started;
  // Values captured from `{name}` segments of the matched route pattern.
  std::map<std::string, std::string, std::less<>> path_params;
  // The route pattern that matched ("/api/keys/{id}"), used as a low-cardinality metrics label.
  std::string route;
  // Set by the authentication middleware (Router::use) before the handler runs: who the caller is, or why the
  // credentials it presented were refused. Both empty when the request carried no credentials. Handlers that need a
  // caller turn auth_error (or the absence of both) into a 401; public handlers ignore them.
  std::optional<Authentication> auth;
  std::optional<Error> auth_error;
  // Set by open_stream(): the response head is sent at once and the body follows as the stream produces it.
  std::shared_ptr<EventStream> stream;
  std::shared_ptr<EventStream> open_stream() {
    stream = std::make_shared<EventStream>();
    return stream;
  }
};

using Handler = std::function<Response(const Request&, RequestContext&)>;

}  // namespace pierre::http
