#include "pierre/core/config.hpp"

#include <arpa/inet.h>
#include <sodium.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <thread>

namespace pierre::config {
namespace {

Result<std::uint64_t> parse_unsigned(const std::string& setting, const std::string& value, std::uint64_t min,
                                     std::uint64_t max, std::string_view what) {
  std::uint64_t parsed = 0;
  const auto* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
  if (value.empty() || ec != std::errc{} || ptr != end || parsed < min || parsed > max) {
    return fail(ErrorCode::config_invalid, fmt::format("{}: '{}' is not {} ({}-{})", setting, value, what, min, max));
  }
  return parsed;
}

Result<std::string> parse_log_level(const std::string& setting, const std::string& value) {
  // RUST_LOG may carry per-module filters ("info,hyper=warn"); the first bare level is the global one.
  std::string level = value.substr(0, value.find(','));
  std::ranges::transform(level, level.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array kLevels{"trace", "debug", "info", "warn", "error", "off"};
  if (std::ranges::find(kLevels, level) == kLevels.end()) {
    return fail(ErrorCode::config_invalid,
                fmt::format("{}: '{}' is not a log level (trace, debug, info, warn, error, off)", setting, value));
  }
  return level;
}

Result<std::string> parse_database_url(const std::string& setting, const std::string& value) {
  if (value == "sqlite::memory:") return value;
  if (value.starts_with("sqlite:") && value.size() > 7) return value;
  if ((value.starts_with("postgresql://") || value.starts_with("postgres://")) &&
      value.find("://") + 3 < value.size()) {
    return value;
  }
  // Never echo a URL back: it may hold a password.
  return fail(ErrorCode::config_invalid,
              fmt::format("{}: expected sqlite:PATH, sqlite::memory: or postgresql://USER@HOST/DB", setting));
}

Result<std::vector<std::uint8_t>> parse_master_key(const std::string& setting, const std::string& value) {
  auto bytes = decode_base64(value);
  if (!bytes || bytes->size() != 32) {
    // The value is a secret: describe it, never print it.
    return fail(
        ErrorCode::config_invalid,
        fmt::format("{}: must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)", setting));
  }
  return *bytes;
}

Result<bool> parse_bool(const std::string& setting, const std::string& value) {
  std::string v = value;
  std::ranges::transform(v, v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return fail(ErrorCode::config_invalid, fmt::format("{}: '{}' is not a boolean (true, false)", setting, value));
}

template <std::string ProviderCredentials::*Member>
auto credential(ProviderCredentials Config::*provider) {
  return [provider](const std::string&, const std::string& value, Config& cfg) -> Result<void> {
    (cfg.*provider).*Member = value;
    return {};
  };
}

// An outbound service's base URL: https, or http only towards this machine (a fake server in tests or local
// development); stored without trailing slashes.
Result<void> set_base_url(const std::string& name, const std::string& value, std::string& target) {
  const bool https = value.starts_with("https://") && value.size() > 8;
  bool loopback_http = false;
  if (value.starts_with("http://")) {
    auto host = std::string_view(value).substr(7);
    host = host.substr(0, host.find('/'));
    host = host.starts_with('[') ? host.substr(1, host.find(']') - 1) : host.substr(0, host.rfind(':'));
    loopback_http = is_loopback_host(host);
  }
  if ((!https && !loopback_http) || value.size() > 2048) {
    return fail(ErrorCode::config_invalid,
                name + ": expected an https:// URL (http:// only for a loopback host such as 127.0.0.1)");
  }
  target = value;
  while (target.ends_with('/')) target.pop_back();
  return {};
}

template <std::string ProviderCredentials::*Member>
auto base_url(ProviderCredentials Config::*provider) {
  return [provider](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
    return set_base_url(name, value, (cfg.*provider).*Member);
  };
}

Result<Environment> parse_environment(const std::string& setting, const std::string& value) {
  if (value == "development" || value == "dev") return Environment::development;
  if (value == "production" || value == "prod") return Environment::production;
  return fail(ErrorCode::config_invalid,
              fmt::format("{}: '{}' is not an environment (development, production)", setting, value));
}

Result<LogFormat> parse_log_format(const std::string& setting, const std::string& value) {
  if (value == "text") return LogFormat::text;
  if (value == "json") return LogFormat::json;
  return fail(ErrorCode::config_invalid, fmt::format("{}: '{}' is not a log format (text, json)", setting, value));
}

auto login_count(std::uint32_t LoginThrottle::*member) {
  return [member](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
    auto n = parse_unsigned(name, value, 1, 1'000'000, "a number of attempts");
    if (!n) return std::unexpected(n.error());
    cfg.login_throttle.*member = static_cast<std::uint32_t>(*n);
    return {};
  };
}

auto tier_quota(TierQuota ApiKeyQuotas::*tier, std::uint32_t TierQuota::*member) {
  return [tier, member](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
    auto n = parse_unsigned(name, value, 0, 4'000'000'000, "a request count (0 = unlimited)");
    if (!n) return std::unexpected(n.error());
    (cfg.api_key_quotas.*tier).*member = static_cast<std::uint32_t>(*n);
    return {};
  };
}

// One table for every setting that has both an environment variable and a flag, so the two can never disagree on
// validation. Applying a value is a function of (setting name used in errors, raw text, config).
struct Setting {
  const char* env;
  const char* flag;  // long flag without dashes, or nullptr for env-only
  const char* help;
  std::function<Result<void>(const std::string& name, const std::string& value, Config&)> apply;
  bool boolean = false;  // on the command line a bare flag means true; `--flag=false` is also accepted
};

template <typename T, typename Parse, typename Store>
auto setter(Parse parse, Store store) {
  return [parse, store](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
    auto parsed = parse(name, value);
    if (!parsed) return std::unexpected(parsed.error());
    store(cfg, static_cast<T>(*parsed));
    return {};
  };
}

// A file-system path (not checked for existence here: start-up reports what it cannot open, with the path).
auto path_setting(std::string Config::*member, const char* what) {
  return [member, what](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
    if (value.empty() || value.size() > 4096) {
      return fail(ErrorCode::config_invalid, fmt::format("{}: expected the path of {}", name, what));
    }
    cfg.*member = value;
    return {};
  };
}

auto seconds_setting(std::chrono::seconds HttpLimits::*member, std::uint64_t max) {
  return [member, max](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
    auto parsed = parse_unsigned(name, value, 1, max, "a number of seconds");
    if (!parsed) return std::unexpected(parsed.error());
    cfg.http.*member = std::chrono::seconds(static_cast<long>(*parsed));
    return {};
  };
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"PIERRE_ENV", "env", "development or production",
       setter<Environment>(parse_environment, [](Config& c, Environment v) { c.environment = v; })},
      {"HTTP_HOST", "host", "IP address to listen on",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         in6_addr probe{};
         if (::inet_pton(AF_INET, value.c_str(), &probe) != 1 && ::inet_pton(AF_INET6, value.c_str(), &probe) != 1) {
           return fail(ErrorCode::config_invalid,
                       fmt::format("{}: '{}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1)", name, value));
         }
         cfg.host = value;
         return {};
       }},
      {"HTTP_PORT", "port", "TCP port to listen on (0 = any free port)",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto port = parse_unsigned(name, value, 0, 65535, "a port number");
         if (!port) return std::unexpected(port.error());
         cfg.http_port = static_cast<std::uint16_t>(*port);
         return {};
       }},
      {"HTTP_THREADS", "threads", "I/O threads (0 = one per core)",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 0, 256, "a thread count");
         if (!n) return std::unexpected(n.error());
         cfg.threads = static_cast<unsigned>(*n);
         return {};
       }},
      {"DATABASE_URL", "database-url", "sqlite:PATH, sqlite::memory: or postgresql://...",
       setter<std::string>(parse_database_url, [](Config& c, std::string v) { c.database_url = std::move(v); })},
      {"PIERRE_DATA_DIR", "data-dir", "directory for local state (dev master key)",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         if (value.empty()) return fail(ErrorCode::config_invalid, name + ": must not be empty");
         cfg.data_dir = value;
         return {};
       }},
      {"PIERRE_MASTER_ENCRYPTION_KEY", nullptr, nullptr,
       setter<std::vector<std::uint8_t>>(parse_master_key,
                                         [](Config& c, std::vector<std::uint8_t> v) { c.master_key = std::move(v); })},
      {"JWT_EXPIRY_HOURS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto hours = parse_unsigned(name, value, 1, 24 * 365, "a number of hours");
         if (!hours) return std::unexpected(hours.error());
         cfg.jwt_expiry_hours = static_cast<std::uint32_t>(*hours);
         return {};
       }},
      {"PIERRE_RSA_KEY_SIZE", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         if (value != "2048" && value != "3072" && value != "4096") {
           return fail(ErrorCode::config_invalid, fmt::format("{}: '{}' is not 2048, 3072 or 4096", name, value));
         }
         cfg.rsa_key_size = static_cast<std::uint32_t>(std::stoul(value));
         return {};
       }},
      {"PIERRE_JWT_ALGORITHM", "jwt-algorithm", "RS256 or ES256: algorithm of newly generated signing keys",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         if (value == "RS256") {
           cfg.jwt_algorithm = JwtAlgorithm::rs256;
         } else if (value == "ES256") {
           cfg.jwt_algorithm = JwtAlgorithm::es256;
         } else {
           return fail(ErrorCode::config_invalid, fmt::format("{}: '{}' is not RS256 or ES256", name, value));
         }
         return {};
       }},
      {"PIERRE_LOGIN_MAX_FAILURES", nullptr, nullptr, login_count(&LoginThrottle::max_failures_per_account)},
      {"PIERRE_LOGIN_MAX_FAILURES_PER_IP", nullptr, nullptr, login_count(&LoginThrottle::max_failures_per_ip)},
      {"PIERRE_LOGIN_WINDOW_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 86'400, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.login_throttle.window = std::chrono::seconds(static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_RATE_LIMIT_TRIAL_PER_MINUTE", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::trial, &TierQuota::per_minute)},
      {"PIERRE_RATE_LIMIT_TRIAL_PER_MONTH", nullptr, nullptr, tier_quota(&ApiKeyQuotas::trial, &TierQuota::per_month)},
      {"PIERRE_RATE_LIMIT_STARTER_PER_MINUTE", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::starter, &TierQuota::per_minute)},
      {"PIERRE_RATE_LIMIT_STARTER_PER_MONTH", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::starter, &TierQuota::per_month)},
      {"PIERRE_RATE_LIMIT_PROFESSIONAL_PER_MINUTE", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::professional, &TierQuota::per_minute)},
      {"PIERRE_RATE_LIMIT_PROFESSIONAL_PER_MONTH", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::professional, &TierQuota::per_month)},
      {"PIERRE_RATE_LIMIT_ENTERPRISE_PER_MINUTE", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::enterprise, &TierQuota::per_minute)},
      {"PIERRE_RATE_LIMIT_ENTERPRISE_PER_MONTH", nullptr, nullptr,
       tier_quota(&ApiKeyQuotas::enterprise, &TierQuota::per_month)},
      {"PIERRE_OAUTH_ACCESS_TOKEN_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 60, 86'400, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.oauth_access_token_lifetime = std::chrono::seconds(static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_OAUTH_REFRESH_TOKEN_DAYS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 365, "a number of days");
         if (!n) return std::unexpected(n.error());
         cfg.oauth_refresh_token_lifetime = std::chrono::hours(24 * static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_OAUTH_CLIENT_METADATA_DOCUMENTS", nullptr, nullptr,
       setter<bool>(parse_bool, [](Config& c, bool v) { c.oauth_client_metadata_documents = v; })},
      {"PIERRE_OUTBOUND_CA_FILE", nullptr, nullptr, path_setting(&Config::outbound_ca_file, "a PEM file")},
      {"RUST_LOG", nullptr, nullptr,
       setter<std::string>(parse_log_level, [](Config& c, std::string v) { c.log_level = std::move(v); })},
      {"LOG_LEVEL", "log-level", "trace, debug, info, warn, error, off",
       setter<std::string>(parse_log_level, [](Config& c, std::string v) { c.log_level = std::move(v); })},
      {"LOG_FORMAT", "log-format", "text or json",
       setter<LogFormat>(parse_log_format, [](Config& c, LogFormat v) { c.log_format = v; })},
      {"HTTP_MAX_BODY_BYTES", "max-body-bytes", "largest accepted request body",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1024, 1ULL << 30, "a byte count");
         if (!n) return std::unexpected(n.error());
         cfg.http.max_body_bytes = static_cast<std::size_t>(*n);
         return {};
       }},
      {"HTTP_MAX_UPLOAD_BYTES", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1024, 1ULL << 30, "a byte count");
         if (!n) return std::unexpected(n.error());
         cfg.http.max_upload_bytes = static_cast<std::size_t>(*n);
         return {};
       }},
      {"HTTP_HEADER_TIMEOUT_SECS", nullptr, nullptr, seconds_setting(&HttpLimits::header_timeout, 3600)},
      {"HTTP_REQUEST_TIMEOUT_SECS", nullptr, nullptr, seconds_setting(&HttpLimits::request_timeout, 3600)},
      {"HTTP_IDLE_TIMEOUT_SECS", nullptr, nullptr, seconds_setting(&HttpLimits::idle_timeout, 3600)},
      {"SHUTDOWN_GRACE_SECS", nullptr, nullptr, seconds_setting(&HttpLimits::shutdown_grace, 3600)},
      {"PIERRE_DEMO", "demo", "load the demo athlete into an empty database",
       setter<bool>(parse_bool, [](Config& c, bool v) { c.demo = v; }), true},
      {"PIERRE_MCP_ALLOW_ANONYMOUS", "mcp-allow-anonymous",
       "true: serve MCP without credentials (development only; loopback binds only)",
       setter<bool>(parse_bool, [](Config& c, bool v) { c.mcp_allow_anonymous = v; }), true},
      {"PIERRE_MCP_CONFORMANCE_FIXTURES", "conformance-fixtures",
       "true: also serve the MCP conformance suite's fixture tools, resources and prompts, without credentials "
       "(testing only; loopback binds only)",
       setter<bool>(parse_bool, [](Config& c, bool v) { c.mcp_conformance_fixtures = v; }), true},
      {"STRAVA_CLIENT_ID", nullptr, nullptr, credential<&ProviderCredentials::client_id>(&Config::strava)},
      {"STRAVA_CLIENT_SECRET", nullptr, nullptr, credential<&ProviderCredentials::client_secret>(&Config::strava)},
      {"STRAVA_REDIRECT_URI", nullptr, nullptr, credential<&ProviderCredentials::redirect_uri>(&Config::strava)},
      {"GARMIN_CLIENT_ID", nullptr, nullptr, credential<&ProviderCredentials::client_id>(&Config::garmin)},
      {"GARMIN_CLIENT_SECRET", nullptr, nullptr, credential<&ProviderCredentials::client_secret>(&Config::garmin)},
      {"GARMIN_REDIRECT_URI", nullptr, nullptr, credential<&ProviderCredentials::redirect_uri>(&Config::garmin)},
      {"FITBIT_CLIENT_ID", nullptr, nullptr, credential<&ProviderCredentials::client_id>(&Config::fitbit)},
      {"FITBIT_CLIENT_SECRET", nullptr, nullptr, credential<&ProviderCredentials::client_secret>(&Config::fitbit)},
      {"FITBIT_REDIRECT_URI", nullptr, nullptr, credential<&ProviderCredentials::redirect_uri>(&Config::fitbit)},
      {"OPENWEATHER_API_KEY", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         // A secret: described, never echoed.
         if (value.size() > 256 || value.find_first_of(" \t\r\n&?#/") != std::string::npos) {
           return fail(ErrorCode::config_invalid, name + ": not an OpenWeather API key (expected one word)");
         }
         cfg.openweather_api_key = value;
         return {};
       }},
      {"OPENWEATHER_API_BASE_URL", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         return set_base_url(name, value, cfg.openweather_api_base_url);
       }},
      {"STRAVA_API_BASE_URL", nullptr, nullptr, base_url<&ProviderCredentials::api_base_url>(&Config::strava)},
      {"STRAVA_OAUTH_BASE_URL", nullptr, nullptr, base_url<&ProviderCredentials::oauth_base_url>(&Config::strava)},
      {"GARMIN_API_BASE_URL", nullptr, nullptr, base_url<&ProviderCredentials::api_base_url>(&Config::garmin)},
      {"GARMIN_OAUTH_BASE_URL", nullptr, nullptr, base_url<&ProviderCredentials::oauth_base_url>(&Config::garmin)},
      {"FITBIT_API_BASE_URL", nullptr, nullptr, base_url<&ProviderCredentials::api_base_url>(&Config::fitbit)},
      {"FITBIT_OAUTH_BASE_URL", nullptr, nullptr, base_url<&ProviderCredentials::oauth_base_url>(&Config::fitbit)},
      {"STRAVA_WEBHOOK_VERIFY_TOKEN", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         if (value.size() > 256) return fail(ErrorCode::config_invalid, name + ": at most 256 characters");
         cfg.strava_webhook_verify_token = value;
         return {};
       }},
      {"STRAVA_WEBHOOK_SUBSCRIPTION_ID", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 9'000'000'000'000'000'000ULL, "Strava's subscription id");
         if (!n) return std::unexpected(n.error());
         cfg.strava_webhook_subscription_id = value;
         return {};
       }},
      {"FITBIT_WEBHOOK_SECRET", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         if (value.size() < 16 || value.size() > 512) {
           return fail(ErrorCode::config_invalid, name + ": 16 to 512 characters (the whole Authorization value)");
         }
         cfg.fitbit_webhook_secret = value;
         return {};
       }},
      {"SYNC_STALENESS_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 10, 30 * 86'400, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.sync_staleness = std::chrono::seconds(*n);
         return {};
       }},
      {"SYNC_INTERVAL_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 10, 30 * 86'400, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.sync_interval = std::chrono::seconds(*n);
         return {};
       }},
      {"CACHE_MAX_ENTRIES", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 10'000'000, "a number of entries");
         if (!n) return std::unexpected(n.error());
         cfg.cache_max_entries = static_cast<std::size_t>(*n);
         return {};
       }},
      {"CACHE_CLEANUP_INTERVAL_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 86'400, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.cache_cleanup_interval = std::chrono::seconds(static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_SSE_HEARTBEAT_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 3'600, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.notifications.heartbeat = std::chrono::seconds(static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_SSE_MAX_LIFETIME_SECS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 5, 86'400, "a number of seconds");
         if (!n) return std::unexpected(n.error());
         cfg.notifications.max_lifetime = std::chrono::seconds(static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_SSE_MAX_STREAMS_PER_USER", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 1'000'000, "a number of streams");
         if (!n) return std::unexpected(n.error());
         cfg.notifications.max_streams_per_user = static_cast<std::size_t>(*n);
         return {};
       }},
      {"PIERRE_SSE_MAX_STREAMS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 1'000'000, "a number of streams");
         if (!n) return std::unexpected(n.error());
         cfg.notifications.max_streams = static_cast<std::size_t>(*n);
         return {};
       }},
      {"PIERRE_DASHBOARD_DIR", nullptr, nullptr, path_setting(&Config::dashboard_dir, "a directory")},
      {"PIERRE_REQUEST_LOG_RETENTION_DAYS", nullptr, nullptr,
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         auto n = parse_unsigned(name, value, 1, 3'650, "a number of days");
         if (!n) return std::unexpected(n.error());
         cfg.request_log_retention = std::chrono::hours(24 * static_cast<long>(*n));
         return {};
       }},
      {"PIERRE_PUBLIC_URL", "public-url", "external base URL (behind a proxy)",
       [](const std::string& name, const std::string& value, Config& cfg) -> Result<void> {
         if (!value.starts_with("http://") && !value.starts_with("https://")) {
           return fail(ErrorCode::config_invalid, name + ": must start with http:// or https://");
         }
         cfg.public_url = value;
         while (cfg.public_url.ends_with('/')) cfg.public_url.pop_back();
         return {};
       }},
  };
  return table;
}

}  // namespace

bool is_loopback_host(std::string_view host) noexcept {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text) {
  if (sodium_init() < 0) return std::nullopt;
  std::vector<std::uint8_t> out(text.size());
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, variant) == 0 &&
        end == text.data() + text.size()) {
      out.resize(len);
      return out;
    }
  }
  return std::nullopt;
}

std::string encode_base64(std::span<const std::uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL sodium writes
  return out;
}

Result<ParseOutcome> parse(std::span<const char* const> argv, const EnvLookup& env) {
  Config cfg;
  for (const auto& setting : settings()) {
    if (auto value = env(setting.env)) {
      if (auto applied = setting.apply(setting.env, *value, cfg); !applied) return std::unexpected(applied.error());
    }
  }

  CLI::App app{"Pierre MCP Server — fitness data for AI assistants over MCP, OAuth 2.0, REST and A2A",
               "pierre-mcp-server"};
  app.set_version_flag("--version,-V", std::string("pierre-mcp-server ") + PIERRE_VERSION);
  app.get_formatter()->column_width(32);
  std::vector<std::pair<const Setting*, std::string>> flag_values;
  flag_values.reserve(settings().size());
  for (const auto& setting : settings()) {
    if (setting.flag == nullptr) continue;
    auto& slot = flag_values.emplace_back(&setting, std::string{});
    auto* option = app.add_option(std::string("--") + setting.flag, slot.second,
                                  fmt::format("{} (env {})", setting.help, setting.env));
    if (setting.boolean) option->expected(0, 1)->default_str("true");
  }
  bool dev = false;
  app.add_flag("--dev", dev, "shorthand for --env development");

  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    return ParseOutcome{std::nullopt, app.help(), 0};
  } catch (const CLI::CallForVersion&) {
    return ParseOutcome{std::nullopt, app.version(), 0};
  } catch (const CLI::ParseError& e) {
    return fail(ErrorCode::config_invalid, e.what());
  }

  for (auto& [setting, value] : flag_values) {
    if (app.count(std::string("--") + setting->flag) == 0) continue;
    if (setting->boolean && value.empty()) value = "true";
    if (auto applied = setting->apply(std::string("--") + setting->flag, value, cfg); !applied) {
      return std::unexpected(applied.error());
    }
  }
  if (dev) cfg.environment = Environment::development;
  if (cfg.mcp_allow_anonymous && !is_loopback_host(cfg.host)) {
    return fail(ErrorCode::config_invalid,
                fmt::format("PIERRE_MCP_ALLOW_ANONYMOUS: refused because HTTP_HOST {} is not a loopback address; "
                            "anonymous MCP access is for local development only",
                            cfg.host));
  }
  if (cfg.mcp_conformance_fixtures && !is_loopback_host(cfg.host)) {
    return fail(ErrorCode::config_invalid,
                fmt::format("PIERRE_MCP_CONFORMANCE_FIXTURES: refused because HTTP_HOST {} is not a loopback address; "
                            "the fixtures serve unauthenticated callers and are for local testing only",
                            cfg.host));
  }
  if (cfg.threads == 0) cfg.threads = std::max(1U, std::thread::hardware_concurrency());
  return ParseOutcome{std::move(cfg), {}, 0};
}

}  // namespace pierre::config
