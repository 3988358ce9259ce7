#include "pierre/rest/activity_routes.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "multipart.hpp"
#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

using nlohmann::json;

Result<activity::Owner> activity_owner(const http::RequestContext& ctx) {
  auto identity = caller(ctx);
  if (!identity) return std::unexpected(identity.error());
  return activity::Owner{identity->tenant_id, identity->user_id};
}

Result<std::optional<std::int64_t>> time_param(const detail::QueryParams& q, const char* name) {
  const auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return std::optional<std::int64_t>{};
  auto ms = parse_rfc3339_ms(it->second);
  if (!ms) {
    return fail(ErrorCode::invalid_format,
                fmt::format("{} must be an RFC 3339 time (2026-11-27T08:00:00Z) or a date (2026-11-27)", name),
                {{"field", name}});
  }
  return std::optional<std::int64_t>{*ms};
}

Result<std::optional<activity::SportType>> sport_param(const detail::QueryParams& q) {
  const auto it = q.find("sport_type");
  if (it == q.end() || it->second.empty()) return std::optional<activity::SportType>{};
  auto sport = activity::sport_from_name(it->second);
  if (!sport) {
    return fail(ErrorCode::invalid_input, "unknown sport_type (e.g. run, ride, swim, walk, hike)",
                {{"field", "sport_type"}});
  }
  return std::optional<activity::SportType>{*sport};
}

bool is_file_media_type(std::string_view type) {
  const auto base = type.substr(0, type.find(';'));
  for (const std::string_view accepted :
       {"application/octet-stream", "application/vnd.ant.fit", "application/fit", "application/gpx+xml",
        "application/vnd.garmin.tcx+xml", "application/tcx+xml", "application/xml", "text/xml"}) {
    if (base == accepted) return true;
  }
  return false;
}

json import_json(const activity::ImportReport& report) {
  auto list = json::array();
  for (const auto& stored : report.activities) {
    auto j = activity::to_json(stored.activity);
    j["status"] = stored.created ? "created" : "duplicate";
    if (!stored.created) j["duplicate_reason"] = stored.duplicate_reason;
    list.push_back(std::move(j));
  }
  return {{"activities", std::move(list)}, {"warnings", report.warnings}};
}

http::Response import_file(activity::Service& service, const http::Request& req, http::RequestContext& ctx) {
  auto owner = activity_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto type = std::string(req[boost::beast::http::field::content_type]);
  const auto q = detail::query_params(req.target());
  auto name = q.contains("filename") ? q.at("filename") : std::string();
  std::string_view bytes = req.body();
  detail::UploadedFile upload;
  if (type.starts_with("multipart/form-data")) {
    auto extracted = detail::extract_upload(type, req.body());
    if (!extracted) return http::error_response(extracted.error(), req, ctx);
    upload = std::move(*extracted);
    bytes = upload.content;
    if (name.empty()) name = upload.filename;
  } else if (!is_file_media_type(type)) {
    return http::error_response(
        Error(ErrorCode::unsupported_media_type,
              "send the file as the body (Content-Type application/octet-stream, application/gpx+xml, "
              "application/vnd.garmin.tcx+xml, application/vnd.ant.fit) or as the form field \"file\" of a "
              "multipart/form-data body"),
        req, ctx);
  }
  auto report =
      service.import_file(*owner, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), name);
  if (!report) return http::error_response(report.error(), req, ctx);
  const bool created = std::any_of(report->activities.begin(), report->activities.end(),
                                   [](const activity::Stored& s) { return s.created; });
  return http::json_response(created ? http::Status::created : http::Status::ok, import_json(*report), req);
}

http::Response list_activities(activity::Service& service, const http::Request& req, http::RequestContext& ctx) {
  auto owner = activity_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto q = detail::query_params(req.target());
  activity::ListQuery query;
  auto limit = detail::parse_limit(q, 50, activity::Service::kMaxPageSize);
  if (!limit) return http::error_response(limit.error(), req, ctx);
  query.limit = *limit;
  if (auto it = q.find("cursor"); it != q.end()) query.cursor = it->second;
  auto sport = sport_param(q);
  if (!sport) return http::error_response(sport.error(), req, ctx);
  query.sport = *sport;
  auto after = time_param(q, "after");
  if (!after) return http::error_response(after.error(), req, ctx);
  auto before = time_param(q, "before");
  if (!before) return http::error_response(before.error(), req, ctx);
  query.after_ms = *after;
  query.before_ms = *before;
  if (auto it = q.find("provider"); it != q.end() && !it->second.empty()) query.source = it->second;
  auto page = service.list(*owner, query);
  if (!page) return http::error_response(page.error(), req, ctx);
  auto items = json::array();
  for (const auto& a : page->activities) items.push_back(activity::to_json(a, false));
  return http::json_response(
      http::Status::ok,
      {{"activities", std::move(items)}, {"next_cursor", page->next_cursor ? json(*page->next_cursor) : json(nullptr)}},
      req);
}

http::Response totals(activity::Service& service, const http::Request& req, http::RequestContext& ctx) {
  auto owner = activity_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto q = detail::query_params(req.target());
  const auto period_text = q.contains("period") ? q.at("period") : std::string("week");
  const auto period = activity::period_from_name(period_text);
  if (!period) {
    return http::error_response(
        Error(ErrorCode::invalid_input, "period must be week, month or year", {{"field", "period"}}), req, ctx);
  }
  auto sport = sport_param(q);
  if (!sport) return http::error_response(sport.error(), req, ctx);
  auto after = time_param(q, "after");
  if (!after) return http::error_response(after.error(), req, ctx);
  auto before = time_param(q, "before");
  if (!before) return http::error_response(before.error(), req, ctx);
  auto result = service.totals(*owner, *period, *sport, *after, *before);
  if (!result) return http::error_response(result.error(), req, ctx);
  auto items = json::array();
  for (const auto& t : *result) items.push_back(activity::to_json(t));
  return http::json_response(http::Status::ok, {{"period", period_text}, {"totals", std::move(items)}}, req);
}

http::Response get_one(activity::Service& service, const http::Request& req, http::RequestContext& ctx) {
  auto owner = activity_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  const auto& id = ctx.path_params.at("id");
  auto found = service.get(*owner, id);
  if (!found) return http::error_response(found.error(), req, ctx);
  if (!found->has_value()) {
    return http::error_response(Error(ErrorCode::resource_not_found, "no such activity"), req, ctx);
  }
  json out{{"activity", activity::to_json(**found)}};
  const auto q = detail::query_params(req.target());
  if (auto it = q.find("streams"); it != q.end() && (it->second == "true" || it->second == "1")) {
    auto streams = service.streams(*owner, id);
    if (!streams) return http::error_response(streams.error(), req, ctx);
    out["streams"] = streams->has_value() ? activity::to_json(**streams) : json(nullptr);
  }
  return http::json_response(http::Status::ok, out, req);
}

http::Response remove(activity::Service& service, const http::Request& req, http::RequestContext& ctx) {
  auto owner = activity_owner(ctx);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  auto removed = service.remove(*owner, ctx.path_params.at("id"));
  if (!removed) return http::error_response(removed.error(), req, ctx);
  if (!*removed) return http::error_response(Error(ErrorCode::resource_not_found, "no such activity"), req, ctx);
  return http::json_response(http::Status::ok, {{"deleted", true}}, req);
}

}  // namespace

void register_activity_routes(http::Router& router, activity::Service& activities) {
  auto& s = activities;
  router.add(
      http::Method::post, "/api/activities/import",
      [&s](const http::Request& req, http::RequestContext& ctx) { return import_file(s, req, ctx); },
      "import a FIT/GPX/TCX file");
  router.add(
      http::Method::get, "/api/activities",
      [&s](const http::Request& req, http::RequestContext& ctx) { return list_activities(s, req, ctx); },
      "list activities");
  router.add(
      http::Method::get, "/api/activities/totals",
      [&s](const http::Request& req, http::RequestContext& ctx) { return totals(s, req, ctx); },
      "activity totals per week/month/year");
  router.add(
      http::Method::get, "/api/activities/{id}",
      [&s](const http::Request& req, http::RequestContext& ctx) { return get_one(s, req, ctx); }, "one activity");
  router.add(
      http::Method::delete_, "/api/activities/{id}",
      [&s](const http::Request& req, http::RequestContext& ctx) { return remove(s, req, ctx); }, "delete an activity");
}

}  // namespace pierre::rest
