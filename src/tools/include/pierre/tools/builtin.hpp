#pragma once
// The product's tools, one registration function per group (data, goals, analytics, configuration). Each group
// declares its tools' schemas beside their handlers in its own .cpp file.

#include <string>
#include <vector>

#include "pierre/activity/service.hpp"
#include "pierre/goals/service.hpp"
#include "pierre/profile/service.hpp"
#include "pierre/providers/connections.hpp"
#include "pierre/providers/sync.hpp"
#include "pierre/tools/catalog.hpp"
#include "pierre/tools/registry.hpp"
#include "pierre/weather/client.hpp"

namespace pierre::tools {

// get_activities (which first lets stale provider connections catch up through `sync`), get_athlete, get_stats.
Result<void> register_data_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                 providers::SyncEngine& sync);
// connect_provider, get_connection_status, disconnect_provider over the providers module.
Result<void> register_provider_tools(Registry& registry, activity::Service& activities,
                                     providers::Connections& connections, providers::SyncEngine& sync);
// The configuration catalogue, profiles, the user's configuration, personalised zones, validation.
Result<void> register_configuration_tools(Registry& registry, activity::Service& activities,
                                          profile::Service& profiles);
// import_activity_file over the caller's activity store.
Result<void> register_activity_tools(Registry& registry, activity::Service& activities);
// One activity in depth: analyze_activity, get_activity_intelligence, calculate_metrics, compare_activities.
// `weather` may be null (not configured): the tools then say so in their weather field.
// `sync` (may be null) fetches the samples of provider activities whose details were not synced yet.
Result<void> register_analysis_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                     weather::Client* weather, providers::SyncEngine* sync = nullptr);
// Over time: analyze_training_load, analyze_performance_trends, detect_patterns, generate_recommendations,
// calculate_fitness_score, predict_performance, calculate_daily_nutrition.
Result<void> register_analytics_tools(Registry& registry, activity::Service& activities, profile::Service& profiles);
// get_weather_forecast: best hours for an outdoor run or ride. `weather` may be null or unconfigured: the tool then
// answers a tool error saying weather is not configured.
// A default location inside one of the caller's privacy zones (profiles) is used but not shown.
Result<void> register_weather_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                    weather::Client* weather);
// set_goal, track_progress, suggest_goals, analyze_goal_feasibility over the caller's goals.
Result<void> register_goal_tools(Registry& registry, activity::Service& activities, profile::Service& profiles,
                                 goals::Service& goals);
// Everything the product serves, in one call, so the server, the tests and docs/TOOLS.md see the same registry.
struct ProductServices {
  activity::Service& activities;
  profile::Service& profiles;
  goals::Service& goals;
  weather::Client* weather = nullptr;
  providers::Connections& connections;
  providers::SyncEngine& sync;
};
Result<void> register_product_tools(Registry& registry, ProductServices services);
// docs/TOOLS.md: every tool with its description, annotations, parameters and output fields, from the registry.
std::string tools_markdown(const Registry& registry);

// Resources and coaching prompts; resources read through `registry`, which must outlive the catalog.
Result<void> register_product_catalog(Catalog& catalog, const Registry& registry);

}  // namespace pierre::tools
