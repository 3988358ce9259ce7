#include "pierre/net/http_client.hpp"
#include "pierre/core/text.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include <fmt/format.h>

namespace pierre::net {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct EasyDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
struct AddrInfoDeleter {
  void operator()(addrinfo* a) const noexcept { freeaddrinfo(a); }
};

std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(url, part, &out, flags) != CURLUE_OK || out == nullptr) return {};
  std::string value(out);
  curl_free(out);
  return value;
}

using text::iequals;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

struct Transfer {
  Response response;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t.response.body.size() + n > t.limit) {
    t.too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t.response.body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& r = static_cast<Transfer*>(user)->response;
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new response (after 1xx): forget the previous one's headers
    r.content_type.clear();
    r.cache_control.clear();
    r.location.clear();
    r.headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const auto name = line.substr(0, colon);
  const auto value = trim(line.substr(colon + 1));
  if (r.headers.size() < 128) {  // a hostile server cannot grow this without bound (the body cap does not cover it)
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    r.headers.emplace_back(std::move(lower), value);
  }
  if (iequals(name, "content-type")) r.content_type = value;
  if (iequals(name, "cache-control")) r.cache_control = value;
  if (iequals(name, "location")) r.location = value;
  return n;
}

std::unexpected<Error> refused(std::string reason) {
  return fail(ErrorCode::invalid_input, fmt::format("URL not allowed: {}", reason), {{"reason", reason}});
}

// Resolves `host` and returns the numeric addresses to connect to (CURLOPT_RESOLVE form: comma-separated, IPv6 in
// brackets), after checking all of them. All are pinned, not just the first: a name with both an IPv6 and an IPv4
// address (e.g. localhost: ::1 sorts first) must still reach a server listening on only one of them, as curl's own
// resolution would (it tries every address).
Result<std::string> resolve_checked(const UrlParts& url, const FetchPolicy& policy) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const auto port = std::to_string(url.port);
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &raw) != 0 || raw == nullptr) {
    return fail(ErrorCode::external_service_unavailable, "the URL's host name does not resolve");
  }
  const std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  std::vector<std::string> chosen;
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    // Any non-public answer refuses the host: a name that resolves partly inside the network is not trusted.
    if (!policy.allow_private_addresses && !is_public_address(a->ai_addr)) {
      return refused("the host is not a public internet address");
    }
    char text[INET6_ADDRSTRLEN] = {};
    const void* src = a->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (::inet_ntop(a->ai_family, src, text, sizeof text) != nullptr) {
      auto entry = a->ai_family == AF_INET6 ? fmt::format("[{}]", text) : std::string(text);
      if (std::find(chosen.begin(), chosen.end(), entry) == chosen.end()) chosen.push_back(std::move(entry));
    }
  }
  if (chosen.empty()) return fail(ErrorCode::external_service_unavailable, "the URL's host name does not resolve");
  return fmt::format("{}", fmt::join(chosen, ","));
}

}  // namespace

Result<UrlParts> parse_url(std::string_view url) {
  global_init();
  const std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (!handle) return fail(ErrorCode::internal_error, "out of memory");
  const std::string text(url);
  // PATH_AS_IS keeps "." and ".." segments visible to the caller (some rules refuse them) instead of resolving them.
  if (text.size() > 2048 || curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_PATH_AS_IS) != CURLUE_OK) {
    return fail(ErrorCode::invalid_input, "not a valid absolute URL");
  }
  UrlParts p;
  p.scheme = url_part(handle.get(), CURLUPART_SCHEME);
  p.user = url_part(handle.get(), CURLUPART_USER);
  p.password = url_part(handle.get(), CURLUPART_PASSWORD);
  p.host = url_part(handle.get(), CURLUPART_HOST);
  if (p.host.size() >= 2 && p.host.front() == '[' && p.host.back() == ']') p.host = p.host.substr(1, p.host.size() - 2);
  p.path = url_part(handle.get(), CURLUPART_PATH);
  p.query = url_part(handle.get(), CURLUPART_QUERY);
  p.fragment = url_part(handle.get(), CURLUPART_FRAGMENT);
  const auto port = url_part(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  p.port = static_cast<unsigned>(std::strtoul(port.c_str(), nullptr, 10));
  return p;
}

std::string_view Response::header(std::string_view name) const noexcept {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

Result<Response> get(std::string_view url, const FetchPolicy& policy) {
  Request request;
  request.url = std::string(url);
  return send(request, policy);
}

Result<Response> send(const Request& request, const FetchPolicy& policy) {
  const std::string_view url = request.url;
  const auto unsafe = [](std::string_view v) { return v.find_first_of("\r\n") != std::string_view::npos; };
  if (request.method.empty() || unsafe(request.method) || unsafe(request.content_type)) {
    return fail(ErrorCode::invalid_input, "invalid request method or content type");
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || unsafe(name) || unsafe(value) || name.find(':') != std::string::npos) {
      return fail(ErrorCode::invalid_input, "invalid request header");
    }
  }
  auto parts = parse_url(url);
  if (!parts) return std::unexpected(parts.error());
  if (std::find(policy.allowed_schemes.begin(), policy.allowed_schemes.end(), parts->scheme) ==
      policy.allowed_schemes.end()) {
    return refused(fmt::format("scheme must be one of: {}", fmt::join(policy.allowed_schemes, ", ")));
  }
  if (!parts->user.empty() || !parts->password.empty()) return refused("credentials in the URL");
  if (parts->host.empty()) return refused("no host");
  auto address = resolve_checked(*parts, policy);
  if (!address) return std::unexpected(address.error());

  const std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return fail(ErrorCode::internal_error, "out of memory");
  CURL* c = easy.get();
  const std::string text(url);
  // Pin the connection to the addresses checked above (for literals the entry is harmless: curl does no lookup).
  const auto host_for_resolve =
      parts->host.find(':') != std::string::npos ? fmt::format("[{}]", parts->host) : parts->host;
  const auto pin = fmt::format("{}:{}:{}", host_for_resolve, parts->port, *address);
  std::unique_ptr<curl_slist, ListDeleter> resolve(curl_slist_append(nullptr, pin.c_str()));
  const auto accept = "Accept: " + policy.accept;
  std::unique_ptr<curl_slist, ListDeleter> headers(curl_slist_append(nullptr, accept.c_str()));
  std::vector<std::string> lines;
  lines.reserve(request.headers.size() + 2);
  for (const auto& [name, value] : request.headers) lines.push_back(fmt::format("{}: {}", name, value));
  if (!request.content_type.empty()) lines.push_back("Content-Type: " + request.content_type);
  lines.emplace_back("Expect:");  // no 100-continue round trip for bodies
  for (const auto& line : lines) {
    // Appends to the list whose head `headers` owns; null (list untouched) only when out of memory.
    if (curl_slist_append(headers.get(), line.c_str()) == nullptr)
      return fail(ErrorCode::internal_error, "out of memory");
  }
  const auto protocols = fmt::format("{}", fmt::join(policy.allowed_schemes, ","));
  Transfer transfer;
  transfer.limit = policy.max_response_bytes;

  curl_easy_setopt(c, CURLOPT_URL, text.c_str());
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols.c_str());
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(policy.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(policy.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "pierre-mcp-server/" PIERRE_VERSION);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  if (!policy.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, policy.ca_file.c_str());
  const bool with_body =
      !request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (with_body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return fail(ErrorCode::external_service_error,
                  fmt::format("the response is larger than {} bytes", policy.max_response_bytes));
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) return fail(ErrorCode::external_service_unavailable, "the request timed out");
    if (rc == CURLE_COULDNT_CONNECT) return fail(ErrorCode::external_service_unavailable, "the connection was refused");
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE) {
      return fail(ErrorCode::external_service_error, "the TLS connection could not be verified");
    }
    return fail(ErrorCode::external_service_error, "the request failed");
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  return std::move(transfer.response);
}

}  // namespace pierre::net
