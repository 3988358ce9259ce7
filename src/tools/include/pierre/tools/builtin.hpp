#pragma once
// The product's tools, one registration function per group (data, goals, analytics, configuration). Each group
// declares its tools' schemas beside their handlers in its own .cpp file.

#include <string>
#include <vector>

#include "pierre/activity/service.hpp"
#include "pierre/tools/catalog.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::tools {

// What the data tools need to know about fitness providers until the providers module supplies live state.
struct ProviderSetup {
  std::string name;         // "strava", "garmin", "fitbit"
  bool configured = false;  // OAuth client credentials present
};

Result<void> register_data_tools(Registry& registry, std::vector<ProviderSetup> providers);
Result<void> register_configuration_tools(Registry& registry);
// import_activity_file (and, with the tools issue, the activity queries) over the caller's activity store.
Result<void> register_activity_tools(Registry& registry, activity::Service& activities);
// Resources and coaching prompts; resources read through `registry`, which must outlive the catalog.
Result<void> register_product_catalog(Catalog& catalog, const Registry& registry);

}  // namespace pierre::tools
