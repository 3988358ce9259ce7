#include "pierre/mcp_client/options.hpp"

#include <charconv>

#include <fmt/format.h>

#include "curl_support.hpp"

namespace pierre::mcp_client {
namespace {

Result<int> parse_count(std::string_view flag, std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return fail(ErrorCode::invalid_input,
                fmt::format("{} wants a number from {} to {}, not '{}'", flag, min, max, text));
  }
  return value;
}

struct NumericFlag {
  std::string_view name;
  int min;
  int max;
  void (*apply)(Options&, int);
};

constexpr NumericFlag kNumericFlags[] = {
    {"--callback-port", 0, 65535, [](Options& o, int v) { o.callback_port = v; }},
    {"--retry-seconds", 0, 3600, [](Options& o, int v) { o.retry_budget = std::chrono::seconds(v); }},
    {"--auth-timeout", 1, 3600, [](Options& o, int v) { o.auth_timeout = std::chrono::seconds(v); }},
};

const NumericFlag* find_numeric_flag(std::string_view name) {
  for (const auto& flag : kNumericFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

}  // namespace

Result<std::string> mcp_endpoint_for(std::string_view server_url) {
  auto url = parse_url(server_url);
  if (!url) return fail(ErrorCode::invalid_input, fmt::format("--server: '{}' is not a URL", server_url));
  if (url->scheme != "http" && url->scheme != "https") {
    return fail(ErrorCode::invalid_input, "--server: only http:// and https:// URLs");
  }
  return url->path.empty() ? url->origin + "/mcp" : std::string(server_url);
}

Result<Options> parse_arguments(std::span<const std::string_view> args, Getenv getenv) {
  Options options;
  options.server_url = getenv("PIERRE_SERVER_URL");
  options.api_key = getenv("PIERRE_API_KEY");
  options.token = getenv("PIERRE_TOKEN");
  options.browser = getenv("PIERRE_BROWSER");

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (i == 0 && arg == "logout") {
      options.command = Command::logout;
      continue;
    }
    if (arg == "--help" || arg == "-h" || arg == "--version") {
      Options informational;
      informational.command = arg == "--version" ? Command::version : Command::help;
      return informational;
    }
    if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
      continue;
    }
    std::string_view value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail(ErrorCode::invalid_input, fmt::format("{} needs a value (see --help)", arg));
    }
    if (arg == "--server") {
      options.server_url = value;
    } else if (arg == "--api-key") {
      options.api_key = value;
    } else if (arg == "--token") {
      options.token = value;
    } else if (arg == "--browser") {
      options.browser = value;
    } else if (arg == "--config-dir") {
      options.config_dir = value;
    } else if (arg == "--client-metadata-url") {
      options.client_metadata_url = value;
    } else if (const auto* numeric = find_numeric_flag(arg)) {
      auto number = parse_count(arg, value, numeric->min, numeric->max);
      if (!number) return std::unexpected(number.error());
      numeric->apply(options, *number);
    } else {
      return fail(ErrorCode::invalid_input, fmt::format("unknown argument '{}' (see --help)", arg));
    }
  }

  if (options.server_url.empty()) {
    return fail(ErrorCode::invalid_input, "--server URL is required (or PIERRE_SERVER_URL)");
  }
  while (options.server_url.size() > 1 && options.server_url.ends_with('/')) options.server_url.pop_back();
  if (!options.api_key.empty() && !options.token.empty()) {
    return fail(ErrorCode::invalid_input, "--api-key and --token exclude each other");
  }
  auto endpoint = mcp_endpoint_for(options.server_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  options.mcp_url = std::move(*endpoint);
  return options;
}

std::string usage() {
  return R"(pierre-mcp-client: MCP over stdio for desktop clients, Streamable HTTP to a Pierre server.

usage: pierre-mcp-client --server URL [options]
       pierre-mcp-client logout --server URL

  --server URL               the Pierre server (http://localhost:8081) or its MCP endpoint (…/mcp)
  --api-key KEY              authenticate with an API key (X-API-Key) instead of OAuth
  --token JWT                authenticate with a bearer token instead of OAuth
  --browser CMD              command that opens the authorization URL (xdg-open, open on macOS; none = print only)
  --callback-port N          loopback port for the OAuth redirect (default: any free port)
  --client-metadata-url URL  use this client ID metadata document instead of dynamic registration
  --config-dir DIR           where tokens are stored (default: $XDG_CONFIG_HOME/pierre-mcp-client)
  --retry-seconds N          how long to retry an unreachable server before answering with an error (30)
  --auth-timeout N           how long to wait for the browser login, in seconds (300)
  --verbose                  more diagnostics on stderr (never tokens)

environment: PIERRE_SERVER_URL, PIERRE_API_KEY, PIERRE_TOKEN, PIERRE_BROWSER (flags win).
stdout carries only JSON-RPC; everything else goes to stderr.
)";
}

}  // namespace pierre::mcp_client
