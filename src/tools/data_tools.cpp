// Data tools: activities, athlete, stats and provider connections.
#include <fmt/format.h>

#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;

json connection_status_input() {
  return {{"type", "object"},
          {"properties",
           {{"provider",
             {{"type", "string"},
              {"enum", {"strava", "garmin", "fitbit"}},
              {"description", "Only report this provider (default: all)"}}}}},
          {"additionalProperties", false}};
}

json connection_status_output() {
  json provider = {{"type", "object"},
                   {"properties",
                    {{"provider", {{"type", "string"}}},
                     {"configured", {{"type", "boolean"}}},
                     {"connected", {{"type", "boolean"}}},
                     {"status", {{"type", "string"}, {"enum", {"connected", "not_connected", "not_configured"}}}},
                     {"message", {{"type", "string"}}}}},
                   {"required", {"provider", "configured", "connected", "status", "message"}}};
  return {{"type", "object"},
          {"properties",
           {{"providers", {{"type", "array"}, {"items", provider}}}, {"connected_count", {{"type", "integer"}}}}},
          {"required", {"providers", "connected_count"}}};
}

}  // namespace

Result<void> register_data_tools(Registry& registry, std::vector<ProviderSetup> providers) {
  return registry.add(
      {.name = "get_connection_status",
       .title = "Connection status",
       .description = "Shows which fitness providers (Strava, Garmin, Fitbit) are set up on this server and "
                      "connected to your account.",
       .input_schema = connection_status_input(),
       .output_schema = connection_status_output(),
       .annotations = {.read_only = true, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [providers = std::move(providers)](const json& args, CallContext&) -> Result<ToolOutput> {
         const auto only = args.value("provider", std::string());
         json list = json::array();
         std::string text;
         for (const auto& p : providers) {
           if (!only.empty() && p.name != only) continue;
           // No account can be linked until the provider connect flow exists, so nothing is connected yet.
           const bool connected = false;
           const std::string status = !p.configured ? "not_configured" : (connected ? "connected" : "not_connected");
           const std::string message =
               !p.configured ? fmt::format("{} is not configured on this server (no OAuth client credentials)", p.name)
                             : fmt::format("{} is configured on this server; no account is connected", p.name);
           list.push_back({{"provider", p.name},
                           {"configured", p.configured},
                           {"connected", connected},
                           {"status", status},
                           {"message", message}});
           text += fmt::format("{}: {}\n", p.name, status);
         }
         return ToolOutput::of({{"providers", std::move(list)}, {"connected_count", 0}},
                               text.empty() ? "no providers" : std::move(text));
       }});
}

}  // namespace pierre::tools
