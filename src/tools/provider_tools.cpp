// Fitness-provider connections as tools: connect_provider, get_connection_status, disconnect_provider — over the
// providers module (the same calls the REST routes make).
#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/tools/builtin.hpp"
#include "tool_support.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
namespace su = support;

json provider_enum(std::string description) {
  return {{"type", "string"}, {"enum", {"strava", "garmin", "fitbit"}}, {"description", std::move(description)}};
}

// ---- connect_provider ----

json connect_output() {
  return su::object_schema({{"provider", su::string_schema()},
                            {"authorization_url", su::string_schema("Open this URL in a browser to grant access")},
                            {"expires_at", su::string_schema("The link works until then, once")},
                            {"message", su::string_schema()}},
                           {"provider", "authorization_url", "expires_at", "message"});
}

Result<ToolOutput> connect_provider(providers::Connections& connections, const json& args, CallContext& ctx) {
  auto owner = su::caller(ctx, "connect a provider");
  if (!owner) return std::unexpected(owner.error());
  const auto provider = args.at("provider").get<std::string>();
  auto start = connections.begin(*owner, provider);
  if (!start) return std::unexpected(start.error());
  const auto message = fmt::format(
      "Open this link in a browser and approve access to connect {}; it works once, until {}. Your activities are "
      "synced in the background afterwards (get_connection_status shows progress).",
      provider, iso8601_ms(start->expires_at_ms));
  return ToolOutput::of({{"provider", provider},
                         {"authorization_url", start->authorization_url},
                         {"expires_at", iso8601_ms(start->expires_at_ms)},
                         {"message", message}},
                        fmt::format("{}\n{}", message, start->authorization_url));
}

// ---- get_connection_status ----

json connection_status_input() {
  return su::object_schema({{"provider", provider_enum("Only report this provider (default: all)")},
                            // Pierre lets a caller pass its own OAuth app credentials here; we accept and ignore them
                            // (credentials are server configuration, never taken from a tool call).
                            {"strava_client_id", su::string_schema()},
                            {"strava_client_secret", su::string_schema()},
                            {"fitbit_client_id", su::string_schema()},
                            {"fitbit_client_secret", su::string_schema()}});
}

json connection_status_output() {
  json provider = su::object_schema(
      {{"provider", su::string_schema()},
       {"configured", {{"type", "boolean"}}},
       {"connected", {{"type", "boolean"}}},
       {"status", {{"type", "string"}, {"enum", {"connected", "needs_reauth", "not_connected", "not_configured"}}}},
       {"message", su::string_schema()},
       {"last_sync_at", {{"type", {"string", "null"}}}},
       {"last_sync_error", {{"type", {"string", "null"}}}},
       {"activities_synced", su::integer_schema()},
       {"backfill_complete", {{"type", "boolean"}}},
       {"rate_limit", {{"type", "object"}}}},
      {"provider", "configured", "connected", "status", "message"}, true);
  return su::object_schema({{"providers", su::array_of(provider)},
                            {"connected_count", su::integer_schema()},
                            {"local_activity_count", su::integer_schema()}},
                           {"providers", "connected_count"});
}

std::string status_message(const json& p) {
  const auto name = p.value("provider", std::string());
  const auto status = p.value("status", std::string());
  if (status == "not_configured") return fmt::format("{} is not configured on this server (no OAuth client)", name);
  if (status == "not_connected")
    return fmt::format("{} is available: call connect_provider to link your account", name);
  if (status == "needs_reauth") {
    return fmt::format("{} needs to be authorised again (access was revoked or expired): call connect_provider", name);
  }
  std::string text = fmt::format("{} connected, {} activities synced", name, p.value("activities_synced", 0));
  if (!p.value("backfill_complete", false)) text += ", history still being synced";
  if (p.contains("last_sync_at") && p["last_sync_at"].is_string()) {
    text += fmt::format(", last sync {}", p["last_sync_at"].get<std::string>());
  }
  if (p.contains("last_sync_error") && p["last_sync_error"].is_string()) {
    text += fmt::format(" (last problem: {})", p["last_sync_error"].get<std::string>());
  }
  return text;
}

Result<ToolOutput> connection_status(providers::SyncEngine& sync, activity::Service& activities, const json& args,
                                     CallContext& ctx) {
  const auto only = args.value("provider", std::string());
  json list = json::array();
  int connected = 0;
  const bool signed_in = !ctx.user_id.empty() && !ctx.tenant_id.empty();
  // An anonymous development caller has no connections; it still sees what the server offers.
  auto status = sync.status(signed_in ? activity::Owner{ctx.tenant_id, ctx.user_id} : activity::Owner{"", ""});
  if (!status) return std::unexpected(status.error());
  std::string text;
  for (auto p : (*status)["providers"]) {
    if (!only.empty() && p.value("provider", std::string()) != only) continue;
    p["message"] = status_message(p);
    connected += p.value("connected", false) ? 1 : 0;
    text += p["message"].get<std::string>() + "\n";
    list.push_back(std::move(p));
  }
  json out = {{"providers", std::move(list)}, {"connected_count", connected}};
  if (signed_in) {
    auto count = activities.count({ctx.tenant_id, ctx.user_id});
    if (!count) return std::unexpected(count.error());
    out["local_activity_count"] = *count;
    text += fmt::format("{} activities stored in your account (files, demo and synced providers)\n", *count);
  }
  return ToolOutput::of(std::move(out), text.empty() ? "no providers" : std::move(text));
}

// ---- disconnect_provider ----

json disconnect_input() {
  return su::object_schema(
      {{"provider", provider_enum("The provider to disconnect")},
       {"delete_data",
        {{"type", "boolean"},
         {"description", "Also delete the activities synced from this provider (default false: they are kept)"}}}},
      {"provider"});
}

json disconnect_output() {
  return su::object_schema({{"provider", su::string_schema()},
                            {"was_connected", {{"type", "boolean"}}},
                            {"revoked_at_provider", {{"type", "boolean"}}},
                            {"deleted_activities", su::integer_schema()},
                            {"message", su::string_schema()}},
                           {"provider", "was_connected", "deleted_activities", "message"});
}

Result<ToolOutput> disconnect_provider(providers::SyncEngine& sync, activity::Service& activities, const json& args,
                                       CallContext& ctx) {
  auto owner = su::caller(ctx, "manage your connections");
  if (!owner) return std::unexpected(owner.error());
  const auto provider = args.at("provider").get<std::string>();
  const bool delete_data = args.value("delete_data", false);
  auto report = sync.disconnect(*owner, provider, delete_data);
  if (report) {
    const auto message =
        fmt::format("{} disconnected{}; {}", provider,
                    report->value("revoked_at_provider", false) ? " and access revoked at the provider" : "",
                    report->value("data", std::string()));
    return ToolOutput::of({{"provider", provider},
                           {"was_connected", true},
                           {"revoked_at_provider", report->value("revoked_at_provider", false)},
                           {"deleted_activities", report->value("activities_deleted", std::int64_t{0})},
                           {"message", message}},
                          message);
  }
  if (report.error().code != ErrorCode::resource_not_found) return std::unexpected(report.error());
  // Not connected: still honour delete_data for what an earlier connection synced.
  std::int64_t deleted = 0;
  if (delete_data) {
    auto removed = activities.remove_source(*owner, provider);
    if (!removed) return std::unexpected(removed.error());
    deleted = *removed;
  }
  const auto message =
      fmt::format("no {} account was connected{}", provider,
                  deleted > 0 ? fmt::format("; {} activities synced from {} were deleted", deleted, provider)
                              : "; activities already synced (if any) are kept unless delete_data is true");
  return ToolOutput::of(
      {{"provider", provider}, {"was_connected", false}, {"deleted_activities", deleted}, {"message", message}},
      message);
}

}  // namespace

Result<void> register_provider_tools(Registry& registry, activity::Service& activities,
                                     providers::Connections& connections, providers::SyncEngine& sync) {
  std::vector<ToolDefinition> tools;
  tools.push_back(
      {.name = "connect_provider",
       .title = "Connect a provider",
       .description = "Starts linking your Strava, Garmin or Fitbit account: returns a link to open in a "
                      "browser, where you approve access at the provider. Activities are then synced "
                      "in the background.",
       .input_schema = su::object_schema({{"provider", provider_enum("The provider to connect")}}, {"provider"}),
       .output_schema = connect_output(),
       .annotations = {.read_only = false, .destructive = false, .idempotent = false, .open_world = true},
       .handler = [&connections](const json& a, CallContext& c) { return connect_provider(connections, a, c); }});
  tools.push_back({.name = "get_connection_status",
                   .title = "Connection status",
                   .description = "Shows which fitness providers (Strava, Garmin, Fitbit) are set up on this server "
                                  "and connected to your account: last sync, activities synced, rate-limit state and "
                                  "problems, and how many activities your account holds.",
                   .input_schema = connection_status_input(),
                   .output_schema = connection_status_output(),
                   .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
                   .handler = [&sync, &activities](const json& a, CallContext& c) {
                     return connection_status(sync, activities, a, c);
                   }});
  tools.push_back({.name = "disconnect_provider",
                   .title = "Disconnect a provider",
                   .description =
                       "Disconnects a fitness provider from your account and revokes access at the provider where "
                       "it allows. Activities already synced are kept unless delete_data is true.",
                   .input_schema = disconnect_input(),
                   .output_schema = disconnect_output(),
                   .annotations = {.read_only = false, .destructive = true, .idempotent = true, .open_world = true},
                   .handler = [&sync, &activities](const json& a, CallContext& c) {
                     return disconnect_provider(sync, activities, a, c);
                   }});
  for (auto& t : tools) {
    if (auto r = registry.add(std::move(t)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
