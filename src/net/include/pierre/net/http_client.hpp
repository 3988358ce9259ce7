#pragma once
// net — outbound HTTP(S) for the server's own requests to the outside world (OAuth client ID metadata documents now;
// provider and weather APIs later), on libcurl. The policy decides what a request may reach, so a URL that came from
// a client cannot turn the server into a proxy into its own network (SSRF, RFC 9700 §4.14 / CIMD §8.6):
//   * the URL is parsed by libcurl's URL API; only the policy's schemes are allowed, userinfo is refused;
//   * the host name is resolved here, every address checked (is_public_address) unless private targets are allowed,
//     and the connection pinned to the checked address (CURLOPT_RESOLVE), so DNS rebinding between check and
//     connect cannot redirect it;
//   * redirects are not followed (3xx is returned as is), proxies from the environment are ignored, connect and total
//     time are bounded, and the body is cut off (an error) beyond max_response_bytes.
// Calls block the calling thread for at most connect_timeout + total_timeout (plus name resolution).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/socket.h>

#include "pierre/core/error.hpp"

namespace pierre::net {

struct FetchPolicy {
  std::vector<std::string> allowed_schemes{"https"};
  bool allow_private_addresses = false;  // loopback, RFC 1918, link-local, ULA… (development only)
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{5000};
  std::size_t max_response_bytes = 64 * 1024;
  std::string ca_file;  // extra trust anchors (PEM); empty = the system store
  std::string accept = "application/json";
};

struct Response {
  long status = 0;
  std::string body;
  std::string content_type;   // as sent, may be empty
  std::string cache_control;  // as sent, may be empty
  std::string location;       // for 3xx, as sent
  // Every header of the final response, names lower-cased, values trimmed, in order received.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header with this (case-insensitive) name, or "" when absent.
  [[nodiscard]] std::string_view header(std::string_view name) const noexcept;
};

// Any method, with request headers and a body (providers' APIs: bearer tokens, form-encoded token requests, JSON).
// Header values must not contain CR or LF (invalid_input). The same policy as get() applies.
struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Authorization", "Bearer …"}
  std::string body;                                          // sent when non-empty or method is POST/PUT/PATCH
  std::string content_type;                                  // for the body, e.g. application/x-www-form-urlencoded
};
Result<Response> send(const Request& request, const FetchPolicy& policy);

// A GET. Errors (ErrorCode::external_service_error / external_service_unavailable / invalid_input for a URL the
// policy refuses) carry a short reason safe to show: never a resolved address or TLS internals.
Result<Response> get(std::string_view url, const FetchPolicy& policy);

// The parts of a URL as libcurl's URL parser sees them ("" when absent; host without IPv6 brackets; port defaulted
// from the scheme). invalid_input when libcurl cannot parse it.
struct UrlParts {
  std::string scheme, user, password, host, path, query, fragment;
  unsigned port = 0;
};
Result<UrlParts> parse_url(std::string_view url);

// False for addresses that are not globally routable unicast: loopback, unspecified, RFC 1918, CGNAT, link-local,
// multicast, broadcast, documentation/benchmark ranges, IPv6 ULA/site-local, and IPv4-mapped / NAT64 / 6to4 /
// Teredo forms of those (IANA special-purpose registries, RFC 6890).
bool is_public_address(const sockaddr* address) noexcept;
// Convenience for textual addresses (tests, logs): false when `text` is not an IP literal.
bool is_public_address(std::string_view text) noexcept;

}  // namespace pierre::net
