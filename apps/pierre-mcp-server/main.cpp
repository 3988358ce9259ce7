// pierre-mcp-server: composes the modules from configuration and runs them. No logic lives here.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>

#include "pierre/a2a/server.hpp"
#include "pierre/activity/demo_athlete.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/auth/api_key_service.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/auth/login_throttle.hpp"
#include "pierre/auth/password.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/cache/cache.hpp"
#include "pierre/core/config.hpp"
#include "pierre/core/events.hpp"
#include "pierre/core/log.hpp"
#include "pierre/core/time.hpp"
#include "pierre/crypto/master_key.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/goals/service.hpp"
#include "pierre/http/metrics.hpp"
#include "pierre/http/router.hpp"
#include "pierre/http/server.hpp"
#include "pierre/http/static_site.hpp"
#include "pierre/mcp/endpoint.hpp"
#include "pierre/mcp/fixtures.hpp"
#include "pierre/notify/broker.hpp"
#include "pierre/notify/stream_tokens.hpp"
#include "pierre/oauth2/authorization_server.hpp"
#include "pierre/oauth2/routes.hpp"
#include "pierre/profile/service.hpp"
#include "pierre/providers/connections.hpp"
#include "pierre/providers/sync.hpp"
#include "pierre/rest/activity_routes.hpp"
#include "pierre/rest/admin_routes.hpp"
#include "pierre/rest/api_key_routes.hpp"
#include "pierre/rest/identity_routes.hpp"
#include "pierre/rest/notification_routes.hpp"
#include "pierre/rest/provider_routes.hpp"
#include "pierre/rest/request_auth.hpp"
#include "pierre/rest/usage_routes.hpp"
#include "pierre/store/database.hpp"
#include "pierre/tools/builtin.hpp"
#include "pierre/tools/catalog.hpp"
#include "pierre/usage/analytics.hpp"
#include "pierre/usage/request_log.hpp"
#include "pierre/weather/client.hpp"
#include "routes.hpp"

namespace {

// The demo account (--demo); documented in the README. Only created on a database with no account at all.
constexpr const char* kDemoEmail = "demo@pierre.dev";
constexpr const char* kDemoPassword = "pierre-demo-athlete";

// Every open connection (notification streams above all) holds a descriptor; the soft limit is often 1024 while the
// hard limit allows far more, so take what we are allowed.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("could not raise the open-file limit");
}

int startup_failure(const pierre::Error& error) {
  // One line, naming the setting, on stderr; never a stack trace.
  std::fprintf(stderr, "pierre-mcp-server: error: %s\n", error.message.c_str());
  return 2;
}

// Development convenience only: production must supply PIERRE_MASTER_ENCRYPTION_KEY.
pierre::Result<void> resolve_master_key(pierre::config::Config& cfg) {
  if (!cfg.master_key.empty()) return {};
  if (cfg.environment != pierre::config::Environment::development) {
    return pierre::fail(pierre::ErrorCode::config_missing,
                        "PIERRE_MASTER_ENCRYPTION_KEY: not set (required in production; generate one with "
                        "`openssl rand -base64 32`, or start with --dev for a generated development key)");
  }
  const auto path = std::filesystem::path(cfg.data_dir) / "master.key";
  auto dev_key = pierre::crypto::load_or_create_dev_master_key(path);
  if (!dev_key) return std::unexpected(dev_key.error());
  spdlog::warn(
      "DEVELOPMENT MODE: using {} master key from {} — never use this in production; set "
      "PIERRE_MASTER_ENCRYPTION_KEY instead",
      dev_key->created ? "a newly generated" : "the generated", path.string());
  cfg.master_key = std::move(dev_key->key);
  return {};
}

// sqlite:./data/pierre.db needs ./data to exist.
pierre::Result<void> ensure_sqlite_directory(const std::string& url) {
  if (!url.starts_with("sqlite:") || url == "sqlite::memory:") return {};
  const auto parent = std::filesystem::path(url.substr(7)).parent_path();
  std::error_code error;
  if (parent.empty() || std::filesystem::is_directory(parent, error)) return {};
  std::filesystem::create_directories(parent, error);
  if (error) {
    return pierre::fail(pierre::ErrorCode::config_invalid,
                        fmt::format("DATABASE_URL: cannot create directory {}: {}", parent.string(), error.message()));
  }
  return {};
}

std::string public_base_url(const pierre::config::Config& cfg, std::uint16_t port) {
  if (!cfg.public_url.empty()) return cfg.public_url;
  const bool any = cfg.host == "0.0.0.0" || cfg.host == "::";
  const bool v6 = cfg.host.find(':') != std::string::npos;
  return fmt::format("http://{}:{}", any ? "localhost" : (v6 ? "[" + cfg.host + "]" : cfg.host), port);
}

// Host names a browser may legitimately use to reach us: loopback names plus the public URL's host.
std::vector<std::string> allowed_hosts(const pierre::config::Config& cfg) {
  std::vector<std::string> hosts{"localhost", "127.0.0.1", "[::1]", "::1"};
  auto add = [&hosts](std::string host) {
    std::ranges::transform(host, host.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!host.empty() && std::ranges::find(hosts, host) == hosts.end()) hosts.push_back(std::move(host));
  };
  if (cfg.host != "0.0.0.0" && cfg.host != "::")
    add(cfg.host.find(':') != std::string::npos ? "[" + cfg.host + "]" : cfg.host);
  if (!cfg.public_url.empty()) {
    auto rest = std::string_view(cfg.public_url).substr(cfg.public_url.find("://") + 3);
    rest = rest.substr(0, rest.find('/'));
    add(std::string(rest.starts_with('[') ? rest.substr(0, rest.find(']') + 1) : rest.substr(0, rest.find(':'))));
  }
  return hosts;
}

pierre::Result<void> build_features(const pierre::config::Config& cfg, pierre::tools::Registry& registry,
                                    pierre::tools::Catalog& catalog, pierre::activity::Service& activities,
                                    pierre::profile::Service& profiles, pierre::goals::Service& goals,
                                    pierre::weather::Client* weather, pierre::providers::Connections& connections,
                                    pierre::providers::SyncEngine& sync) {
  if (auto r =
          pierre::tools::register_product_tools(registry, {activities, profiles, goals, weather, connections, sync});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto r = pierre::tools::register_product_catalog(catalog, registry); !r) return std::unexpected(r.error());
  if (cfg.mcp_conformance_fixtures) {
    if (auto r = pierre::mcp::register_conformance_fixtures(registry, catalog); !r) return std::unexpected(r.error());
  }
  return {};
}

// One provider's client settings from the configuration: the callback on this server unless configured, and an
// outbound policy that reaches a loopback base URL over http only when that is what was configured (fake providers
// in tests; config accepts http for loopback hosts only).
pierre::providers::Settings provider_settings(const pierre::config::ProviderCredentials& c, std::string_view name,
                                              const std::string& base, const std::string& ca_file) {
  pierre::providers::Settings s;
  s.client_id = c.client_id;
  s.client_secret = c.client_secret;
  s.redirect_uri = c.redirect_uri.empty() ? fmt::format("{}/oauth/callback/{}", base, name) : c.redirect_uri;
  s.api_base_url = c.api_base_url;
  s.oauth_base_url = c.oauth_base_url;
  s.policy.ca_file = ca_file;
  s.policy.connect_timeout = std::chrono::seconds(5);
  s.policy.total_timeout = std::chrono::seconds(30);
  s.policy.max_response_bytes = 32 * 1024 * 1024;  // FIT files and long streams
  if (c.api_base_url.starts_with("http://") || c.oauth_base_url.starts_with("http://")) {
    s.policy.allowed_schemes = {"https", "http"};
    s.policy.allow_private_addresses = true;
  }
  return s;
}

// --demo on a database without any account: the demo athlete becomes its first (super-admin) user, with two years
// of generated training (activity/demo_athlete.hpp), so every tool has data without provider credentials.
pierre::Result<void> load_demo_athlete(pierre::auth::UserService& users, pierre::activity::Service& activities,
                                       pierre::profile::Service& profiles) {
  auto done = users.setup_completed();
  if (!done) return std::unexpected(done.error());
  if (*done) return {};
  const auto started = std::chrono::steady_clock::now();
  auto setup = users.setup_admin(kDemoEmail, kDemoPassword, "Demo Athlete");
  if (!setup) return std::unexpected(setup.error());
  auto demo = pierre::activity::generate_demo_athlete({.seed = 42, .end_time_ms = pierre::now_epoch_ms()});
  std::vector<pierre::activity::NewActivity> items;
  items.reserve(demo.activities.size());
  for (auto& a : demo.activities) items.push_back({std::move(a.activity), std::move(a.streams)});
  const pierre::activity::Owner owner{setup->tenant_id, setup->admin.id};
  auto stored = activities.store(owner, std::move(items));
  if (!stored) return std::unexpected(stored.error());
  // The demo athlete's physiology becomes its configuration, as a real user would set it.
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  if (auto r = profiles.update(owner, std::nullopt,
                               pierre::profile::parameters_from_athlete(demo.athlete, static_cast<int>(today.year())));
      !r) {
    return std::unexpected(r.error());
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("demo athlete loaded: {} activities in {} ms (sign in with the demo account, see README)",
               stored->size(), ms.count());
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = pierre::config::parse({argv, static_cast<std::size_t>(argc)}, pierre::config::process_env());
  if (!parsed) return startup_failure(parsed.error());
  if (!parsed->config) {
    std::fputs(parsed->message.c_str(), stdout);
    std::fputc('\n', stdout);
    return parsed->exit_code;
  }
  auto cfg = std::move(*parsed->config);
  pierre::logging::init(cfg.log_level, cfg.log_format == pierre::config::LogFormat::json
                                           ? pierre::logging::Format::json
                                           : pierre::logging::Format::text);

  if (auto key = resolve_master_key(cfg); !key) return startup_failure(key.error());
  raise_open_file_limit();

  if (auto dir = ensure_sqlite_directory(cfg.database_url); !dir) return startup_failure(dir.error());
  auto database = pierre::store::open(cfg.database_url);
  if (!database) {
    auto error = database.error();
    if (!error.message.starts_with("DATABASE_URL")) error.message = "DATABASE_URL: " + error.message;
    return startup_failure(error);
  }

  // Identity: a wrong master key fails here, before anything is written.
  auto key_store = pierre::auth::KeyStore::open(**database, cfg.master_key);
  if (!key_store) return startup_failure(key_store.error());
  const pierre::auth::PasswordHasher hasher;
  auto cursors = pierre::store::CursorCodec::create(
      pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes("pierre users cursor v1")));
  if (!cursors) return startup_failure(cursors.error());
  pierre::auth::UserService users(**database, hasher, std::move(*cursors));

  pierre::http::Metrics metrics(PIERRE_VERSION);
  pierre::http::Router router;
  pierre::server::register_operational_routes(router, metrics, **database);

  cfg.http.upload_paths = {"/api/activities/import"};
  pierre::http::Server server({cfg.host, cfg.http_port, cfg.threads, cfg.http}, router, metrics);
  if (auto listening = server.listen(); !listening) return startup_failure(listening.error());

  const auto base = public_base_url(cfg, server.port());
  // The signing key is generated on first login, not here: start-up stays fast on an empty database.
  pierre::auth::TokenService::Options token_options;
  token_options.issuer = base;
  token_options.audience = base + "/mcp";
  token_options.lifetime = std::chrono::hours(cfg.jwt_expiry_hours);
  token_options.rsa_bits = static_cast<int>(cfg.rsa_key_size);
  token_options.algorithm = cfg.jwt_algorithm == pierre::config::JwtAlgorithm::es256
                                ? pierre::crypto::JwtAlgorithm::es256
                                : pierre::crypto::JwtAlgorithm::rs256;
  auto tokens = pierre::auth::TokenService::open(**database, **key_store, std::move(token_options));
  if (!tokens) return startup_failure(tokens.error());
  // The OAuth 2.1 authorization server for MCP clients: its access tokens are TokenService JWTs for base + "/mcp".
  pierre::oauth2::AuthorizationServer::Options oauth_options;
  oauth_options.issuer = base;
  oauth_options.resource = base + "/mcp";
  oauth_options.access_token_lifetime = cfg.oauth_access_token_lifetime;
  oauth_options.refresh_token_lifetime = cfg.oauth_refresh_token_lifetime;
  oauth_options.client_metadata.enabled = cfg.oauth_client_metadata_documents;
  oauth_options.client_metadata.allow_private_addresses = cfg.environment == pierre::config::Environment::development;
  oauth_options.client_metadata.ca_file = cfg.outbound_ca_file;
  auto authorization_server = pierre::oauth2::AuthorizationServer::create(**database, **tokens, oauth_options);
  if (!authorization_server) return startup_failure(authorization_server.error());
  pierre::auth::LoginThrottle login_throttle({.max_failures_per_account = cfg.login_throttle.max_failures_per_account,
                                              .max_failures_per_ip = cfg.login_throttle.max_failures_per_ip,
                                              .window = cfg.login_throttle.window});
  pierre::rest::register_identity_routes(router, users, **tokens, login_throttle);
  pierre::oauth2::register_oauth2_routes(
      router, **authorization_server, users, login_throttle,
      {.cookie_key = pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes("pierre oauth2 cookies v1")),
       .secure_cookies = base.starts_with("https://")});

  // API keys: usage is written behind by the service; it flushes once more when it is destroyed at exit.
  pierre::auth::ApiKeyService::Options api_key_options;
  api_key_options.quotas = cfg.api_key_quotas;
  pierre::auth::ApiKeyService api_keys(**database, api_key_options);
  pierre::rest::register_api_key_routes(router, api_keys);

  // Activities: the local store every tool, import and REST route reads.
  auto activity_cursors = pierre::store::CursorCodec::create(
      pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes("pierre activities cursor v1")));
  if (!activity_cursors) return startup_failure(activity_cursors.error());
  pierre::activity::Service activities(**database, std::move(*activity_cursors));
  pierre::profile::Service profiles(**database, activities);
  pierre::goals::Service goals(**database, activities, profiles);
  if (cfg.demo) {
    if (auto loaded = load_demo_athlete(users, activities, profiles); !loaded) return startup_failure(loaded.error());
  }
  pierre::rest::register_activity_routes(router, activities);

  // Fitness providers: this server as their OAuth client (tokens encrypted with tenant keys), the sync engine with its
  // background thread, and the event hub their flows publish to.
  pierre::providers::ProviderSet provider_set;
  provider_set.add(pierre::providers::make_strava(provider_settings(cfg.strava, "strava", base, cfg.outbound_ca_file)));
  provider_set.add(pierre::providers::make_garmin(provider_settings(cfg.garmin, "garmin", base, cfg.outbound_ca_file)));
  provider_set.add(pierre::providers::make_fitbit(provider_settings(cfg.fitbit, "fitbit", base, cfg.outbound_ca_file)));
  pierre::events::LocalHub events;
  pierre::providers::Connections connections(**database, **key_store, provider_set);
  pierre::providers::SyncOptions sync_options;
  sync_options.staleness = cfg.sync_staleness;
  sync_options.interval = cfg.sync_interval;
  pierre::providers::SyncEngine sync(connections, activities, provider_set, sync_options,
                                     [&events](const pierre::providers::SyncEvent& e) {
                                       events.publish({e.owner.tenant_id, e.owner.user_id, e.type, e.data, 0, 0});
                                     });
  sync.start();
  pierre::rest::register_provider_routes(
      router, {connections, sync, events, cfg.strava_webhook_verify_token, cfg.strava_webhook_subscription_id,
               cfg.fitbit_webhook_secret, &users});
  // Live notifications: every event of the hub, per user, as Server-Sent Events (GET /notifications/sse).
  pierre::notify::Broker notifications(events, {.heartbeat = cfg.notifications.heartbeat,
                                                .max_lifetime = cfg.notifications.max_lifetime,
                                                .max_streams_per_user = cfg.notifications.max_streams_per_user,
                                                .max_streams = cfg.notifications.max_streams});
  notifications.start();
  pierre::notify::StreamTokens stream_tokens(
      pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes("pierre notify stream-token v1")));
  pierre::rest::register_notification_routes(router, notifications, stream_tokens);

  pierre::rest::register_admin_routes(
      router, users, api_keys, [&as = **authorization_server](std::string_view tenant_id, std::string_view user_id) {
        if (auto revoked = as.revoke_user_grants(tenant_id, user_id); !revoked) {
          spdlog::error("revoking a suspended user's OAuth grants failed: {}", revoked.error().message);
        }
      });
  // Usage analytics and live requests for the dashboard: every authenticated request is logged (written in batches
  // by the log's thread, PII-free), aggregated by the database for /api/usage/summary and streamed on /api/usage/live.
  pierre::usage::RequestLog request_log(**database, {.retention = cfg.request_log_retention});
  request_log.start();
  const pierre::usage::Analytics analytics(**database);
  pierre::rest::register_usage_routes(router, users, request_log, analytics);
  server.on_shutdown([&notifications, &request_log] {
    notifications.broadcast("system_status", {{"status", "shutting_down"}});
    notifications.close_all();
    request_log.end_subscriptions();
  });
  // The dashboard (web/, built by `make run`) as static files at /dashboard.
  pierre::http::register_static_site(
      router, {.mount = "/dashboard",
               .directory = cfg.dashboard_dir.empty() ? std::string(PIERRE_DEFAULT_DASHBOARD_DIR) : cfg.dashboard_dir,
               .build_hint = "run `make run` (or `npm ci && npm run build` in web/), or set PIERRE_DASHBOARD_DIR"});
  // Outermost, so it sees the identity the next middleware resolves and the final status.
  router.use(pierre::rest::request_log_middleware(request_log));
  // One middleware resolves every request's JWT or API key (and enforces API-key quotas) before its handler.
  router.use(pierre::rest::authentication_middleware(
      **tokens, api_keys,
      [&as = **authorization_server](std::string_view grant_id) { return as.grant_active(grant_id); }));

  // Routes are registered before run(); the MCP endpoint needs the bound port for its metadata URL.
  pierre::tools::Registry registry;
  // Development (and every test) checks each structured result against its schema; production samples.
  registry.set_output_check(cfg.environment == pierre::config::Environment::development
                                ? pierre::tools::Registry::OutputCheck::every_call
                                : pierre::tools::Registry::OutputCheck::sampled);
  pierre::tools::Catalog catalog;
  // The in-process cache (expired entries purged by put() every CACHE_CLEANUP_INTERVAL_SECS) and OpenWeather through
  // it; without OPENWEATHER_API_KEY the weather tool answers that weather is not configured.
  pierre::cache::MemoryCache cache({cfg.cache_max_entries, cfg.cache_cleanup_interval, {}});
  pierre::weather::Client::Options weather_options;
  weather_options.api_key = cfg.openweather_api_key;
  weather_options.base_url = cfg.openweather_api_base_url;
  weather_options.ca_file = cfg.outbound_ca_file;
  auto weather = pierre::weather::Client::create(std::move(weather_options), cache);
  if (!weather) return startup_failure(weather.error());
  if (!weather->configured()) spdlog::info("weather: OPENWEATHER_API_KEY is not set; weather tools report that");
  if (auto built = build_features(cfg, registry, catalog, activities, profiles, goals, &*weather, connections, sync);
      !built) {
    return startup_failure(built.error());
  }
  pierre::mcp::EndpointOptions mcp_options;
  mcp_options.server_version = PIERRE_VERSION;
  mcp_options.allowed_hosts = allowed_hosts(cfg);
  mcp_options.allow_anonymous = cfg.mcp_allow_anonymous || cfg.mcp_conformance_fixtures;
  if (cfg.demo && mcp_options.allow_anonymous) {
    auto demo_user = users.find_by_email(kDemoEmail);
    if (!demo_user) return startup_failure(demo_user.error());
    if (*demo_user) mcp_options.anonymous_caller = {(*demo_user)->id, (*demo_user)->tenant_id};
  }
  mcp_options.request_state_key =
      pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes("pierre mcp request-state v1"));
  mcp_options.resource_metadata_url = base + "/.well-known/oauth-protected-resource/mcp";
  mcp_options.challenge_scopes = (*authorization_server)->options().scopes_supported;
  if (cfg.mcp_conformance_fixtures) {
    spdlog::warn("PIERRE_MCP_CONFORMANCE_FIXTURES: serving the conformance suite's fixtures without credentials");
  } else if (cfg.mcp_allow_anonymous) {
    spdlog::warn("PIERRE_MCP_ALLOW_ANONYMOUS: /mcp serves callers without credentials (development only)");
  }
  pierre::mcp::Endpoint mcp_endpoint(registry, catalog, std::move(mcp_options));
  mcp_endpoint.register_routes(router);
  // A2A: the agent card and JSON-RPC binding over the same registry, for callers the middleware authenticated.
  auto a2a_cursors = pierre::store::CursorCodec::create(
      pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes("pierre a2a tasks cursor v1")));
  if (!a2a_cursors) return startup_failure(a2a_cursors.error());
  pierre::a2a::Server a2a_server(**database, registry, users, **authorization_server, std::move(*a2a_cursors),
                                 {.base_url = base,
                                  .version = PIERRE_VERSION,
                                  .oauth_scopes = (*authorization_server)->options().scopes_supported,
                                  .quotas = cfg.api_key_quotas,
                                  .events = &events});
  a2a_server.register_routes(router);

  // stdout is for people (and the test harness, which waits for the "listening on" line); logs go to stderr.
  std::printf("pierre-mcp-server %s listening on %s (database: %s)\n", PIERRE_VERSION, base.c_str(),
              (*database)->backend().data());
  for (const auto& route : router.routes()) {
    std::printf("  %-6s %s%-28s %s\n", route.method.c_str(), base.c_str(), route.pattern.c_str(),
                route.summary.c_str());
  }
  std::fflush(stdout);

  server.run();
  spdlog::info("stopped");
  return 0;
}
