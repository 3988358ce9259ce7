#include "pierre/mcp_client/token_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "pierre/crypto/primitives.hpp"

namespace pierre::mcp_client {
namespace {

// Errors name the file but never its contents (tokens).
std::unexpected<Error> storage_failure(const std::filesystem::path& path, std::string_view what, int err) {
  return fail(ErrorCode::storage_error, fmt::format("{} {}: {}", what, path.string(), std::strerror(err)));
}

Result<void> ensure_private_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return storage_failure(directory, "cannot create", ec.value());
  // Tighten an existing directory too: the files inside are secrets.
  if (::chmod(directory.c_str(), 0700) != 0) return storage_failure(directory, "cannot chmod", errno);
  return {};
}

std::string string_field(const nlohmann::json& json, const char* name) {
  const auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

nlohmann::json to_json(const StoredCredentials& c) {
  return {{"server_url", c.server_url},
          {"issuer", c.issuer},
          {"token_endpoint", c.token_endpoint},
          {"revocation_endpoint", c.revocation_endpoint},
          {"resource", c.resource},
          {"client_id", c.client_id},
          {"access_token", c.access_token},
          {"refresh_token", c.refresh_token},
          {"expires_at", c.expires_at}};
}

Result<StoredCredentials> credentials_from_json(const nlohmann::json& json) {
  if (!json.is_object()) return fail(ErrorCode::invalid_format, "stored credentials are not a JSON object");
  StoredCredentials c;
  c.server_url = string_field(json, "server_url");
  c.issuer = string_field(json, "issuer");
  c.token_endpoint = string_field(json, "token_endpoint");
  c.revocation_endpoint = string_field(json, "revocation_endpoint");
  c.resource = string_field(json, "resource");
  c.client_id = string_field(json, "client_id");
  c.access_token = string_field(json, "access_token");
  c.refresh_token = string_field(json, "refresh_token");
  if (const auto it = json.find("expires_at"); it != json.end() && it->is_number_integer()) {
    c.expires_at = it->get<std::int64_t>();
  }
  if (c.server_url.empty()) return fail(ErrorCode::invalid_format, "stored credentials name no server");
  return c;
}

Result<std::filesystem::path> default_config_dir(std::string_view (*getenv)(const char*)) {
  if (const auto xdg = getenv("XDG_CONFIG_HOME"); !xdg.empty()) {
    return std::filesystem::path(xdg) / "pierre-mcp-client";
  }
  if (const auto home = getenv("HOME"); !home.empty()) {
    return std::filesystem::path(home) / ".config" / "pierre-mcp-client";
  }
  return fail(ErrorCode::config_missing, "neither XDG_CONFIG_HOME nor HOME is set: pass --config-dir");
}

std::filesystem::path TokenStore::path_for(std::string_view server_url) const {
  auto digest = crypto::sha256(crypto::as_bytes(server_url));
  digest.resize(16);
  return directory_ / (crypto::hex_encode(digest) + ".json");
}

Result<std::optional<StoredCredentials>> TokenStore::load(std::string_view server_url) const {
  const auto path = path_for(server_url);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<StoredCredentials>{};
  std::ifstream in(path);
  if (!in) return storage_failure(path, "cannot read", errno);
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  auto credentials = credentials_from_json(json);
  if (!credentials)
    return fail(ErrorCode::storage_error, fmt::format("{} is damaged: {}", path.string(), credentials.error().message));
  // Two servers never share a file name unless SHA-256 collides; a mismatch means someone edited the file.
  if (credentials->server_url != server_url) return std::optional<StoredCredentials>{};
  return std::optional<StoredCredentials>{std::move(*credentials)};
}

Result<void> TokenStore::save(const StoredCredentials& credentials) const {
  if (auto dir = ensure_private_directory(directory_); !dir) return dir;
  const auto path = path_for(credentials.server_url);
  auto temporary = path;
  temporary += fmt::format(".{}.tmp", ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return storage_failure(temporary, "cannot create", errno);
  const auto text = to_json(credentials).dump(2) + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return storage_failure(temporary, "cannot write", err);
    }
    written += static_cast<std::size_t>(n);
  }
  // fchmod as well as the open mode: a umask can only remove bits, but an existing file keeps its old mode.
  const bool durable = ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!durable) {
    ::unlink(temporary.c_str());
    return storage_failure(temporary, "cannot finish", err);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int rename_err = errno;
    ::unlink(temporary.c_str());
    return storage_failure(path, "cannot replace", rename_err);
  }
  return {};
}

Result<bool> TokenStore::remove(std::string_view server_url) const {
  const auto path = path_for(server_url);
  auto lock_path = path;
  lock_path += ".lock";
  ::unlink(lock_path.c_str());  // only ever empty; a missing one is fine
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return storage_failure(path, "cannot remove", errno);
}

TokenStore::Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

Result<TokenStore::Lock> TokenStore::lock(std::string_view server_url) const {
  if (auto dir = ensure_private_directory(directory_); !dir) return std::unexpected(dir.error());
  auto path = path_for(server_url);
  path += ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return storage_failure(path, "cannot open", errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd);
    return storage_failure(path, "cannot lock", err);
  }
  return Lock(fd);
}

}  // namespace pierre::mcp_client
