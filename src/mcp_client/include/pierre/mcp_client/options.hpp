#pragma once
// The command line of pierre-mcp-client:
//   pierre-mcp-client --server URL [--api-key KEY | --token JWT] [--verbose] [--browser CMD] [--callback-port N]
//                     [--config-dir DIR] [--client-metadata-url URL] [--retry-seconds N] [--auth-timeout N]
//   pierre-mcp-client logout --server URL
// Environment defaults, so desktop configurations need no secrets in argv: PIERRE_SERVER_URL, PIERRE_API_KEY,
// PIERRE_TOKEN, PIERRE_BROWSER. A flag wins over its variable.

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"

namespace pierre::mcp_client {

enum class Command { run, logout, help, version };

struct Options {
  Command command = Command::run;
  std::string server_url;  // as the user wrote it, trailing '/' removed: the key of the token store
  std::string mcp_url;     // server_url + "/mcp" when server_url has no path, else server_url itself
  std::string api_key;
  std::string token;
  std::string browser;  // command run with the authorization URL; "" = the platform's opener
  std::string config_dir;
  std::string client_metadata_url;  // a client ID metadata document URL, used when the server supports them
  int callback_port = 0;            // 0 = any free loopback port
  std::chrono::seconds retry_budget{30};
  std::chrono::seconds auth_timeout{300};
  bool verbose = false;
};

using Getenv = std::string_view (*)(const char*);

// args excludes argv[0]. invalid_input with a message fit for the terminal on any mistake.
[[nodiscard]] Result<Options> parse_arguments(std::span<const std::string_view> args, Getenv getenv);
[[nodiscard]] std::string usage();

// The MCP endpoint for a server URL: http(s) only; "/mcp" appended when the URL has no path.
[[nodiscard]] Result<std::string> mcp_endpoint_for(std::string_view server_url);

}  // namespace pierre::mcp_client
