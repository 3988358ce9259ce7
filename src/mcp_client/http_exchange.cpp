#include "pierre/mcp_client/http_exchange.hpp"

#include "curl_support.hpp"
#include "pierre/core/text.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>

namespace pierre::mcp_client {
namespace {

struct HeaderListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};

CurlString url_part(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  curl_url_get(url, part, &text, 0);
  return CurlString(text);
}

using text::trim;

struct Transfer {
  HttpResponse response;
  const BodySink* sink = nullptr;
  const std::atomic<bool>* cancelled = nullptr;
  bool sink_stopped = false;
  CURL* handle = nullptr;
};

// A new status line (after a 100 Continue, say) starts a new set of headers.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer.response.headers.clear();
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(trim(line.substr(0, colon)));
  std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  transfer.response.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return line.size();
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view chunk(data, size * count);
  if (transfer.sink == nullptr || !*transfer.sink) {
    transfer.response.body.append(chunk);
    return chunk.size();
  }
  if (transfer.response.status == 0)
    curl_easy_getinfo(transfer.handle, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  if (!(*transfer.sink)(transfer.response, chunk)) {
    transfer.sink_stopped = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  return chunk.size();
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& transfer = *static_cast<Transfer*>(user);
  return transfer.cancelled != nullptr && transfer.cancelled->load() ? 1 : 0;
}

std::string decode_component(std::string_view text) {
  std::string plus_as_space(text);
  std::ranges::replace(plus_as_space, '+', ' ');
  int length = 0;
  const CurlString decoded(
      curl_easy_unescape(nullptr, plus_as_space.data(), static_cast<int>(plus_as_space.size()), &length));
  if (!decoded) return {};
  return std::string(decoded.get(), static_cast<std::size_t>(length));
}

std::string encode_component(std::string_view text) {
  const CurlString encoded(curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())));
  return encoded ? std::string(encoded.get()) : std::string{};
}

}  // namespace

Result<UrlParts> parse_url(std::string_view text) {
  const std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  const std::string owned(text);
  if (!url || curl_url_set(url.get(), CURLUPART_URL, owned.c_str(), 0) != CURLUE_OK) {
    return fail(ErrorCode::invalid_input, fmt::format("'{}' is not a URL", text));
  }
  UrlParts parts;
  if (const auto scheme = url_part(url.get(), CURLUPART_SCHEME)) parts.scheme = scheme.get();
  if (const auto path = url_part(url.get(), CURLUPART_PATH)) parts.path = path.get();
  if (parts.path == "/") parts.path.clear();
  for (const auto part : {CURLUPART_PATH, CURLUPART_QUERY, CURLUPART_FRAGMENT})
    curl_url_set(url.get(), part, nullptr, 0);
  if (const auto origin = url_part(url.get(), CURLUPART_URL)) parts.origin = origin.get();
  while (parts.origin.ends_with('/')) parts.origin.pop_back();
  return parts;
}

std::string_view HttpResponse::header(std::string_view lower_name) const noexcept {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpClient::~HttpClient() {
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpClient::acquire() {
  {
    const std::lock_guard lock(mutex_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpClient::release(void* handle) {
  const std::lock_guard lock(mutex_);
  idle_handles_.push_back(handle);
}

Result<HttpResponse> HttpClient::perform(const HttpRequest& request, const ExchangeLimits& limits, const BodySink& sink,
                                         const std::atomic<bool>* cancelled) {
  auto* curl = static_cast<CURL*>(acquire());
  if (curl == nullptr) return fail(ErrorCode::internal_error, "cannot create an HTTP handle");
  curl_easy_reset(curl);  // keeps the handle's connection cache, forgets the previous request's options

  std::unique_ptr<curl_slist, HeaderListDeleter> header_list;
  for (const auto& [name, value] : request.headers) {
    const auto line = fmt::format("{}: {}", name, value);
    curl_slist* extended = curl_slist_append(header_list.get(), line.c_str());
    if (extended == nullptr) {
      release(curl);
      return fail(ErrorCode::internal_error, "cannot build the request headers");
    }
    static_cast<void>(header_list.release());
    header_list.reset(extended);
  }

  Transfer transfer;
  transfer.sink = &sink;
  transfer.cancelled = cancelled;
  transfer.handle = curl;
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  // Always set: libcurl's default write function prints the body to stdout, the protocol channel.
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(limits.idle_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "pierre-mcp-client/" PIERRE_VERSION);
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  release(curl);

  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.sink_stopped)) return std::move(transfer.response);
  const char* stage = "transfer";
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    stage = "cancelled";
  } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
             code == CURLE_COULDNT_RESOLVE_PROXY ||
             (code == CURLE_OPERATION_TIMEDOUT && transfer.response.status == 0 && transfer.response.headers.empty())) {
    stage = "connect";
  }
  return fail(ErrorCode::external_service_unavailable,
              fmt::format("cannot reach {}: {}", request.url, curl_easy_strerror(code)),
              {{"stage", stage}, {"curl", curl_easy_strerror(code)}});
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += encode_component(name);
    out.push_back('=');
    out += encode_component(value);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    auto name = decode_component(part.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : decode_component(part.substr(eq + 1));
    std::erase_if(out, [&](const auto& field) { return field.first == name; });
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace pierre::mcp_client
