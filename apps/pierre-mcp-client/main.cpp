// pierre-mcp-client: MCP over stdio for desktop clients (Claude Desktop, Cursor, VS Code), Streamable HTTP to a Pierre
// server, OAuth handled by itself. Composition only: options → credentials → bridge → stdin loop.
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "pierre/mcp_client/bridge.hpp"
#include "pierre/mcp_client/credentials.hpp"
#include "pierre/mcp_client/diagnostics.hpp"
#include "pierre/mcp_client/oauth_client.hpp"
#include "pierre/mcp_client/options.hpp"
#include "pierre/mcp_client/token_store.hpp"

namespace {

using namespace pierre::mcp_client;

std::string_view environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string_view{} : std::string_view(value);
}

std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

pierre::Result<TokenStore> token_store(const Options& options) {
  if (!options.config_dir.empty()) return TokenStore(options.config_dir);
  auto directory = default_config_dir(environment);
  if (!directory) return std::unexpected(directory.error());
  return TokenStore(*directory);
}

int logout(const Options& options, HttpClient& http, const Diagnostics& diagnostics) {
  auto store = token_store(options);
  if (!store) {
    diagnostics.info("{}", store.error().message);
    return 1;
  }
  if (auto stored = store->load(options.server_url); stored && *stored) {
    OAuthClient oauth(http, {}, diagnostics);
    if (auto revoked = oauth.revoke(**stored); !revoked) {
      diagnostics.info("the server did not revoke the tokens ({}); removing them anyway", revoked.error().message);
    }
  }
  auto removed = store->remove(options.server_url);
  if (!removed) {
    diagnostics.info("{}", removed.error().message);
    return 1;
  }
  if (*removed) {
    diagnostics.info("logged out of {}", options.server_url);
  } else {
    diagnostics.info("no stored tokens for {}", options.server_url);
  }
  return 0;
}

// Runs the bridge (or logout) until stdin ends; the exit status.
int serve(const Options& options) {
  const Diagnostics diagnostics(options.verbose);
  HttpClient http;
  if (options.command == Command::logout) return logout(options, http, diagnostics);

  OAuthClient oauth(http,
                    {.browser = options.browser,
                     .callback_port = options.callback_port,
                     .timeout = options.auth_timeout,
                     .client_metadata_url = options.client_metadata_url},
                    diagnostics);
  std::unique_ptr<Credentials> credentials;
  if (!options.api_key.empty()) {
    credentials = std::make_unique<FixedCredentials>(FixedCredentials::api_key(options.api_key));
  } else if (!options.token.empty()) {
    credentials = std::make_unique<FixedCredentials>(FixedCredentials::bearer(options.token));
  } else {
    auto store = token_store(options);
    if (!store) {
      diagnostics.info("{}", store.error().message);
      return 2;
    }
    credentials = std::make_unique<OAuthCredentials>(std::move(*store), oauth, options.server_url, options.mcp_url,
                                                     unix_now, diagnostics);
  }

  diagnostics.debug("bridging stdio to {}", options.mcp_url);
  LineSink stdout_sink(stdout);
  Bridge bridge({.mcp_url = options.mcp_url, .retry_budget = options.retry_budget}, http, *credentials, stdout_sink,
                diagnostics);
  std::ios::sync_with_stdio(false);
  for (std::string line; std::getline(std::cin, line);) bridge.handle_line(line);
  bridge.finish(std::chrono::seconds(5));
  bridge.close_session();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  auto options = parse_arguments(args, environment);
  if (!options) {
    fmt::print(stderr, "pierre-mcp-client: {}\n", options.error().message);
    return 2;
  }
  if (options->command == Command::help) {
    fmt::print(stderr, "{}", usage());
    return 0;
  }
  if (options->command == Command::version) {
    fmt::print(stderr, "pierre-mcp-client {}\n", PIERRE_VERSION);
    return 0;
  }

  // libcurl's global state outlives every handle: the work runs in serve(), whose HttpClient is gone before cleanup.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int status = serve(*options);
  curl_global_cleanup();
  return status;
}
