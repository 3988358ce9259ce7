#include "pierre/activity/service.hpp"

#include <chrono>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "stream_codec.hpp"

namespace pierre::activity {
namespace {

constexpr std::int64_t kSameStartWindowMs = 60'000;
constexpr const char* kColumns =
    "id, source, external_id, sport_type, name, device, group_id, start_time, utc_offset_s, elapsed_time_s, "
    "moving_time_s, distance_m, total_ascent_m, total_descent_m, avg_hr_bpm, max_hr_bpm, avg_power_w, max_power_w, "
    "normalized_power_w, avg_cadence_rpm, avg_speed_mps, max_speed_mps, calories_kcal, lap_count, created_at, laps";
// Lists carry summaries only: reading and decoding every activity's laps dominated a ten-year walk
// (bench/activity_bench), so a list stops before the laps column and leaves the laps to get().
constexpr const char* kListColumns =
    "id, source, external_id, sport_type, name, device, group_id, start_time, utc_offset_s, elapsed_time_s, "
    "moving_time_s, distance_m, total_ascent_m, total_descent_m, avg_hr_bpm, max_hr_bpm, avg_power_w, max_power_w, "
    "normalized_power_w, avg_cadence_rpm, avg_speed_mps, max_speed_mps, calories_kcal, lap_count, created_at";

std::string new_activity_id() {
  return "act_" + crypto::base64url_encode(crypto::random_bytes(12));
}

// Optional numbers: NaN and infinities are "unknown" on the wire and in the database.
std::optional<double> clean(std::optional<double> v) {
  return v && std::isfinite(*v) ? v : std::nullopt;
}
double clean(double v) {
  return std::isfinite(v) ? v : 0.0;
}

nlohmann::json optional_json(const std::optional<double>& v) {
  const auto c = clean(v);
  return c ? nlohmann::json(*c) : nlohmann::json(nullptr);
}

void summary_to_json(nlohmann::json& j, const Summary& s) {
  j["start_time"] = iso8601_ms(s.start_time_ms);
  j["utc_offset_s"] = s.utc_offset_s ? nlohmann::json(*s.utc_offset_s) : nlohmann::json(nullptr);
  j["elapsed_time_s"] = clean(s.elapsed_time_s);
  j["moving_time_s"] = clean(s.moving_time_s);
  j["distance_m"] = clean(s.distance_m);
  j["total_ascent_m"] = optional_json(s.total_ascent_m);
  j["total_descent_m"] = optional_json(s.total_descent_m);
  j["avg_hr_bpm"] = optional_json(s.avg_hr_bpm);
  j["max_hr_bpm"] = optional_json(s.max_hr_bpm);
  j["avg_power_w"] = optional_json(s.avg_power_w);
  j["max_power_w"] = optional_json(s.max_power_w);
  j["normalized_power_w"] = optional_json(s.normalized_power_w);
  j["avg_cadence_rpm"] = optional_json(s.avg_cadence_rpm);
  j["avg_speed_mps"] = optional_json(s.avg_speed_mps);
  j["max_speed_mps"] = optional_json(s.max_speed_mps);
  j["calories_kcal"] = optional_json(s.calories_kcal);
}

// Laps are stored as the same JSON they are served as, with epoch ms alongside for reading back.
nlohmann::json laps_to_storage(const std::vector<Lap>& laps) {
  auto out = nlohmann::json::array();
  for (const auto& lap : laps) {
    nlohmann::json j;
    summary_to_json(j, lap.summary);
    j["start_time_ms"] = lap.summary.start_time_ms;
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<double> json_number(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_number() ? std::optional(it->get<double>()) : std::nullopt;
}

std::vector<Lap> laps_from_storage(const std::string& text) {
  std::vector<Lap> laps;
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_array()) return laps;
  for (const auto& j : parsed) {
    Lap lap;
    auto& s = lap.summary;
    s.start_time_ms = static_cast<std::int64_t>(json_number(j, "start_time_ms").value_or(0));
    s.elapsed_time_s = json_number(j, "elapsed_time_s").value_or(0);
    s.moving_time_s = json_number(j, "moving_time_s").value_or(0);
    s.distance_m = json_number(j, "distance_m").value_or(0);
    s.total_ascent_m = json_number(j, "total_ascent_m");
    s.total_descent_m = json_number(j, "total_descent_m");
    s.avg_hr_bpm = json_number(j, "avg_hr_bpm");
    s.max_hr_bpm = json_number(j, "max_hr_bpm");
    s.avg_power_w = json_number(j, "avg_power_w");
    s.max_power_w = json_number(j, "max_power_w");
    s.normalized_power_w = json_number(j, "normalized_power_w");
    s.avg_cadence_rpm = json_number(j, "avg_cadence_rpm");
    s.avg_speed_mps = json_number(j, "avg_speed_mps");
    s.max_speed_mps = json_number(j, "max_speed_mps");
    s.calories_kcal = json_number(j, "calories_kcal");
    laps.push_back(std::move(lap));
  }
  return laps;
}

Result<Activity> activity_from_row(const store::Row& r) {
  Activity a;
  auto text = [&](const char* col, std::string& out) -> bool {
    auto v = r.get<std::string>(col);
    if (!v) return false;
    out = std::move(*v);
    return true;
  };
  std::string sport;
  std::string laps;
  const bool with_laps = r.find("laps") != nullptr;
  if (!text("id", a.id) || !text("source", a.source) || !text("external_id", a.external_id) ||
      !text("sport_type", sport) || !text("name", a.name) || !text("device", a.device) ||
      (with_laps && !text("laps", laps))) {
    return fail(ErrorCode::database_error, "malformed activity row");
  }
  a.sport = sport_from_name(sport).value_or(SportType::other);
  auto group = r.get<std::optional<std::string>>("group_id");
  auto start = r.get<std::int64_t>("start_time");
  auto offset = r.get<std::optional<std::int64_t>>("utc_offset_s");
  auto created = r.get<std::int64_t>("created_at");
  auto elapsed = r.get<double>("elapsed_time_s");
  auto moving = r.get<double>("moving_time_s");
  auto distance = r.get<double>("distance_m");
  if (!group || !start || !offset || !created || !elapsed || !moving || !distance) {
    return fail(ErrorCode::database_error, "malformed activity row");
  }
  a.group_id = *group;
  a.created_at_ms = *created;
  auto& s = a.summary;
  s.start_time_ms = *start;
  if (*offset) s.utc_offset_s = static_cast<std::int32_t>(**offset);
  s.elapsed_time_s = *elapsed;
  s.moving_time_s = *moving;
  s.distance_m = *distance;
  const auto opt = [&](const char* col, std::optional<double>& out) {
    auto v = r.get<std::optional<double>>(col);
    if (v) out = *v;
  };
  opt("total_ascent_m", s.total_ascent_m);
  opt("total_descent_m", s.total_descent_m);
  opt("avg_hr_bpm", s.avg_hr_bpm);
  opt("max_hr_bpm", s.max_hr_bpm);
  opt("avg_power_w", s.avg_power_w);
  opt("max_power_w", s.max_power_w);
  opt("normalized_power_w", s.normalized_power_w);
  opt("avg_cadence_rpm", s.avg_cadence_rpm);
  opt("avg_speed_mps", s.avg_speed_mps);
  opt("max_speed_mps", s.max_speed_mps);
  opt("calories_kcal", s.calories_kcal);
  a.lap_count = static_cast<std::size_t>(std::max<std::int64_t>(0, r.get<std::int64_t>("lap_count").value_or(0)));
  if (with_laps) a.laps = laps_from_storage(laps);
  return a;
}

Result<std::optional<Activity>> load(const store::TenantScope& scope, const std::string& user_id, std::string_view id) {
  auto row = scope.query_row(fmt::format("SELECT {} FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND "
                                         "id = ?2",
                                         kColumns),
                             {user_id, std::string(id)});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Activity>{};
  auto a = activity_from_row(**row);
  if (!a) return std::unexpected(a.error());
  return std::optional<Activity>{std::move(*a)};
}

std::string day_string(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string period_start(Period period, std::int64_t start_ms, std::optional<std::int32_t> offset_s) {
  using namespace std::chrono;
  const auto local_ms = start_ms + std::int64_t{offset_s.value_or(0)} * 1000;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(local_ms)));
  const year_month_day ymd(day);
  switch (period) {
    case Period::week: {
      const weekday wd(day);
      const auto since_monday = (wd.c_encoding() + 6) % 7;  // Monday = 0
      return day_string(day - days(since_monday));
    }
    case Period::month: return day_string(sys_days(ymd.year() / ymd.month() / 1));
    case Period::year: return day_string(sys_days(ymd.year() / January / 1));
  }
  return day_string(day);
}

}  // namespace

Service::Service(store::Database& db, store::CursorCodec cursors) : db_(db), cursors_(std::move(cursors)) {}

Result<ImportReport> Service::import_file(const Owner& owner, std::span<const std::uint8_t> bytes,
                                          std::string_view filename) {
  if (bytes.empty()) return fail(ErrorCode::invalid_input, "the file is empty");
  if (bytes.size() > kMaxFileBytes) {
    return fail(ErrorCode::payload_too_large,
                fmt::format("files larger than {} MB are not accepted", kMaxFileBytes >> 20U));
  }
  auto recording = decode_activity_file(bytes, filename);
  if (!recording) return std::unexpected(recording.error());
  // A damaged file is refused whole: storing the part before the damage would leave a short activity that a later
  // good copy could not replace (it would be its duplicate).
  for (const auto& w : recording->warnings) {
    if (w.find("truncat") != std::string::npos || w.find("unexpected end") != std::string::npos) {
      return fail(ErrorCode::invalid_format, "the file is truncated: " + w, {{"reason", w}});
    }
  }
  const auto digest = crypto::sha256(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
  auto items = activities_from_recording(*recording, crypto::hex_encode(digest));
  if (items.empty()) {
    // Settings, workouts, routes…: valid files, but nothing was recorded. Say what the decoder saw.
    const auto why =
        recording->warnings.empty() ? std::string("no session and no samples") : recording->warnings.back();
    return fail(ErrorCode::invalid_format, "the file holds no activity: " + why, {{"reason", why}});
  }
  auto stored = store(owner, std::move(items));
  if (!stored) return std::unexpected(stored.error());
  return ImportReport{std::move(*stored), recording->warnings};
}

Result<std::vector<Stored>> Service::store(const Owner& owner, std::vector<NewActivity> items) {
  // Two imports of the same file at once: the loser hits the unique (source, external_id) index. Its transaction is
  // gone, so it runs again, and now finds the winner's rows as duplicates.
  auto first = store_once(owner, items);
  if (first || first.error().code != ErrorCode::resource_already_exists) return first;
  return store_once(owner, items);
}

Result<std::vector<Stored>> Service::store_once(const Owner& owner, const std::vector<NewActivity>& items) {
  if (owner.tenant_id.empty() || owner.user_id.empty()) return fail(ErrorCode::internal_error, "no owner");
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto scope = txn->tenant(store::TenantId(owner.tenant_id));
  std::vector<Stored> out;
  const auto now = now_epoch_ms();
  for (const auto& item : items) {
    // The streams are only read (encoded); the summary is copied so a retry starts from the same items.
    Activity a = item.activity;
    const auto& s = a.summary;
    // 1. The same activity from the same source.
    auto same = scope.query_row(
        "SELECT id FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND source = ?2 AND external_id = ?3",
        {owner.user_id, a.source, a.external_id});
    if (!same) return std::unexpected(same.error());
    std::string duplicate_of;
    std::string reason;
    if (same->has_value()) {
      duplicate_of = (*same)->get<std::string>("id").value_or("");
      reason = "same_source_id";
    } else {
      // 2. The same workout recorded elsewhere: start within ±60 s, elapsed within max(60 s, 2 %).
      const double tolerance = std::max(60.0, 0.02 * clean(s.elapsed_time_s));
      std::string sql =
          "SELECT id FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND start_time >= ?2 AND "
          "start_time <= ?3 AND elapsed_time_s >= ?4 AND elapsed_time_s <= ?5";
      store::Params params{owner.user_id, s.start_time_ms - kSameStartWindowMs, s.start_time_ms + kSameStartWindowMs,
                           clean(s.elapsed_time_s) - tolerance, clean(s.elapsed_time_s) + tolerance};
      // Another session of the same recording (a short multisport leg right after a short transition) is never
      // "the same workout from another source".
      if (a.group_id) {
        params.emplace_back(*a.group_id);
        sql += " AND (group_id IS NULL OR group_id <> ?6)";
      }
      auto near = scope.query_row(sql + " ORDER BY start_time LIMIT 1", std::move(params));
      if (!near) return std::unexpected(near.error());
      if (near->has_value()) {
        duplicate_of = (*near)->get<std::string>("id").value_or("");
        reason = "same_start_and_duration";
      }
    }
    if (!duplicate_of.empty()) {
      auto existing = load(scope, owner.user_id, duplicate_of);
      if (!existing) return std::unexpected(existing.error());
      if (!existing->has_value()) return fail(ErrorCode::database_error, "duplicate vanished");
      out.push_back(Stored{std::move(**existing), false, reason});
      continue;
    }
    a.id = new_activity_id();
    a.created_at_ms = now;
    auto inserted = scope.execute(
        "INSERT INTO activities (tenant_id, id, user_id, source, external_id, sport_type, name, device, group_id, "
        "start_time, utc_offset_s, elapsed_time_s, moving_time_s, distance_m, total_ascent_m, total_descent_m, "
        "avg_hr_bpm, max_hr_bpm, avg_power_w, max_power_w, normalized_power_w, avg_cadence_rpm, avg_speed_mps, "
        "max_speed_mps, calories_kcal, laps, sample_count, created_at, lap_count) VALUES (:tenant, ?1, ?2, ?3, ?4, ?5, "
        "?6, "
        "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
        {a.id,
         owner.user_id,
         a.source,
         a.external_id,
         std::string(sport_name(a.sport)),
         a.name,
         a.device,
         a.group_id,
         s.start_time_ms,
         s.utc_offset_s ? store::Value(std::int64_t{*s.utc_offset_s}) : store::Value(),
         clean(s.elapsed_time_s),
         clean(s.moving_time_s),
         clean(s.distance_m),
         clean(s.total_ascent_m),
         clean(s.total_descent_m),
         clean(s.avg_hr_bpm),
         clean(s.max_hr_bpm),
         clean(s.avg_power_w),
         clean(s.max_power_w),
         clean(s.normalized_power_w),
         clean(s.avg_cadence_rpm),
         clean(s.avg_speed_mps),
         clean(s.max_speed_mps),
         clean(s.calories_kcal),
         laps_to_storage(a.laps).dump(),
         static_cast<std::int64_t>(item.streams.size()),
         now,
         static_cast<std::int64_t>(a.laps.size())});
    if (!inserted) return std::unexpected(inserted.error());
    if (!item.streams.empty()) {
      auto blob = encode_streams(item.streams);
      auto r = scope.execute("INSERT INTO activity_streams (tenant_id, activity_id, data) VALUES (:tenant, ?1, ?2)",
                             {a.id, store::Blob(std::move(blob))});
      if (!r) return std::unexpected(r.error());
    }
    out.push_back(Stored{std::move(a), true, {}});
  }
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return out;
}

Result<ActivityPage> Service::list(const Owner& owner, const ListQuery& query) {
  if (query.limit < 1 || query.limit > kMaxPageSize) {
    return fail(ErrorCode::value_out_of_range, fmt::format("limit must be between 1 and {}", kMaxPageSize),
                {{"field", "limit"}, {"max", kMaxPageSize}});
  }
  store::KeysetQuery q;
  q.select = fmt::format("SELECT {} FROM activities WHERE tenant_id = :tenant AND user_id = ?1", kListColumns);
  q.params.emplace_back(owner.user_id);
  // The list name carries the filters, so a cursor only continues the walk it came from.
  std::string list = "activities";
  const auto add = [&](const char* condition, store::Value v, const std::string& label) {
    q.params.push_back(std::move(v));
    q.select += fmt::format(" AND {} ?{}", condition, q.params.size());
    list += "&" + label;
  };
  if (query.sport)
    add("sport_type =", std::string(sport_name(*query.sport)), "sport=" + std::string(sport_name(*query.sport)));
  if (query.after_ms) add("start_time >=", *query.after_ms, "after=" + std::to_string(*query.after_ms));
  if (query.before_ms) add("start_time <", *query.before_ms, "before=" + std::to_string(*query.before_ms));
  if (query.source) add("source =", *query.source, "source=" + *query.source);
  q.list = list + "&user=" + owner.user_id;
  q.sort_column = "start_time";
  q.id_column = "id";
  q.order = store::SortOrder::descending;
  q.limit = query.limit;
  q.after = query.cursor;
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto page = store::fetch_page(scope, cursors_, q);
  if (!page) return std::unexpected(page.error());
  ActivityPage out;
  out.next_cursor = std::move(page->next_cursor);
  out.activities.reserve(page->items.size());
  for (const auto& row : page->items) {
    auto a = activity_from_row(row);
    if (!a) return std::unexpected(a.error());
    out.activities.push_back(std::move(*a));
  }
  return out;
}

Result<std::vector<Activity>> Service::history(const Owner& owner, std::int64_t after_ms, std::int64_t before_ms,
                                               std::optional<SportType> sport) {
  std::vector<Activity> out;
  if (before_ms <= after_ms) return out;
  std::string sql = fmt::format(
      "SELECT {} FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND start_time >= ?2 AND start_time < ?3",
      kListColumns);
  store::Params params{owner.user_id, after_ms, before_ms};
  if (sport) {
    sql += " AND sport_type = ?4";
    params.emplace_back(std::string(sport_name(*sport)));
  }
  sql += fmt::format(" ORDER BY start_time, id LIMIT {}", kMaxHistory + 1);
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto rows = scope.query(sql, std::move(params));
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows.size() > kMaxHistory) {
    return fail(ErrorCode::value_out_of_range,
                fmt::format("more than {} activities in this period: choose a shorter one", kMaxHistory));
  }
  out.reserve(rows->rows.size());
  for (const auto& row : rows->rows) {
    auto a = activity_from_row(row);
    if (!a) return std::unexpected(a.error());
    out.push_back(std::move(*a));
  }
  return out;
}

Result<std::optional<Activity>> Service::get(const Owner& owner, std::string_view id) {
  if (id.empty() || id.size() > 64) return std::optional<Activity>{};
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  return load(scope, owner.user_id, id);
}

Result<std::optional<Streams>> Service::streams(const Owner& owner, std::string_view id) {
  if (id.empty() || id.size() > 64) return std::optional<Streams>{};
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row(
      "SELECT s.data AS data FROM activity_streams s JOIN activities a ON a.tenant_id = :tenant AND a.id = "
      "s.activity_id WHERE s.tenant_id = :tenant AND a.user_id = ?1 AND s.activity_id = ?2",
      {owner.user_id, std::string(id)});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Streams>{};
  auto blob = (*row)->get<store::Blob>("data");
  if (!blob) return std::unexpected(blob.error());
  auto decoded = decode_streams(*blob);
  if (!decoded) return fail(ErrorCode::storage_error, "the stored streams of this activity cannot be read");
  return std::optional<Streams>{std::move(*decoded)};
}

Result<bool> Service::remove(const Owner& owner, std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto scope = txn->tenant(store::TenantId(owner.tenant_id));
  auto existing = load(scope, owner.user_id, id);
  if (!existing) return std::unexpected(existing.error());
  if (!existing->has_value()) return false;
  if (auto r = scope.execute("DELETE FROM activity_streams WHERE tenant_id = :tenant AND activity_id = ?1",
                             {std::string(id)});
      !r) {
    return std::unexpected(r.error());
  }
  auto r = scope.execute("DELETE FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND id = ?2",
                         {owner.user_id, std::string(id)});
  if (!r) return std::unexpected(r.error());
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return *r > 0;
}

Result<bool> Service::attach_detail(const Owner& owner, std::string_view id, const std::vector<Lap>& laps,
                                    const Streams& streams) {
  if (id.empty() || id.size() > 64) return false;
  auto blob = streams.empty() ? store::Blob{} : encode_streams(streams);
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto scope = txn->tenant(store::TenantId(owner.tenant_id));
  auto updated = scope.execute(
      "UPDATE activities SET laps = ?1, lap_count = ?2, sample_count = ?3 WHERE tenant_id = :tenant AND "
      "user_id = ?4 AND id = ?5",
      {laps_to_storage(laps).dump(), static_cast<std::int64_t>(laps.size()), static_cast<std::int64_t>(streams.size()),
       owner.user_id, std::string(id)});
  if (!updated) return std::unexpected(updated.error());
  if (*updated == 0) return false;
  if (auto r = scope.execute("DELETE FROM activity_streams WHERE tenant_id = :tenant AND activity_id = ?1",
                             {std::string(id)});
      !r) {
    return std::unexpected(r.error());
  }
  if (!blob.empty()) {
    auto r = scope.execute("INSERT INTO activity_streams (tenant_id, activity_id, data) VALUES (:tenant, ?1, ?2)",
                           {std::string(id), std::move(blob)});
    if (!r) return std::unexpected(r.error());
  }
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return true;
}

Result<std::optional<Activity>> Service::find_by_source(const Owner& owner, std::string_view source,
                                                        std::string_view external_id) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row(fmt::format("SELECT {} FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND "
                                         "source = ?2 AND external_id = ?3",
                                         kColumns),
                             {owner.user_id, std::string(source), std::string(external_id)});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Activity>{};
  auto a = activity_from_row(**row);
  if (!a) return std::unexpected(a.error());
  return std::optional<Activity>{std::move(*a)};
}

Result<std::int64_t> Service::remove_source(const Owner& owner, std::string_view source) {
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  auto scope = txn->tenant(store::TenantId(owner.tenant_id));
  auto streams = scope.execute(
      "DELETE FROM activity_streams WHERE tenant_id = :tenant AND activity_id IN (SELECT id FROM activities WHERE "
      "tenant_id = :tenant AND user_id = ?1 AND source = ?2)",
      {owner.user_id, std::string(source)});
  if (!streams) return std::unexpected(streams.error());
  auto removed = scope.execute("DELETE FROM activities WHERE tenant_id = :tenant AND user_id = ?1 AND source = ?2",
                               {owner.user_id, std::string(source)});
  if (!removed) return std::unexpected(removed.error());
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return *removed;
}

Result<std::vector<PeriodTotals>> Service::totals(const Owner& owner, Period period, std::optional<SportType> sport,
                                                  std::optional<std::int64_t> after_ms,
                                                  std::optional<std::int64_t> before_ms) {
  std::string sql =
      "SELECT start_time, utc_offset_s, distance_m, moving_time_s, elapsed_time_s, total_ascent_m FROM activities "
      "WHERE tenant_id = :tenant AND user_id = ?1";
  store::Params params{owner.user_id};
  if (sport) {
    params.emplace_back(std::string(sport_name(*sport)));
    sql += fmt::format(" AND sport_type = ?{}", params.size());
  }
  if (after_ms) {
    params.emplace_back(*after_ms);
    sql += fmt::format(" AND start_time >= ?{}", params.size());
  }
  if (before_ms) {
    params.emplace_back(*before_ms);
    sql += fmt::format(" AND start_time < ?{}", params.size());
  }
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto rows = scope.query(sql, std::move(params));
  if (!rows) return std::unexpected(rows.error());
  std::map<std::string, PeriodTotals> buckets;
  for (const auto& r : rows->rows) {
    auto start = r.get<std::int64_t>("start_time");
    auto offset = r.get<std::optional<std::int64_t>>("utc_offset_s");
    if (!start || !offset) return fail(ErrorCode::database_error, "malformed activity row");
    const auto key = period_start(
        period, *start, *offset ? std::optional<std::int32_t>(static_cast<std::int32_t>(**offset)) : std::nullopt);
    auto& b = buckets[key];
    b.period_start = key;
    ++b.count;
    b.distance_m += r.get<double>("distance_m").value_or(0);
    b.moving_time_s += r.get<double>("moving_time_s").value_or(0);
    b.elapsed_time_s += r.get<double>("elapsed_time_s").value_or(0);
    b.total_ascent_m += r.get<std::optional<double>>("total_ascent_m").value_or(std::nullopt).value_or(0);
  }
  std::vector<PeriodTotals> out;
  out.reserve(buckets.size());
  for (auto& [key, totals] : buckets) out.push_back(std::move(totals));
  return out;
}

Result<std::int64_t> Service::count(const Owner& owner) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row("SELECT COUNT(*) AS n FROM activities WHERE tenant_id = :tenant AND user_id = ?1",
                             {owner.user_id});
  if (!row) return std::unexpected(row.error());
  return row->has_value() ? (*row)->get<std::int64_t>("n").value_or(0) : 0;
}

nlohmann::json to_json(const Activity& a, bool with_laps) {
  nlohmann::json j;
  j["id"] = a.id;
  j["source"] = a.source;
  j["external_id"] = a.external_id;
  j["sport_type"] = sport_name(a.sport);
  j["name"] = a.name;
  j["device"] = a.device;
  j["group_id"] = a.group_id ? nlohmann::json(*a.group_id) : nlohmann::json(nullptr);
  summary_to_json(j, a.summary);
  j["lap_count"] = a.lap_count;
  if (!with_laps) return j;
  auto laps = nlohmann::json::array();
  for (std::size_t i = 0; i < a.laps.size(); ++i) {
    nlohmann::json lap{{"lap_index", i + 1}};
    summary_to_json(lap, a.laps[i].summary);
    laps.push_back(std::move(lap));
  }
  j["laps"] = std::move(laps);
  return j;
}

nlohmann::json to_json(const Streams& s) {
  nlohmann::json j;
  j["sample_count"] = s.size();
  const auto channel = [&](const char* name, const std::vector<double>& values) {
    if (values.size() != s.size() || values.empty()) return;
    auto arr = nlohmann::json::array();
    for (const double v : values) arr.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
    j[name] = std::move(arr);
  };
  channel("time_s", s.time_s);
  channel("distance_m", s.distance_m);
  channel("latitude_deg", s.latitude_deg);
  channel("longitude_deg", s.longitude_deg);
  channel("altitude_m", s.altitude_m);
  channel("heart_rate_bpm", s.heart_rate_bpm);
  channel("power_w", s.power_w);
  channel("cadence_rpm", s.cadence_rpm);
  channel("speed_mps", s.speed_mps);
  channel("temperature_c", s.temperature_c);
  return j;
}

nlohmann::json to_json(const PeriodTotals& t) {
  return {{"period_start", t.period_start},     {"count", t.count},
          {"distance_m", t.distance_m},         {"moving_time_s", t.moving_time_s},
          {"elapsed_time_s", t.elapsed_time_s}, {"total_ascent_m", t.total_ascent_m}};
}

std::string_view period_name(Period period) noexcept {
  switch (period) {
    case Period::week: return "week";
    case Period::month: return "month";
    case Period::year: return "year";
  }
  return "week";
}

std::optional<Period> period_from_name(std::string_view name) noexcept {
  if (name == "week") return Period::week;
  if (name == "month") return Period::month;
  if (name == "year") return Period::year;
  return std::nullopt;
}

}  // namespace pierre::activity
