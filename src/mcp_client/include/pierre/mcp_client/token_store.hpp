#pragma once
// Where the bridge keeps what OAuth gave it, one file per server URL:
//   $XDG_CONFIG_HOME/pierre-mcp-client/<first 16 bytes of SHA-256(server URL), hex>.json, else ~/.config/…
// The directory is created 0700 and each file written 0600 through a temporary file + rename, so a crash never leaves
// a half-written file and no other local user can read a token. The file also names its server, for humans.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"

namespace pierre::mcp_client {

struct StoredCredentials {
  std::string server_url;
  // Where the tokens come from (SEP-2352: credentials are bound to their issuer) and how to refresh/revoke them.
  std::string issuer;
  std::string token_endpoint;
  std::string revocation_endpoint;
  std::string resource;   // the RFC 8707 resource the tokens are bound to (the server's MCP endpoint)
  std::string client_id;  // from dynamic registration, or the client ID metadata document URL
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_at = 0;  // Unix seconds; 0 = unknown (the token is used until the server refuses it)

  friend bool operator==(const StoredCredentials&, const StoredCredentials&) = default;
};

nlohmann::json to_json(const StoredCredentials& credentials);
Result<StoredCredentials> credentials_from_json(const nlohmann::json& json);

// $XDG_CONFIG_HOME/pierre-mcp-client, else $HOME/.config/pierre-mcp-client; config_error when neither is set.
// `getenv` is injected so tests do not depend on the environment they run in.
Result<std::filesystem::path> default_config_dir(std::string_view (*getenv)(const char*));

class TokenStore {
 public:
  explicit TokenStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

  [[nodiscard]] std::filesystem::path path_for(std::string_view server_url) const;
  // nullopt when nothing is stored for that server; storage_error when the file exists but cannot be used.
  [[nodiscard]] Result<std::optional<StoredCredentials>> load(std::string_view server_url) const;
  [[nodiscard]] Result<void> save(const StoredCredentials& credentials) const;
  // true when a file was removed.
  [[nodiscard]] Result<bool> remove(std::string_view server_url) const;

  // An exclusive advisory lock (flock) on the server's entry across processes, held while the owner lives: two
  // desktop clients running the bridge for one server share its file, and refresh tokens rotate — whoever refreshes
  // must see what the other wrote, or the reused refresh token makes the server revoke the whole grant.
  class Lock {
   public:
    explicit Lock(int fd) noexcept : fd_(fd) {}
    ~Lock();
    Lock(Lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Lock& operator=(Lock&&) = delete;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    int fd_;
  };
  [[nodiscard]] Result<Lock> lock(std::string_view server_url) const;

 private:
  std::filesystem::path directory_;
};

}  // namespace pierre::mcp_client
