#include "pierre/goals/service.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/intelligence/performance.hpp"

namespace pierre::goals {
namespace {

constexpr std::int64_t kWeekMs = 7 * kDayMs;
constexpr double kMaxTargetValue = 1e9;
constexpr double kMaxFtpW = 2000;
constexpr const char* kColumns =
    "id, title, description, goal_type, sport_type, target_value, target_distance_m, baseline_value, start_date, "
    "target_date, status, achieved_at, created_at, updated_at";

std::string new_goal_id() {
  return "goal_" + crypto::base64url_encode(crypto::random_bytes(12));
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// Characters, not bytes, for the length limits people read.
std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::ranges::count_if(s, [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

Result<Goal> goal_from_row(const store::Row& r) {
  Goal g;
  auto id = r.get<std::string>("id");
  auto title = r.get<std::string>("title");
  auto description = r.get<std::string>("description");
  auto type = r.get<std::string>("goal_type");
  auto sport = r.get<std::optional<std::string>>("sport_type");
  auto target = r.get<double>("target_value");
  auto distance = r.get<std::optional<double>>("target_distance_m");
  auto baseline = r.get<std::optional<double>>("baseline_value");
  auto start = r.get<std::string>("start_date");
  auto target_date = r.get<std::string>("target_date");
  auto status = r.get<std::string>("status");
  auto achieved = r.get<std::optional<std::int64_t>>("achieved_at");
  auto created = r.get<std::int64_t>("created_at");
  auto updated = r.get<std::int64_t>("updated_at");
  if (!id || !title || !description || !type || !sport || !target || !distance || !baseline || !start || !target_date ||
      !status || !achieved || !created || !updated) {
    return fail(ErrorCode::database_error, "malformed goal row");
  }
  const auto parsed_type = goal_type_from_name(*type);
  const auto parsed_status = goal_status_from_name(*status);
  if (!parsed_type || !parsed_status) return fail(ErrorCode::database_error, "malformed goal row");
  g.id = std::move(*id);
  g.title = std::move(*title);
  g.description = std::move(*description);
  g.type = *parsed_type;
  if (*sport) g.sport = activity::sport_from_name(**sport);
  g.target_value = *target;
  g.target_distance_m = *distance;
  g.baseline_value = *baseline;
  g.start_date = std::move(*start);
  g.target_date = std::move(*target_date);
  g.status = *parsed_status;
  g.achieved_at_ms = *achieved;
  g.created_at_ms = *created;
  g.updated_at_ms = *updated;
  return g;
}

}  // namespace

Service::Service(store::Database& db, activity::Service& activities, profile::Service& profiles,
                 intelligence::FeasibilityOptions options)
    : db_(db), activities_(activities), profiles_(profiles), options_(options) {}

Result<Goal> Service::draft(const NewGoal& in, std::int64_t now_ms) {
  Goal g;
  g.title = trim(in.title);
  if (g.title.empty()) return fail(ErrorCode::invalid_input, "title must not be empty", {{"field", "title"}});
  if (utf8_length(g.title) > kMaxTitleChars) {
    return fail(ErrorCode::value_out_of_range, fmt::format("title is longer than {} characters", kMaxTitleChars),
                {{"field", "title"}, {"max", kMaxTitleChars}});
  }
  g.description = trim(in.description);
  if (utf8_length(g.description) > kMaxDescriptionChars) {
    return fail(ErrorCode::value_out_of_range,
                fmt::format("description is longer than {} characters", kMaxDescriptionChars),
                {{"field", "description"}, {"max", kMaxDescriptionChars}});
  }
  g.type = in.type;
  g.sport = in.sport;
  g.target_value = in.target_value;
  if (!std::isfinite(in.target_value) || in.target_value <= 0 || in.target_value > kMaxTargetValue) {
    return fail(ErrorCode::value_out_of_range, "target_value must be a positive number", {{"field", "target_value"}});
  }
  const auto target_day = parse_day(in.target_date);
  if (!target_day) {
    return fail(ErrorCode::invalid_format, "target_date must be a calendar date YYYY-MM-DD",
                {{"field", "target_date"}});
  }
  const auto today = day_of(now_ms);
  const auto today_ms = *parse_day(today);
  if (*target_day < today_ms) {
    return fail(ErrorCode::value_out_of_range,
                fmt::format("target_date {} is in the past (today is {} UTC)", in.target_date, today),
                {{"field", "target_date"}});
  }
  if (*target_day > today_ms + kMaxHorizonDays * kDayMs) {
    return fail(ErrorCode::value_out_of_range, "target_date is more than five years away", {{"field", "target_date"}});
  }
  g.target_date = in.target_date;
  g.start_date = today;
  if (in.target_distance_m && in.type != GoalType::race_time) {
    return fail(ErrorCode::invalid_input, "target_distance_m applies to race_time goals only",
                {{"field", "target_distance_m"}});
  }
  switch (in.type) {
    case GoalType::frequency:
      if (std::floor(in.target_value) != in.target_value) {
        return fail(ErrorCode::invalid_input, "a frequency goal counts whole sessions", {{"field", "target_value"}});
      }
      break;
    case GoalType::race_time: {
      if (!in.target_distance_m) {
        return fail(ErrorCode::missing_required_field, "a race_time goal needs target_distance_m (the race distance)",
                    {{"field", "target_distance_m"}});
      }
      if (!intelligence::vdot_from_race(*in.target_distance_m, in.target_value)) {
        return fail(ErrorCode::value_out_of_range,
                    "race-time goals cover races of 1.5–50 km lasting 3.5 minutes to 5 hours (the range of the "
                    "Daniels–Gilbert model that measures them)",
                    {{"field", "target_distance_m"}});
      }
      if (g.sport && !activity::is_running(*g.sport)) {
        return fail(ErrorCode::invalid_input, "race_time goals are running goals", {{"field", "sport_type"}});
      }
      if (!g.sport) g.sport = activity::SportType::run;
      g.target_distance_m = in.target_distance_m;
      break;
    }
    case GoalType::ftp:
      if (in.target_value > kMaxFtpW) {
        return fail(ErrorCode::value_out_of_range, fmt::format("an FTP above {:.0f} W is not plausible", kMaxFtpW),
                    {{"field", "target_value"}});
      }
      if (g.sport && !activity::is_cycling(*g.sport)) {
        return fail(ErrorCode::invalid_input, "ftp goals are cycling goals", {{"field", "sport_type"}});
      }
      if (!g.sport) g.sport = activity::SportType::ride;
      break;
    default: break;
  }
  g.created_at_ms = now_ms;
  g.updated_at_ms = now_ms;
  return g;
}

Result<Goal> Service::preview(const activity::Owner& owner, const NewGoal& in, std::int64_t now_ms) {
  auto g = draft(in, now_ms);
  if (!g) return g;
  // Where a performance goal starts from, so progress is measured along the way rather than only at the end.
  if (g->type == GoalType::race_time || g->type == GoalType::ftp) {
    auto measured = measure(owner, *g, now_ms);
    if (!measured) return std::unexpected(measured.error());
    g->baseline_value = measured->current;
  }
  return g;
}

Result<Goal> Service::create(const activity::Owner& owner, const NewGoal& in, std::int64_t now_ms) {
  if (owner.tenant_id.empty() || owner.user_id.empty()) return fail(ErrorCode::internal_error, "no owner");
  auto g = draft(in, now_ms);  // cheap checks before the count
  if (!g) return g;
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto count =
      scope.query_row("SELECT COUNT(*) AS n FROM goals WHERE tenant_id = :tenant AND user_id = ?1", {owner.user_id});
  if (!count) return std::unexpected(count.error());
  if (count->has_value() && (*count)->get<std::int64_t>("n").value_or(0) >= std::int64_t{kMaxGoalsPerUser}) {
    return fail(ErrorCode::quota_exceeded,
                fmt::format("you have {} goals, the most one account keeps: delete some first", kMaxGoalsPerUser));
  }
  g = preview(owner, in, now_ms);
  if (!g) return g;
  g->id = new_goal_id();
  auto inserted = scope.execute(
      "INSERT INTO goals (tenant_id, id, user_id, title, description, goal_type, sport_type, target_value, unit, "
      "target_distance_m, baseline_value, start_date, target_date, status, achieved_at, created_at, updated_at) "
      "VALUES (:tenant, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
      {g->id, owner.user_id, g->title, g->description, std::string(goal_type_name(g->type)),
       g->sport ? store::Value(std::string(activity::sport_name(*g->sport))) : store::Value(), g->target_value,
       std::string(unit_of(g->type)), g->target_distance_m, g->baseline_value, g->start_date, g->target_date,
       std::string(goal_status_name(g->status)), store::Value(), g->created_at_ms, g->updated_at_ms});
  if (!inserted) return std::unexpected(inserted.error());
  return g;
}

Result<std::optional<Goal>> Service::get(const activity::Owner& owner, std::string_view id) {
  if (id.empty() || id.size() > 64) return std::optional<Goal>{};
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto row = scope.query_row(
      fmt::format("SELECT {} FROM goals WHERE tenant_id = :tenant AND user_id = ?1 AND id = ?2", kColumns),
      {owner.user_id, std::string(id)});
  if (!row) return std::unexpected(row.error());
  if (!row->has_value()) return std::optional<Goal>{};
  auto g = goal_from_row(**row);
  if (!g) return std::unexpected(g.error());
  return std::optional<Goal>{std::move(*g)};
}

Result<std::vector<Goal>> Service::list(const activity::Owner& owner) {
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto rows = scope.query(
      fmt::format("SELECT {} FROM goals WHERE tenant_id = :tenant AND user_id = ?1 ORDER BY CASE WHEN status = "
                  "'active' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT {}",
                  kColumns, kMaxGoalsPerUser),
      {owner.user_id});
  if (!rows) return std::unexpected(rows.error());
  std::vector<Goal> out;
  out.reserve(rows->rows.size());
  for (const auto& row : rows->rows) {
    auto g = goal_from_row(row);
    if (!g) return std::unexpected(g.error());
    out.push_back(std::move(*g));
  }
  return out;
}

Result<std::optional<Goal>> Service::set_status(const activity::Owner& owner, std::string_view id, GoalStatus status,
                                                std::int64_t now_ms) {
  if (id.empty() || id.size() > 64) return std::optional<Goal>{};
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto updated = scope.execute(
      "UPDATE goals SET status = ?3, updated_at = ?4, achieved_at = ?5 WHERE tenant_id = :tenant AND user_id = ?1 AND "
      "id = ?2",
      {owner.user_id, std::string(id), std::string(goal_status_name(status)), now_ms,
       status == GoalStatus::achieved ? store::Value(now_ms) : store::Value()});
  if (!updated) return std::unexpected(updated.error());
  if (*updated == 0) return std::optional<Goal>{};
  return get(owner, id);
}

Result<bool> Service::remove(const activity::Owner& owner, std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto scope = db_.tenant(store::TenantId(owner.tenant_id));
  auto deleted = scope.execute("DELETE FROM goals WHERE tenant_id = :tenant AND user_id = ?1 AND id = ?2",
                               {owner.user_id, std::string(id)});
  if (!deleted) return std::unexpected(deleted.error());
  return *deleted > 0;
}

Result<std::optional<BestEffort>> Service::best_recent_vdot(const activity::Owner& owner, std::int64_t now_ms) {
  auto runs = activities_.history(owner, now_ms - kPerformanceWindowMs, now_ms + 1);
  if (!runs) return std::unexpected(runs.error());
  return best_vdot(*runs);
}

Result<std::optional<double>> Service::current_ftp_w(const activity::Owner& owner, std::int64_t now_ms) {
  auto athlete = profiles_.resolve(owner, now_ms);
  if (!athlete) return std::unexpected(athlete.error());
  return athlete->number("ftp_w");
}

Result<Measurement> Service::measure(const activity::Owner& owner, const Goal& goal, std::int64_t now_ms) {
  Measurement m;
  switch (goal.type) {
    case GoalType::distance:
    case GoalType::duration:
    case GoalType::frequency: {
      // Up to now: the goal's period may run into the future.
      const auto start = goal.period_start_ms();
      const auto end = std::min(goal.period_end_ms(), now_ms + 1);
      std::vector<activity::Activity> period;
      if (end > start) {
        auto h = activities_.history(owner, start, end);
        if (!h) return std::unexpected(h.error());
        period = std::move(*h);
      }
      return measure_accumulated(goal, period);
    }
    case GoalType::race_time: {
      auto best = best_recent_vdot(owner, now_ms);
      if (!best) return std::unexpected(best.error());
      const double distance = goal.target_distance_m.value_or(0);
      if (!*best) {
        m.basis = "no run of 1.5–50 km in the last 90 days to predict a race time from";
        return m;
      }
      const auto& b = **best;
      m.current = intelligence::race_time_from_vdot_s(b.vdot, distance);
      m.activity_count = m.current ? 1 : 0;
      m.basis = fmt::format(
          "time for {:.0f} m predicted (Daniels–Gilbert) from VDOT {:.1f} of your best run in the last 90 days "
          "({:.0f} m in {:.0f} s on {})",
          distance, b.vdot, b.distance_m, b.time_s, day_of(b.start_time_ms));
      return m;
    }
    case GoalType::ftp: {
      auto athlete = profiles_.resolve(owner, now_ms);
      if (!athlete) return std::unexpected(athlete.error());
      m.current = athlete->number("ftp_w");
      if (!m.current) {
        m.basis = "no FTP configured, and none can be estimated from your rides";
      } else if (const auto* v = athlete->find("ftp_w"); v != nullptr) {
        m.basis = v->method.empty() ? fmt::format("FTP from your athlete profile ({})", v->source)
                                    : fmt::format("FTP from your athlete profile ({}: {})", v->source, v->method);
      }
      return m;
    }
    case GoalType::custom: m.basis = "custom goals are not measured automatically"; return m;
  }
  return m;
}

Result<Progress> Service::progress(const activity::Owner& owner, const Goal& goal, std::int64_t now_ms) {
  auto m = measure(owner, goal, now_ms);
  if (!m) return std::unexpected(m.error());
  return compute_progress(goal, *m, now_ms);
}

Result<std::optional<Tracked>> Service::track(const activity::Owner& owner, std::string_view id, std::int64_t now_ms) {
  auto found = get(owner, id);
  if (!found) return std::unexpected(found.error());
  if (!found->has_value()) return std::optional<Tracked>{};
  Tracked t{std::move(**found), {}, false};
  auto p = progress(owner, t.goal, now_ms);
  if (!p) return std::unexpected(p.error());
  t.progress = std::move(*p);
  if (t.goal.status == GoalStatus::active && t.progress.reached) {
    auto updated = set_status(owner, id, GoalStatus::achieved, now_ms);
    if (!updated) return std::unexpected(updated.error());
    if (updated->has_value()) {
      t.goal = std::move(**updated);
      t.newly_achieved = true;
    }
  }
  return std::optional<Tracked>{std::move(t)};
}

Result<FeasibilityReport> Service::feasibility(const activity::Owner& owner, const Goal& goal, std::int64_t now_ms) {
  FeasibilityReport r;
  auto p = progress(owner, goal, now_ms);
  if (!p) return std::unexpected(p.error());
  r.progress = std::move(*p);
  r.weeks_remaining =
      static_cast<double>(std::max<std::int64_t>(0, goal.period_end_ms() - now_ms)) / static_cast<double>(kWeekMs);
  switch (goal.type) {
    case GoalType::distance:
    case GoalType::duration:
    case GoalType::frequency: {
      // The baseline suggest_goals builds from (goal.hpp recent_weekly_volume), over the same weeks.
      const auto weeks = std::max(1, options_.recent_weeks);
      auto recent = activities_.history(owner, now_ms - weeks * kWeekMs, now_ms + 1);
      if (!recent) return std::unexpected(recent.error());
      const auto weekly = recent_weekly_volume(goal.type, goal.sport, *recent, now_ms, weeks);
      const double remaining = goal.target_value - r.progress.current_value.value_or(0);
      r.feasibility = intelligence::volume_goal_feasibility(remaining, r.weeks_remaining, weekly, goal.sport, options_);
      r.measure = goal.type == GoalType::distance   ? "distance_m"
                  : goal.type == GoalType::duration ? "moving_time_s"
                                                    : "sessions";
      r.rate_unit = goal.type == GoalType::distance   ? "m/week"
                    : goal.type == GoalType::duration ? "s/week"
                                                      : "sessions/week";
      break;
    }
    case GoalType::race_time: {
      auto best = best_recent_vdot(owner, now_ms);
      if (!best) return std::unexpected(best.error());
      const auto target = intelligence::vdot_from_race(goal.target_distance_m.value_or(0), goal.target_value);
      if (*best) r.current_level = (*best)->vdot;
      r.target_level = target;
      r.feasibility =
          intelligence::vdot_goal_feasibility(r.current_level, target.value_or(0), r.weeks_remaining, options_);
      if (!*best) r.feasibility.reasons.emplace_back("no run of 1.5–50 km in the last 90 days");
      r.measure = "vdot";
      r.rate_unit = "vdot/week";
      break;
    }
    case GoalType::ftp: {
      r.current_level = r.progress.current_value;
      r.target_level = goal.target_value;
      r.feasibility =
          intelligence::ftp_goal_feasibility(r.current_level, goal.target_value, r.weeks_remaining, options_);
      r.measure = "ftp_w";
      r.rate_unit = "fraction/week";
      break;
    }
    case GoalType::custom: {
      r.feasibility.verdict = intelligence::FeasibilityVerdict::challenging;
      r.feasibility.score = 40;
      r.feasibility.data_sufficient = false;
      r.feasibility.reasons.emplace_back("custom goals are not measured, so their feasibility cannot be judged");
      r.measure = "none";
      r.rate_unit = "";
      break;
    }
  }
  return r;
}

Result<SuggestionSet> Service::suggest(const activity::Owner& owner, SuggestionCategory category,
                                       std::optional<activity::SportType> sport, std::int64_t now_ms) {
  const auto window = std::max({kSuggestionWindowDays * kDayMs, kPerformanceWindowMs,
                                std::int64_t{std::max(1, options_.recent_weeks)} * kWeekMs});
  // Up to now inclusive, like the feasibility baseline.
  auto history = activities_.history(owner, now_ms - window, now_ms + 1);
  if (!history) return std::unexpected(history.error());
  std::optional<BestEffort> vdot;
  std::optional<double> ftp;
  if (category == SuggestionCategory::all || category == SuggestionCategory::performance) {
    std::vector<activity::Activity> recent;
    for (const auto& a : *history) {
      if (a.summary.start_time_ms >= now_ms - kPerformanceWindowMs) recent.push_back(a);
    }
    vdot = best_vdot(recent);
    if (!sport || activity::is_cycling(*sport)) {
      auto f = current_ftp_w(owner, now_ms);
      if (!f) return std::unexpected(f.error());
      ftp = *f;
    }
  }
  return suggest_goals(*history, vdot, ftp, category, sport, now_ms, options_);
}

}  // namespace pierre::goals
