#include "client_metadata_document.hpp"
#include "pierre/core/text.hpp"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

namespace pierre::oauth2 {
namespace {

constexpr std::size_t kMaxCachedDocuments = 1000;
constexpr std::size_t kMaxClientIdUrlLength = 2000;

std::unexpected<OAuthError> unusable(std::string reason) {
  return std::unexpected(
      OAuthError{"invalid_client", "client ID metadata document cannot be used: " + std::move(reason), 401, false});
}

bool has_dot_segment(std::string_view path) {
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const auto end = path.find('/');
    const auto segment = path.substr(0, end);
    // Percent-encoded dots are dots too (RFC 3986 §2.3 normalisation).
    if (segment == "." || segment == ".." || segment == "%2e" || segment == "%2E" || segment == ".%2e" ||
        segment == ".%2E" || segment == "%2e." || segment == "%2E." || segment == "%2e%2e" || segment == "%2E%2E" ||
        segment == "%2e%2E" || segment == "%2E%2e") {
      return true;
    }
    if (end == std::string_view::npos) break;
    path.remove_prefix(end);
  }
  return false;
}

using text::lower;

}  // namespace

bool is_client_id_url(std::string_view client_id) noexcept {
  return client_id.size() > 8 && lower(client_id.substr(0, 8)) == "https://";
}

std::optional<std::string> client_id_url_problem(std::string_view url) {
  if (url.size() > kMaxClientIdUrlLength) return "the client_id URL is longer than 2000 characters";
  for (const char ch : url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) return "the client_id URL contains spaces or controls";
  }
  // RFC 3986 needs "//" and a non-empty authority; libcurl (like WHATWG) would read "https:///host/path" and
  // "https:/host/path" as https://host/path, so a client_id in those forms would name a host it does not contain.
  if (const auto slashes = url.find("://");
      slashes == std::string_view::npos || url.substr(slashes + 3).starts_with('/')) {
    return "the client_id URL has no host";
  }
  auto parts = net::parse_url(url);
  if (!parts) return "the client_id is not a valid URL";
  if (parts->scheme != "https") return "the client_id URL must use https";
  if (!parts->user.empty() || !parts->password.empty()) return "the client_id URL must not contain credentials";
  if (parts->host.empty()) return "the client_id URL has no host";
  if (url.find('#') != std::string_view::npos) return "the client_id URL must not contain a fragment";
  if (parts->path.empty() || parts->path == "/") return "the client_id URL must have a path";
  if (has_dot_segment(parts->path)) return "the client_id URL must not contain . or .. path segments";
  return std::nullopt;
}

std::chrono::seconds document_cache_lifetime(std::string_view cache_control, const ClientMetadataDocuments& options) {
  const auto directives = lower(cache_control);
  std::chrono::seconds lifetime = options.fallback_cache;
  if (directives.find("no-store") != std::string::npos || directives.find("no-cache") != std::string::npos) {
    lifetime = std::chrono::seconds(0);
  } else if (const auto at = directives.find("max-age="); at != std::string::npos) {
    long long value = 0;
    const char* first = directives.data() + at + 8;
    const char* last = directives.data() + directives.size();
    if (auto [p, ec] = std::from_chars(first, last, value); ec == std::errc() && p != first) {
      lifetime = std::chrono::seconds(std::max(0LL, value));
    } else if (ec == std::errc::result_out_of_range) {
      lifetime = options.max_cache;
    }
  }
  return std::clamp(lifetime, options.min_cache, options.max_cache);
}

ClientMetadataResolver::ClientMetadataResolver(ClientMetadataDocuments options, Clock clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  if (!options_.fetch)
    options_.fetch = [](std::string_view url, const net::FetchPolicy& p) { return net::get(url, p); };
}

OAuthResult<Client> ClientMetadataResolver::resolve(std::string_view url, const Accept& accept) {
  if (!options_.enabled) return std::unexpected(OAuthError{"invalid_client", "unknown client", 401, false});
  if (auto problem = client_id_url_problem(url)) return unusable(*problem);
  const std::string key(url);
  {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(key); it != cache_.end() && clock_() < it->second.expires) {
      if (const auto* client = std::get_if<Client>(&it->second.outcome)) return *client;
      return std::unexpected(std::get<OAuthError>(it->second.outcome));
    }
  }
  // Bounded concurrency: a fetch blocks the calling worker for up to the timeouts, so a flood of distinct URLs must
  // not be able to occupy every I/O thread.
  if (in_flight_.fetch_add(1) >= options_.max_concurrent_fetches) {
    in_flight_.fetch_sub(1);
    return std::unexpected(OAuthError{
        "temporarily_unavailable", "too many client metadata documents are being fetched; retry shortly", 503, false});
  }
  std::chrono::seconds lifetime = options_.failure_cache;
  auto outcome = fetch_and_check(url, accept, lifetime);
  in_flight_.fetch_sub(1);
  // A server-side failure (database) is not the document's fault: not cached.
  if (outcome || outcome.error().http_status < 500) {
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedDocuments) cache_.clear();
    Entry entry{
        outcome ? std::variant<Client, OAuthError>(*outcome) : std::variant<Client, OAuthError>(outcome.error()),
        clock_() + lifetime};
    cache_.insert_or_assign(key, std::move(entry));
  }
  return outcome;
}

OAuthResult<Client> ClientMetadataResolver::fetch_and_check(std::string_view url, const Accept& accept,
                                                            std::chrono::seconds& lifetime) {
  net::FetchPolicy policy;
  policy.allowed_schemes = {"https"};
  policy.allow_private_addresses = options_.allow_private_addresses;
  policy.ca_file = options_.ca_file;
  policy.max_response_bytes = options_.max_bytes;
  policy.connect_timeout = options_.connect_timeout;
  policy.total_timeout = options_.total_timeout;
  policy.accept = "application/json";
  auto response = options_.fetch(url, policy);
  if (!response) {
    spdlog::info("oauth2: client metadata document fetch refused or failed: {}", response.error().message);
    return unusable(response.error().message);
  }
  // §5: only a 200 is a document; redirects are not followed (they would move the trust to another URL).
  if (response->status >= 300 && response->status < 400) return unusable("the URL redirects (not followed)");
  if (response->status != 200) return unusable("the URL answered HTTP " + std::to_string(response->status));
  const auto type = lower(response->content_type.substr(0, response->content_type.find(';')));
  if (type != "application/json" && !type.ends_with("+json")) return unusable("the document is not application/json");
  const auto document = nlohmann::json::parse(response->body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return unusable("the document is not a JSON object");
  // §4.1 / §8.1: the document must name itself, exactly (simple string comparison, no normalisation).
  const auto id = document.find("client_id");
  if (id == document.end() || !id->is_string() || id->get<std::string>() != url) {
    return unusable("its client_id is not exactly the URL it was fetched from");
  }
  // §4.1: a document is public, so it cannot carry a shared secret.
  for (const char* field : {"client_secret", "client_secret_expires_at"}) {
    if (document.contains(field)) return unusable(std::string("it must not contain ") + field);
  }
  auto client = accept(url, document);
  if (!client) {
    if (client.error().http_status >= 500) return client;
    return unusable(client.error().description);
  }
  lifetime = document_cache_lifetime(response->cache_control, options_);
  return client;
}

}  // namespace pierre::oauth2
