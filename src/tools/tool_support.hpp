#pragma once
// Shared by the tool groups (private to tools/): the caller as an activity owner, argument helpers, the per-activity
// training load and metrics the analytics tools build on, privacy of coordinates, and small JSON Schema builders.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/activity/model.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/core/error.hpp"
#include "pierre/core/time.hpp"
#include "pierre/intelligence/load.hpp"
#include "pierre/intelligence/zones.hpp"
#include "pierre/profile/service.hpp"
#include "pierre/providers/sync.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::tools::support {

// The annotations of a tool that only reads the caller's data.
inline const Annotations kReadOnly{.read_only = true, .destructive = false, .idempotent = true, .open_world = false};

// The signed-in caller; auth_required (a tool error) for an anonymous caller.
Result<activity::Owner> caller(const CallContext& context, std::string_view what = "read your activities");

// An activity of the caller, or resource_not_found naming the id (another user's id is unknown too).
Result<activity::Activity> find_activity(activity::Service& activities, const activity::Owner& owner,
                                         const std::string& id);
// An activity's samples: stored ones, else — for an activity synced from a provider, whose details are fetched
// lazily — from the provider through `sync` (null: stored only). A connection that needs re-authorisation is an
// error the caller shows; other provider failures (rate limit, outage) leave the activity without samples.
Result<std::optional<activity::Streams>> samples(activity::Service& activities, providers::SyncEngine* sync,
                                                 const activity::Owner& owner, const activity::Activity& activity);

// "week" 7, "month" 30, "quarter" 90, "sixmonths" 182, "year" 365, "last_90_days" 90, "all_time" 3650 (ten years);
// invalid_input otherwise.
Result<int> timeframe_days(const std::string& timeframe);

// A sport argument in our words (run, virtual_ride…) or a provider's (Run, VirtualRide…); absent or null → nullopt;
// an unknown word → invalid_input naming the field.
Result<std::optional<activity::SportType>> sport_argument(const nlohmann::json& arguments,
                                                          const char* field = "sport_type");

// YYYY-MM-DD or RFC 3339 → epoch ms; invalid_format naming the field.
Result<std::int64_t> parse_time_argument(const nlohmann::json& arguments, const char* field);

// An activity's start on its local clock (UTC when its offset is unknown), epoch ms; and that day, days since the
// epoch.
std::int64_t local_start_ms(const activity::Activity& a);
std::int64_t local_day(const activity::Activity& a);
// The tail of a history (oldest first) that starts at or after start_ms.
std::span<const activity::Activity> since(std::span<const activity::Activity> history, std::int64_t start_ms);
std::string day_text(std::int64_t day);  // YYYY-MM-DD

// Training stress of one activity from its summary, in TSS points (one hour at threshold = 100), by the first
// method the data supports: power TSS (NP + FTP), hrTSS (average HR, HR profile + LTHR), rTSS (running speed +
// threshold pace); method "none" and 0 when none applies.
struct LoadEstimate {
  double tss = 0;
  std::string_view method;  // "power_tss" | "hr_tss" | "running_tss" | "none"
};
LoadEstimate estimate_load(const activity::Activity& a, const profile::AthleteProfile& athlete);

// Daily loads of a history (summed per local day) and how many activities each method scored.
struct DailyLoads {
  std::vector<intelligence::DailyLoad> days;
  std::map<std::string, int, std::less<>> methods;
};
DailyLoads daily_loads(std::span<const activity::Activity> history, const profile::AthleteProfile& athlete);

// Every metric the data of one activity supports (streams optional), unit-suffixed names, each method named.
nlohmann::json activity_metrics(const activity::Activity& a, const activity::Streams* streams,
                                const profile::AthleteProfile& athlete);

// Heart-rate zones by the user's configured method (hr_zone_method), falling back to what the profile supports.
std::optional<intelligence::ZoneSet> heart_rate_zones(const profile::AthleteProfile& athlete,
                                                      activity::SportType sport);

// A point safe to show: nullopt inside one of the user's privacy zones, otherwise rounded to 2 decimals (~1 km).
struct LatLon {
  double latitude = 0;
  double longitude = 0;
};
std::optional<LatLon> public_location(double latitude, double longitude, std::span<const profile::PrivacyZone> zones);
// The first recorded position of the streams, if any.
std::optional<LatLon> start_location(const activity::Streams& streams);

double round_to(double value, int decimals);

// JSON Schema builders (keep schemas readable beside their handlers).
nlohmann::json number_schema(std::string description = {});
nlohmann::json integer_schema(std::string description = {});
nlohmann::json string_schema(std::string description = {});
nlohmann::json nullable_number();
nlohmann::json object_schema(nlohmann::json properties, std::vector<std::string> required = {},
                             bool additional = false);
nlohmann::json array_of(nlohmann::json items);
// Pierre's optional `provider` argument: accepted for compatibility; our store holds every provider's activities.
nlohmann::json provider_argument();

}  // namespace pierre::tools::support
