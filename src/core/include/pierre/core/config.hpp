#pragma once
// Server configuration: Pierre's environment variables (so existing deployments keep working), overridden by CLI
// flags. Every setting, its variable, flag and default is listed in docs/CONFIGURATION.md — keep them in sync.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pierre/core/error.hpp"

namespace pierre::config {

enum class LogFormat { text, json };
enum class Environment { development, production };

struct HttpLimits {
  std::size_t max_body_bytes = 1024 * 1024;
  // File uploads (the paths in upload_paths, from a caller that sent credentials) may be this large instead.
  std::size_t max_upload_bytes = 32 * 1024 * 1024;
  std::vector<std::string> upload_paths;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds header_timeout{10};   // whole request head must arrive within this
  std::chrono::seconds request_timeout{30};  // body + handling
  std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
  std::chrono::seconds shutdown_grace{10};   // in-flight requests get this long on SIGTERM
};

struct ProviderCredentials {
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;  // empty: PUBLIC_URL + /oauth/callback/{provider}
  // The provider's API and OAuth endpoints (<NAME>_API_BASE_URL, <NAME>_OAUTH_BASE_URL); the real services by
  // default, https or loopback http (fake providers in tests), no trailing slash.
  std::string api_base_url;
  std::string oauth_base_url;
  [[nodiscard]] bool configured() const noexcept { return !client_id.empty() && !client_secret.empty(); }
};

enum class JwtAlgorithm { rs256, es256 };

// Failed logins tolerated inside `window` before further attempts are refused with 429 (per account and per
// client IP, counted separately).
struct LoginThrottle {
  std::uint32_t max_failures_per_account = 5;
  std::uint32_t max_failures_per_ip = 20;
  std::chrono::seconds window{900};
};

// Request quotas of one API-key tier; 0 means unlimited.
struct TierQuota {
  std::uint32_t per_minute = 0;
  std::uint32_t per_month = 0;
  friend bool operator==(const TierQuota&, const TierQuota&) = default;
};

// Defaults follow Pierre's monthly tiers (trial 1,000 · starter 10,000 · professional 100,000 · enterprise
// unlimited), plus a per-minute burst limit Pierre does not have.
struct ApiKeyQuotas {
  TierQuota trial{10, 1'000};
  TierQuota starter{60, 10'000};
  TierQuota professional{300, 100'000};
  TierQuota enterprise{0, 0};
};

// Live notification streams (GET /notifications/sse): how often an idle stream carries a keep-alive comment, how long
// one stream may stay open before the server ends it (the client reconnects with Last-Event-ID), and how many may be
// open per user and in all.
struct Notifications {
  std::chrono::seconds heartbeat{15};
  std::chrono::seconds max_lifetime{3600};
  std::size_t max_streams_per_user = 8;
  std::size_t max_streams = 10'000;
};

struct Config {
  Environment environment = Environment::production;
  std::string host = "127.0.0.1";
  std::uint16_t http_port = 8081;
  unsigned threads = 0;  // 0 = one per core
  std::string database_url = "sqlite:./data/pierre.db";
  std::string data_dir = "./data";
  // Decoded PIERRE_MASTER_ENCRYPTION_KEY (32 bytes) when set; empty means "not configured".
  std::vector<std::uint8_t> master_key;
  std::uint32_t jwt_expiry_hours = 24;
  std::uint32_t rsa_key_size = 4096;
  JwtAlgorithm jwt_algorithm = JwtAlgorithm::rs256;
  LoginThrottle login_throttle;
  ApiKeyQuotas api_key_quotas;
  // OAuth 2.1 authorization server (MCP clients): access-token and refresh-token lifetimes.
  std::chrono::seconds oauth_access_token_lifetime{3600};
  std::chrono::seconds oauth_refresh_token_lifetime{std::chrono::hours(24 * 30)};
  // Accept https URLs as client_id (Client ID Metadata Documents); in development they may point at private hosts.
  bool oauth_client_metadata_documents = true;
  // Trust anchors (PEM) for the server's own outbound HTTPS instead of the system store; empty = system store.
  std::string outbound_ca_file;
  std::string log_level = "info";
  LogFormat log_format = LogFormat::text;
  HttpLimits http;
  std::string public_url;  // derived from host/port when unset
  // Development/conformance switch: serve MCP callers without credentials. Only allowed on loopback binds.
  bool mcp_allow_anonymous = false;
  // Conformance-suite fixtures on /mcp (implies anonymous access). Only allowed on loopback binds.
  bool mcp_conformance_fixtures = false;
  // Load the demo athlete (first account + two years of generated activities) when the database has no account.
  bool demo = false;
  // Defaults: Strava API v3 (developers.strava.com/docs/reference), Garmin Connect Developer Program (Health API and
  // its OAuth 2.0 PKCE service), Google Health API behind the `fitbit` name (Google OAuth 2.0).
  ProviderCredentials strava{.client_id = {},
                             .client_secret = {},
                             .redirect_uri = {},
                             .api_base_url = "https://www.strava.com/api/v3",
                             .oauth_base_url = "https://www.strava.com/oauth"};
  ProviderCredentials garmin{.client_id = {},
                             .client_secret = {},
                             .redirect_uri = {},
                             .api_base_url = "https://apis.garmin.com",
                             .oauth_base_url = "https://connect.garmin.com"};
  ProviderCredentials fitbit{.client_id = {},
                             .client_secret = {},
                             .redirect_uri = {},
                             .api_base_url = "https://health.googleapis.com",
                             .oauth_base_url = "https://accounts.google.com"};
  // Provider sync: data older than this is refreshed on demand when a tool reads it; the background scheduler looks
  // at every connection this often (SYNC_STALENESS_SECS, SYNC_INTERVAL_SECS).
  std::chrono::seconds sync_staleness{900};
  std::chrono::seconds sync_interval{3600};
  // The token Strava echoes when validating a push subscription (STRAVA_WEBHOOK_VERIFY_TOKEN); empty: refused.
  std::string strava_webhook_verify_token;
  // Strava's id of our push subscription (STRAVA_WEBHOOK_SUBSCRIPTION_ID): events naming another are refused; empty:
  // events are not checked against it.
  std::string strava_webhook_subscription_id;
  // The Authorization value the Google Health API sends with every webhook request (FITBIT_WEBHOOK_SECRET, the
  // subscriber's endpointAuthorization.secret, scheme included); empty: the fitbit webhook refuses everything.
  std::string fitbit_webhook_secret;
  // OpenWeather One Call 3.0 (weather tools): no key → weather is "not configured" and those tools say so.
  std::string openweather_api_key;
  std::string openweather_api_base_url = "https://api.openweathermap.org";
  // In-memory cache (weather answers, later provider responses): LRU bound and how often expired entries are purged.
  std::size_t cache_max_entries = 10'000;
  std::chrono::seconds cache_cleanup_interval{300};
  Notifications notifications;
  // The dashboard's built assets (web/dist), served at /dashboard (PIERRE_DASHBOARD_DIR); empty: the build tree's
  // default, chosen by the server binary.
  std::string dashboard_dir;
  // Request-log rows (usage analytics) older than this are deleted (PIERRE_REQUEST_LOG_RETENTION_DAYS).
  std::chrono::hours request_log_retention{24 * 30};
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host) noexcept;

// What the caller should do after parsing: run with the config, or print text and exit.
struct ParseOutcome {
  std::optional<Config> config;
  std::string message;  // help/version text, or empty
  int exit_code = 0;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the process environment.
EnvLookup process_env();

// Environment first, CLI flags override. An invalid value is an Error whose message names the setting, e.g.
// "HTTP_PORT: '80x' is not a port number (1-65535)".
Result<ParseOutcome> parse(std::span<const char* const> argv, const EnvLookup& env);

// Decodes a standard or URL-safe base64 string; nullopt when it is not valid base64.
std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text);
std::string encode_base64(std::span<const std::uint8_t> bytes);

}  // namespace pierre::config
