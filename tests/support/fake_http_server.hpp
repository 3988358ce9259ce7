#pragma once
// The HTTP part of the fake remote services (fitness providers; see fake_openweather for the older, self-contained
// one): real HTTP/1.1 (Boost.Beast) on 127.0.0.1, an ephemeral port, I/O threads of its own. A fake supplies only a
// handler from request to response; a response may be delayed (without holding an I/O thread) to play a slow
// service. One request per connection, as the server's outbound client makes them.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pierre::testing {

struct FakeRequest {
  std::string method;                                       // "GET", "POST"…
  std::string target;                                       // path and query, as sent
  std::string path;                                         // target without the query
  std::map<std::string, std::string, std::less<>> query;    // percent-decoded ('+' is a space)
  std::map<std::string, std::string, std::less<>> headers;  // names lower-cased
  std::string body;

  [[nodiscard]] std::string_view header(std::string_view name) const;  // "" when absent (name lower-case)
  // The body as application/x-www-form-urlencoded fields (percent-decoded).
  [[nodiscard]] std::map<std::string, std::string, std::less<>> form() const;
  // The token of "Authorization: Bearer <token>", or "".
  [[nodiscard]] std::string bearer_token() const;
};

struct FakeResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // answer after this long (a slow service)

  static FakeResponse json(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static FakeResponse text(int status, std::string body) {
    FakeResponse r = json(status, std::move(body));
    r.content_type = "text/plain";
    return r;
  }
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  // Starts listening at once; `handler` is called on one of `threads` I/O threads, so it must be thread-safe.
  explicit FakeHttpServer(Handler handler, int threads = 2);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  // "http://127.0.0.1:PORT"
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] unsigned short port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// application/x-www-form-urlencoded / query decoding ('+' → space, %XX); malformed escapes are kept as text.
std::string percent_decode(std::string_view text);
// RFC 3986 unreserved characters kept, everything else %XX (the fakes' redirect and next-page URLs).
std::string percent_encode(std::string_view text);
std::map<std::string, std::string, std::less<>> parse_form(std::string_view text);
// The query parameter `name` of a URL (e.g. a redirect's Location), percent-decoded; "" when absent.
std::string url_query_param(std::string_view url, std::string_view name);

}  // namespace pierre::testing
