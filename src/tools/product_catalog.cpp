// The product's MCP resources and prompts. Resources mirror argument-free read-only tools, so a client can attach
// the same data as context without a tool call; prompts are the coaching conversations people start most often.
#include <fmt/format.h>

#include "pierre/tools/builtin.hpp"
#include "pierre/tools/catalog.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;
using Args = std::map<std::string, std::string, std::less<>>;

json user_text(std::string text) {
  return {{"role", "user"}, {"content", {{"type", "text"}, {"text", std::move(text)}}}};
}

// A resource whose contents are a tool's structured result, as JSON.
Result<void> add_tool_resource(Catalog& catalog, const Registry& registry, std::string uri, std::string name,
                               std::string description, std::string tool) {
  ResourceDefinition d;
  d.uri = std::move(uri);
  d.name = std::move(name);
  d.description = std::move(description);
  d.mime_type = "application/json";
  d.read = [&registry, tool = std::move(tool)](const std::string& u, CallContext& context) -> Result<json> {
    auto result = registry.call(tool, json::object(), context);
    if (!result) return std::unexpected(result.error());
    if (result->is_error) return fail(result->error_code, result->text);
    return json::array({{{"uri", u}, {"mimeType", "application/json"}, {"text", result->structured.dump()}}});
  };
  return catalog.add_resource(std::move(d));
}

PromptDefinition training_review() {
  PromptDefinition p;
  p.name = "training_review";
  p.title = "Review my recent training";
  p.description = "Summarise the last week or month of training: volume, intensity, load trend and what to change.";
  p.arguments = {{"period", "How far back to look: week or month (default week)", false, {"week", "month"}}};
  p.get = [](const Args& args, CallContext&) -> Result<PromptOutput> {
    const auto it = args.find("period");
    const std::string period = it == args.end() ? "week" : it->second;
    if (period != "week" && period != "month") {
      return fail(ErrorCode::invalid_input, "period must be 'week' or 'month'", json{{"field", "period"}});
    }
    return PromptOutput{
        "Training review",
        json::array({user_text(fmt::format(
            "Review my training over the last {}. Use get_connection_status to see which of my accounts are linked, "
            "then look at my activities for the period: total time, distance and sessions per sport, how hard the "
            "sessions were, and how my training load is trending compared with before. Tell me what went well, what "
            "looks risky (sudden load increases, too little recovery), and give me two or three concrete changes for "
            "next {}. Say which numbers you used.",
            period, period))}),
        {}};
  };
  return p;
}

PromptDefinition race_readiness() {
  PromptDefinition p;
  p.name = "race_readiness";
  p.title = "Am I ready for my race?";
  p.description = "Estimate a realistic finish time for an upcoming race from recent training and say how to prepare.";
  p.arguments = {{"distance",
                  "Race distance, e.g. 5K, 10K, half marathon, marathon",
                  true,
                  {"5K", "10K", "half marathon", "marathon"}},
                 {"race_date", "Race day (YYYY-MM-DD), if known", false, {}}};
  p.get = [](const Args& args, CallContext&) -> Result<PromptOutput> {
    const auto date = args.find("race_date");
    return PromptOutput{
        "Race readiness",
        json::array({user_text(fmt::format(
            "I am racing a {}{}. From my recent runs, estimate my current fitness (VDOT or a comparable measure) and a "
            "realistic finish time range, explain how confident that estimate is, and outline the key sessions and "
            "the taper for the time I have left. Use my configured thresholds from get_configuration_catalog where "
            "they matter.",
            args.at("distance"), date == args.end() ? "" : " on " + date->second))}),
        {}};
  };
  return p;
}

PromptDefinition connect_provider() {
  PromptDefinition p;
  p.name = "connect_provider";
  p.title = "Connect a fitness account";
  p.description = "Walk through linking Strava, Garmin or Fitbit so the assistant can read your activities.";
  p.arguments = {{"provider", "strava, garmin or fitbit", true, {"strava", "garmin", "fitbit"}}};
  p.get = [](const Args& args, CallContext&) -> Result<PromptOutput> {
    const auto& provider = args.at("provider");
    if (provider != "strava" && provider != "garmin" && provider != "fitbit") {
      return fail(ErrorCode::invalid_input, "provider must be strava, garmin or fitbit", json{{"field", "provider"}});
    }
    return PromptOutput{
        "Connect " + provider,
        json::array({user_text(fmt::format(
            "Help me connect my {} account. Call get_connection_status with provider \"{}\" and tell me whether it is "
            "configured on this server and already connected; if it is not, explain what I need to do next.",
            provider, provider))}),
        {}};
  };
  return p;
}

}  // namespace

Result<void> register_product_catalog(Catalog& catalog, const Registry& registry) {
  if (auto r = add_tool_resource(catalog, registry, "pierre://configuration/catalog", "configuration-catalog",
                                 "Training and physiology parameters with units, ranges, defaults and sources",
                                 "get_configuration_catalog");
      !r) {
    return r;
  }
  if (auto r = add_tool_resource(catalog, registry, "pierre://connections", "connections",
                                 "Which fitness providers are configured and connected", "get_connection_status");
      !r) {
    return r;
  }
  for (auto prompt : {training_review(), race_readiness(), connect_provider()}) {
    if (auto r = catalog.add_prompt(std::move(prompt)); !r) return r;
  }
  return {};
}

}  // namespace pierre::tools
