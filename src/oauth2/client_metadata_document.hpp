#pragma once
// Fetching, checking and caching Client ID Metadata Documents (see ClientMetadataDocuments in
// authorization_server.hpp). Section numbers are draft-ietf-oauth-client-id-metadata-document-03's.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include <nlohmann/json.hpp>

#include "pierre/oauth2/authorization_server.hpp"

namespace pierre::oauth2 {

// True when `client_id` is meant as a metadata document URL (the https scheme); such ids are never issued by DCR.
bool is_client_id_url(std::string_view client_id) noexcept;

// §3: https, a host, a path other than "/", no "." or ".." path segments, no fragment, no user info. nullopt when
// the URL is acceptable, else what is wrong with it.
std::optional<std::string> client_id_url_problem(std::string_view url);

// Cache lifetime from a Cache-Control header, clamped to the options' bounds (§5.2 lets the server bound caching).
std::chrono::seconds document_cache_lifetime(std::string_view cache_control, const ClientMetadataDocuments& options);

class ClientMetadataResolver {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // Turns a fetched document (already known to be a JSON object whose client_id is the URL and that holds no
  // secret) into a Client — the authorization server's metadata rules, and storing the client row.
  using Accept = std::function<OAuthResult<Client>(std::string_view url, const nlohmann::json& document)>;

  ClientMetadataResolver(ClientMetadataDocuments options, Clock clock);
  OAuthResult<Client> resolve(std::string_view url, const Accept& accept);

 private:
  struct Entry {
    std::variant<Client, OAuthError> outcome;
    std::chrono::system_clock::time_point expires;
  };
  OAuthResult<Client> fetch_and_check(std::string_view url, const Accept& accept, std::chrono::seconds& lifetime);

  ClientMetadataDocuments options_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace pierre::oauth2
