#include "pierre/mcp_client/oauth_client.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "curl_support.hpp"
#include "pierre/mcp_client/loopback_redirect.hpp"
#include "pierre/mcp_client/pkce.hpp"

extern char** environ;

namespace pierre::mcp_client {
namespace {

const ExchangeLimits kOAuthLimits{.connect_timeout = std::chrono::milliseconds(5000),
                                  .total_timeout = std::chrono::milliseconds(15000),
                                  .idle_timeout = std::chrono::seconds(15)};

std::string json_string(const nlohmann::json& json, const char* name) {
  const auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Result<std::string> append_query(std::string_view endpoint, const std::vector<std::pair<std::string, std::string>>& q) {
  return fmt::format("{}{}{}", endpoint, endpoint.find('?') == std::string_view::npos ? '?' : '&', form_encode(q));
}

HttpRequest form_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields) {
  return {.method = "POST",
          .url = url,
          .headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
          .body = form_encode(fields)};
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace

std::string resource_metadata_from_challenge(std::string_view www_authenticate) {
  constexpr std::string_view key = "resource_metadata=";
  const auto at = www_authenticate.find(key);
  if (at == std::string_view::npos) return {};
  auto rest = www_authenticate.substr(at + key.size());
  if (rest.starts_with('"')) {
    rest.remove_prefix(1);
    return std::string(rest.substr(0, rest.find('"')));
  }
  return std::string(rest.substr(0, rest.find_first_of(", ")));
}

Result<std::vector<std::string>> protected_resource_metadata_urls(std::string_view mcp_url) {
  auto parts = parse_url(mcp_url);
  if (!parts) return std::unexpected(parts.error());
  std::vector<std::string> urls;
  if (!parts->path.empty()) urls.push_back(parts->origin + "/.well-known/oauth-protected-resource" + parts->path);
  urls.push_back(parts->origin + "/.well-known/oauth-protected-resource");
  return urls;
}

Result<StoredCredentials> credentials_from_token_response(StoredCredentials base, const HttpResponse& response,
                                                          std::int64_t now_seconds) {
  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200) {
    const auto error = json.is_object() ? json_string(json, "error") : std::string{};
    // invalid_grant: the code or refresh token is spent, expired or revoked; only a new authorization helps.
    const auto code = error == "invalid_grant" ? ErrorCode::auth_expired : ErrorCode::external_auth_failed;
    return fail(code, fmt::format("the token endpoint refused: HTTP {} {}", response.status, error),
                {{"http_status", response.status}});
  }
  if (!json.is_object()) return fail(ErrorCode::external_auth_failed, "the token endpoint answered no JSON object");
  auto access_token = json_string(json, "access_token");
  if (access_token.empty()) return fail(ErrorCode::external_auth_failed, "the token endpoint sent no access_token");
  base.access_token = std::move(access_token);
  if (auto refresh_token = json_string(json, "refresh_token"); !refresh_token.empty()) {
    base.refresh_token = std::move(refresh_token);
  }
  const auto expires_in = json.find("expires_in");
  base.expires_at = expires_in != json.end() && expires_in->is_number_integer() && expires_in->get<std::int64_t>() > 0
                        ? now_seconds + expires_in->get<std::int64_t>()
                        : 0;
  return base;
}

Result<nlohmann::json> OAuthClient::get_json(const std::string& url) {
  auto response = http_.perform({.method = "GET", .url = url, .headers = {{"Accept", "application/json"}}, .body = {}},
                                kOAuthLimits);
  if (!response) return std::unexpected(response.error());
  if (response->status != 200) {
    return fail(ErrorCode::resource_not_found, fmt::format("GET {}: HTTP {}", url, response->status));
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (!json.is_object()) return fail(ErrorCode::external_service_error, fmt::format("GET {}: not a JSON object", url));
  return json;
}

Result<AuthorizationServer> OAuthClient::discover(std::string_view mcp_url, std::string_view resource_metadata_hint) {
  auto candidates = protected_resource_metadata_urls(mcp_url);
  if (!candidates) return std::unexpected(candidates.error());
  if (!resource_metadata_hint.empty()) candidates->insert(candidates->begin(), std::string(resource_metadata_hint));
  Result<nlohmann::json> resource_metadata = fail(ErrorCode::resource_not_found, "no protected-resource metadata");
  for (const auto& url : *candidates) {
    resource_metadata = get_json(url);
    if (resource_metadata) break;
    diagnostics_.debug("{}", resource_metadata.error().message);
  }
  if (!resource_metadata) return std::unexpected(resource_metadata.error());

  AuthorizationServer server;
  server.resource = json_string(*resource_metadata, "resource");
  if (server.resource.empty()) server.resource = mcp_url;
  const auto servers = resource_metadata->find("authorization_servers");
  if (servers == resource_metadata->end() || !servers->is_array() || servers->empty() ||
      !servers->front().is_string()) {
    return fail(ErrorCode::external_service_error, "the protected-resource metadata names no authorization server");
  }
  server.issuer = servers->front().get<std::string>();

  // RFC 8414 §3.1 (path inserted after the well-known prefix), then OpenID Connect discovery.
  auto issuer_parts = parse_url(server.issuer);
  if (!issuer_parts) return std::unexpected(issuer_parts.error());
  Result<nlohmann::json> metadata = fail(ErrorCode::resource_not_found, "no authorization-server metadata");
  for (const auto& url : {issuer_parts->origin + "/.well-known/oauth-authorization-server" + issuer_parts->path,
                          issuer_parts->origin + "/.well-known/openid-configuration" + issuer_parts->path}) {
    metadata = get_json(url);
    if (metadata) break;
  }
  if (!metadata) return std::unexpected(metadata.error());
  if (json_string(*metadata, "issuer") != server.issuer) {
    return fail(ErrorCode::external_auth_failed, "the authorization server's metadata names another issuer");
  }
  const auto methods = metadata->find("code_challenge_methods_supported");
  if (methods == metadata->end() || !methods->is_array() ||
      std::find(methods->begin(), methods->end(), "S256") == methods->end()) {
    return fail(ErrorCode::external_auth_failed, "the authorization server does not offer PKCE S256");
  }
  server.authorization_endpoint = json_string(*metadata, "authorization_endpoint");
  server.token_endpoint = json_string(*metadata, "token_endpoint");
  server.registration_endpoint = json_string(*metadata, "registration_endpoint");
  server.revocation_endpoint = json_string(*metadata, "revocation_endpoint");
  server.iss_parameter_supported = metadata->value("authorization_response_iss_parameter_supported", false);
  server.client_id_metadata_document_supported = metadata->value("client_id_metadata_document_supported", false);
  if (server.authorization_endpoint.empty() || server.token_endpoint.empty()) {
    return fail(ErrorCode::external_auth_failed, "the authorization server's metadata lacks its endpoints");
  }
  return server;
}

Result<std::string> OAuthClient::register_client(const AuthorizationServer& server, const std::string& redirect_uri) {
  if (!settings_.client_metadata_url.empty() && server.client_id_metadata_document_supported) {
    return settings_.client_metadata_url;
  }
  if (server.registration_endpoint.empty()) {
    return fail(ErrorCode::config_missing,
                "the authorization server offers no dynamic registration: pass --client-metadata-url, --api-key or "
                "--token");
  }
  const nlohmann::json metadata = {{"client_name", "pierre-mcp-client"},
                                   {"redirect_uris", {redirect_uri}},
                                   {"grant_types", {"authorization_code", "refresh_token"}},
                                   {"response_types", {"code"}},
                                   {"token_endpoint_auth_method", "none"},
                                   {"application_type", "native"}};
  auto response = http_.perform({.method = "POST",
                                 .url = server.registration_endpoint,
                                 .headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                                 .body = metadata.dump()},
                                kOAuthLimits);
  if (!response) return std::unexpected(response.error());
  const auto json = nlohmann::json::parse(response->body, nullptr, false);
  const auto client_id = json.is_object() ? json_string(json, "client_id") : std::string{};
  if ((response->status != 201 && response->status != 200) || client_id.empty()) {
    return fail(ErrorCode::external_auth_failed,
                fmt::format("dynamic client registration failed: HTTP {}", response->status));
  }
  diagnostics_.debug("registered as OAuth client {}", client_id);
  return client_id;
}

void OAuthClient::open_browser(const std::string& url) const {
  std::string command = settings_.browser;
  if (command == "none") return;
  if (command.empty()) {
#if defined(__APPLE__)
    command = "open";
#else
    command = "xdg-open";
#endif
  }
  auto words = split_words(command);
  if (words.empty()) return;
  words.push_back(url);
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  // The browser's chatter must not reach stdout (the protocol channel): its stdout goes to our stderr.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv.front(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    diagnostics_.info("cannot start the browser ({}); open the URL above yourself", words.front());
    return;
  }
  std::thread([pid] { ::waitpid(pid, nullptr, 0); }).detach();  // reap it whenever it ends
}

Result<StoredCredentials> OAuthClient::authorize(const AuthorizationServer& server, std::string_view server_url,
                                                 std::int64_t now_seconds) {
  auto redirect = LoopbackRedirect::listen(settings_.callback_port);
  if (!redirect) return std::unexpected(redirect.error());
  auto client_id = register_client(server, redirect->redirect_uri());
  if (!client_id) return std::unexpected(client_id.error());

  const auto pkce = make_pkce();
  const auto state = random_state();
  auto url = append_query(server.authorization_endpoint, {{"response_type", "code"},
                                                          {"client_id", *client_id},
                                                          {"redirect_uri", redirect->redirect_uri()},
                                                          {"code_challenge", pkce.challenge},
                                                          {"code_challenge_method", "S256"},
                                                          {"state", state},
                                                          {"resource", server.resource}});
  if (!url) return std::unexpected(url.error());
  diagnostics_.info("authorize this client in your browser: {}", *url);
  open_browser(*url);

  auto params = redirect->wait(settings_.timeout, &abandoned_);
  if (!params) return std::unexpected(params.error());
  if (params->state != state)
    return fail(ErrorCode::external_auth_failed, "the authorization answer has a wrong state");
  // RFC 9207: an `iss` that is present must be the issuer we started with, exactly (mix-up defence).
  if ((server.iss_parameter_supported || !params->iss.empty()) && params->iss != server.issuer) {
    return fail(ErrorCode::external_auth_failed, "the authorization answer comes from another issuer");
  }
  if (!params->error.empty()) {
    return fail(ErrorCode::external_auth_failed, fmt::format("authorization refused: {}", params->error));
  }

  StoredCredentials base;
  base.server_url = server_url;
  base.issuer = server.issuer;
  base.token_endpoint = server.token_endpoint;
  base.revocation_endpoint = server.revocation_endpoint;
  base.resource = server.resource;
  base.client_id = *client_id;
  auto response = http_.perform(form_post(server.token_endpoint, {{"grant_type", "authorization_code"},
                                                                  {"code", params->code},
                                                                  {"redirect_uri", redirect->redirect_uri()},
                                                                  {"client_id", *client_id},
                                                                  {"code_verifier", pkce.verifier},
                                                                  {"resource", server.resource}}),
                                kOAuthLimits);
  if (!response) return std::unexpected(response.error());
  return credentials_from_token_response(std::move(base), *response, now_seconds);
}

Result<StoredCredentials> OAuthClient::refresh(const StoredCredentials& stored, std::int64_t now_seconds) {
  if (stored.refresh_token.empty() || stored.token_endpoint.empty()) {
    return fail(ErrorCode::auth_expired, "no refresh token");
  }
  std::vector<std::pair<std::string, std::string>> fields = {
      {"grant_type", "refresh_token"}, {"refresh_token", stored.refresh_token}, {"client_id", stored.client_id}};
  if (!stored.resource.empty()) fields.emplace_back("resource", stored.resource);
  auto response = http_.perform(form_post(stored.token_endpoint, fields), kOAuthLimits);
  if (!response) return std::unexpected(response.error());
  return credentials_from_token_response(stored, *response, now_seconds);
}

Result<void> OAuthClient::revoke(const StoredCredentials& stored) {
  if (stored.revocation_endpoint.empty() || stored.refresh_token.empty()) return {};
  auto response = http_.perform(form_post(stored.revocation_endpoint, {{"token", stored.refresh_token},
                                                                       {"token_type_hint", "refresh_token"},
                                                                       {"client_id", stored.client_id}}),
                                kOAuthLimits);
  if (!response) return std::unexpected(response.error());
  if (response->status != 200) {
    return fail(ErrorCode::external_service_error, fmt::format("revocation answered HTTP {}", response->status));
  }
  return {};
}

}  // namespace pierre::mcp_client
