#pragma once
// activity::Service — the local, per-user activity store every tool, REST route and import goes through.
//
// Import: bytes → decode (FIT/GPX/TCX) → one activity per session → store(). A file the decoder found truncated is
// refused whole (nothing partial is stored). store() de-duplicates, in one transaction per call:
//   1. same (source, external_id) for this user → the existing activity (a re-import, a re-sync);
//   2. otherwise a start within ±60 s and an elapsed time within max(60 s, 2 %) of an existing activity of this user
//      → that activity (the same workout from another source — e.g. the watch file and the Strava copy).
// Queries are keyset-paginated on (start_time, id), newest first, with opaque cursors bound to the tenant and the
// filters (store/pagination.hpp), so a page walk sees every activity exactly once even while others are added.
// Every call is scoped to one owner (tenant + user): another user's id behaves exactly like an unknown id.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/activity/import.hpp"
#include "pierre/activity/model.hpp"
#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"

namespace pierre::activity {

struct Owner {
  std::string tenant_id;
  std::string user_id;
};

struct ListQuery {
  std::size_t limit = 50;  // 1..200
  std::string cursor;      // next_cursor of the previous page
  std::optional<SportType> sport;
  std::optional<std::int64_t> after_ms;   // start_time >= after
  std::optional<std::int64_t> before_ms;  // start_time < before
  std::optional<std::string> source;      // "file", "demo", "strava"…
};

struct ActivityPage {
  std::vector<Activity> activities;
  std::optional<std::string> next_cursor;
};

struct Stored {
  Activity activity;             // as stored (with its id)
  bool created = false;          // false: a duplicate of `activity`
  std::string duplicate_reason;  // "same_source_id" | "same_start_and_duration"
};

struct ImportReport {
  std::vector<Stored> activities;
  std::vector<std::string> warnings;
};

enum class Period { week, month, year };
struct PeriodTotals {
  std::string period_start;  // YYYY-MM-DD in the activity's local calendar when its UTC offset is known, else UTC;
                             // weeks start on Monday
  std::int64_t count = 0;
  double distance_m = 0;
  double moving_time_s = 0;
  double elapsed_time_s = 0;
  double total_ascent_m = 0;
};

class Service {
 public:
  static constexpr std::size_t kMaxPageSize = 200;
  static constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;

  Service(store::Database& db, store::CursorCodec cursors);

  Result<ImportReport> import_file(const Owner& owner, std::span<const std::uint8_t> bytes, std::string_view filename);
  Result<std::vector<Stored>> store(const Owner& owner, std::vector<NewActivity> items);

  Result<ActivityPage> list(const Owner& owner, const ListQuery& query);
  // Every activity (without laps) starting in [after_ms, before_ms), oldest first, in one query: what the analytics
  // read (training load, trends, estimates). At most kMaxHistory activities: more is resource_exhausted, so a caller
  // never silently analyses a truncated history.
  static constexpr std::size_t kMaxHistory = 50'000;
  Result<std::vector<Activity>> history(const Owner& owner, std::int64_t after_ms, std::int64_t before_ms,
                                        std::optional<SportType> sport = {});
  Result<std::optional<Activity>> get(const Owner& owner, std::string_view id);
  Result<std::optional<Streams>> streams(const Owner& owner, std::string_view id);
  Result<bool> remove(const Owner& owner, std::string_view id);

  // A synced activity's laps and samples, fetched after its summary (providers list summaries; the details come
  // when a tool needs them): they replace what was stored, in one transaction. false when the activity is absent.
  Result<bool> attach_detail(const Owner& owner, std::string_view id, const std::vector<Lap>& laps,
                             const Streams& streams);
  // The activity a source knows by this id (a provider's webhook names its own ids).
  Result<std::optional<Activity>> find_by_source(const Owner& owner, std::string_view source,
                                                 std::string_view external_id);
  // Deletes every activity from one source (a provider disconnected with delete_data); how many.
  Result<std::int64_t> remove_source(const Owner& owner, std::string_view source);
  Result<std::vector<PeriodTotals>> totals(const Owner& owner, Period period, std::optional<SportType> sport,
                                           std::optional<std::int64_t> after_ms, std::optional<std::int64_t> before_ms);
  Result<std::int64_t> count(const Owner& owner);

 private:
  Result<std::vector<Stored>> store_once(const Owner& owner, const std::vector<NewActivity>& items);

  store::Database& db_;
  store::CursorCodec cursors_;
};

// Wire shapes: unit-suffixed names, RFC 3339 UTC times.
// `laps` (the lap summaries) only with_laps; `lap_count` always. Lists (ActivityPage) hold no laps.
nlohmann::json to_json(const Activity& activity, bool with_laps = true);
nlohmann::json to_json(const Streams& streams);
nlohmann::json to_json(const PeriodTotals& totals);
std::string_view period_name(Period period) noexcept;
std::optional<Period> period_from_name(std::string_view name) noexcept;

}  // namespace pierre::activity
