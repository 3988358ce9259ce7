#include "pierre/mcp_client/credentials.hpp"

namespace pierre::mcp_client {

Result<void> FixedCredentials::rejected(const AuthHeader&, std::string_view) {
  return fail(ErrorCode::auth_invalid,
              header_.name == "X-API-Key" ? "the server refused the API key" : "the server refused the token");
}

Result<AuthHeader> OAuthCredentials::current() {
  const std::lock_guard lock(mutex_);
  if (auto loaded = load_locked(); !loaded) return std::unexpected(loaded.error());
  if (!stored_ || stored_->access_token.empty()) {
    if (auto authorized = authorize_locked({}); !authorized) return std::unexpected(authorized.error());
  } else if (stored_->expires_at != 0 && stored_->expires_at - kRefreshMarginSeconds <= clock_()) {
    diagnostics_.debug("access token expires soon: refreshing");
    if (auto renewed = refresh_or_authorize_locked({}, {}); !renewed) {
      // Unreachable, not refused: a token that has not expired yet is still worth sending.
      const bool still_valid = stored_->expires_at > clock_();
      if (!(still_valid && renewed.error().code == ErrorCode::external_service_unavailable)) {
        return std::unexpected(renewed.error());
      }
    }
  }
  return header_locked();
}

Result<void> OAuthCredentials::rejected(const AuthHeader& sent, std::string_view www_authenticate) {
  const std::lock_guard lock(mutex_);
  if (stored_ && header_locked() != sent) return {};  // another request already renewed the token
  diagnostics_.debug("the server refused the access token: refreshing");
  return refresh_or_authorize_locked(resource_metadata_from_challenge(www_authenticate),
                                     stored_ ? std::string_view(stored_->access_token) : std::string_view{});
}

Result<void> OAuthCredentials::load_locked() {
  if (loaded_) return {};
  auto stored = store_.load(server_url_);
  if (!stored) return std::unexpected(stored.error());
  stored_ = std::move(*stored);
  loaded_ = true;
  return {};
}

Result<void> OAuthCredentials::refresh_or_authorize_locked(std::string_view resource_metadata_hint,
                                                           std::string_view refused_access_token) {
  auto file_lock = store_.lock(server_url_);
  if (!file_lock) diagnostics_.info("{}", file_lock.error().message);  // still better to try than to fail
  // Another process may have renewed the tokens since we read them: take its result rather than spend our (now
  // rotated, so revoked) refresh token.
  if (auto on_disk = store_.load(server_url_);
      on_disk && *on_disk && stored_ && (*on_disk)->refresh_token != stored_->refresh_token) {
    stored_ = std::move(**on_disk);
    const bool fresh = stored_->expires_at == 0 || stored_->expires_at - kRefreshMarginSeconds > clock_();
    if (fresh && stored_->access_token != refused_access_token) {
      diagnostics_.debug("using the tokens another process renewed");
      return {};
    }
  }
  if (stored_ && !stored_->refresh_token.empty()) {
    auto refreshed = oauth_.refresh(*stored_, clock_());
    if (refreshed) {
      diagnostics_.debug("access token refreshed");
      return adopt_locked(std::move(*refreshed));
    }
    // A server that cannot be reached has not refused anything: no browser for a network problem.
    if (refreshed.error().code == ErrorCode::external_service_unavailable) return std::unexpected(refreshed.error());
    diagnostics_.info("token refresh failed ({}); authorizing again", refreshed.error().message);
  }
  return authorize_locked(resource_metadata_hint);
}

Result<void> OAuthCredentials::authorize_locked(std::string_view resource_metadata_hint) {
  auto server = oauth_.discover(mcp_url_, resource_metadata_hint);
  if (!server) return std::unexpected(server.error());
  auto credentials = oauth_.authorize(*server, server_url_, clock_());
  if (!credentials) return std::unexpected(credentials.error());
  diagnostics_.info("authorized; tokens stored in {}", store_.path_for(server_url_).string());
  return adopt_locked(std::move(*credentials));
}

Result<void> OAuthCredentials::adopt_locked(StoredCredentials credentials) {
  stored_ = std::move(credentials);
  // A failed save costs a login at the next start, not this session: keep going with the tokens in memory.
  if (auto saved = store_.save(*stored_); !saved) diagnostics_.info("{}", saved.error().message);
  return {};
}

}  // namespace pierre::mcp_client
