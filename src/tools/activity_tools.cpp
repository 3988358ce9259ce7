// Activity tools over the caller's own activity store (activity::Service): importing files now; the query tools of
// the tools issue (get_activities, analyze_activity…) join this file.
#include <fmt/format.h>

#include "pierre/crypto/primitives.hpp"
#include "pierre/tools/builtin.hpp"

namespace pierre::tools {
namespace {

using nlohmann::json;

// Base64 of 64 MB (the service's file limit) is ~85 M characters; the HTTP body limit is usually far lower.
constexpr std::size_t kMaxBase64Chars = (activity::Service::kMaxFileBytes / 3 + 1) * 4;

json import_input() {
  return {{"type", "object"},
          {"properties",
           {{"content_base64",
             {{"type", "string"},
              {"minLength", 1},
              {"description", "The whole FIT, GPX or TCX file, base64-encoded (standard alphabet, padding optional)"}}},
            {"filename",
             {{"type", "string"},
              {"maxLength", 255},
              {"description", "The file's name, e.g. morning-ride.fit (used only when the content is ambiguous)"}}}}},
          {"required", {"content_base64"}},
          {"additionalProperties", false}};
}

json import_output() {
  json item = {{"type", "object"},
               {"properties",
                {{"id", {{"type", "string"}}},
                 {"status", {{"type", "string"}, {"enum", {"created", "duplicate"}}}},
                 {"duplicate_reason", {{"type", "string"}}},
                 {"sport_type", {{"type", "string"}}},
                 {"name", {{"type", "string"}}},
                 {"start_time", {{"type", "string"}}},
                 {"elapsed_time_s", {{"type", "number"}}},
                 {"distance_m", {{"type", "number"}}}}},
               {"required", {"id", "status", "sport_type", "name", "start_time", "elapsed_time_s", "distance_m"}}};
  return {{"type", "object"},
          {"properties",
           {{"activities", {{"type", "array"}, {"items", item}}},
            {"created_count", {{"type", "integer"}}},
            {"duplicate_count", {{"type", "integer"}}},
            {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
          {"required", {"activities", "created_count", "duplicate_count", "warnings"}}};
}

// Standard base64 with or without padding, whitespace (line breaks from encoders) ignored.
bool decode_base64(std::string_view text, crypto::Bytes& out) {
  std::string compact;
  compact.reserve(text.size() + 3);
  for (const char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact.push_back(c);
  }
  while (compact.size() % 4 != 0) compact.push_back('=');
  return crypto::base64_decode(compact, out);
}

Result<ToolOutput> import_activity_file(activity::Service& service, const json& args, CallContext& ctx) {
  if (ctx.user_id.empty() || ctx.tenant_id.empty()) {
    return fail(ErrorCode::auth_required, "sign in to import activities: they are stored in your account");
  }
  const auto& encoded = args.at("content_base64").get_ref<const std::string&>();
  if (encoded.size() > kMaxBase64Chars) {
    return fail(ErrorCode::payload_too_large,
                fmt::format("files larger than {} MB are not accepted", activity::Service::kMaxFileBytes >> 20U));
  }
  crypto::Bytes bytes;
  if (!decode_base64(encoded, bytes)) {
    return fail(ErrorCode::invalid_format, "content_base64 is not valid base64", {{"field", "content_base64"}});
  }
  ctx.progress(1, 3, "decoding");
  const auto filename = args.value("filename", std::string());
  auto report = service.import_file({ctx.tenant_id, ctx.user_id}, bytes, filename);
  if (!report) return std::unexpected(report.error());
  ctx.progress(3, 3, "stored");
  json items = json::array();
  int created = 0;
  int duplicates = 0;
  std::string text;
  for (const auto& stored : report->activities) {
    const auto& a = stored.activity;
    json item = {{"id", a.id},
                 {"status", stored.created ? "created" : "duplicate"},
                 {"sport_type", activity::sport_name(a.sport)},
                 {"name", a.name},
                 {"start_time", activity::to_json(a)["start_time"]},
                 {"elapsed_time_s", a.summary.elapsed_time_s},
                 {"distance_m", a.summary.distance_m}};
    if (!stored.created) item["duplicate_reason"] = stored.duplicate_reason;
    items.push_back(std::move(item));
    (stored.created ? created : duplicates) += 1;
    text +=
        fmt::format("{} {} — {} ({:.2f} km, {:.0f} min){}\n", stored.created ? "Imported" : "Already stored:", a.name,
                    activity::sport_name(a.sport), a.summary.distance_m / 1000.0, a.summary.elapsed_time_s / 60.0,
                    stored.created ? "" : " [" + stored.duplicate_reason + "]");
  }
  for (const auto& w : report->warnings) text += "Note: " + w + "\n";
  return ToolOutput::of({{"activities", std::move(items)},
                         {"created_count", created},
                         {"duplicate_count", duplicates},
                         {"warnings", report->warnings}},
                        std::move(text));
}

}  // namespace

Result<void> register_activity_tools(Registry& registry, activity::Service& activities) {
  return registry.add(
      {.name = "import_activity_file",
       .title = "Import an activity file",
       .description = "Imports a FIT, GPX or TCX activity file (base64) into your activity store. One activity per "
                      "session; a file or workout that is already stored is reported as a duplicate, not stored twice. "
                      "All values are SI units named with their unit (distance_m, elapsed_time_s).",
       .input_schema = import_input(),
       .output_schema = import_output(),
       .annotations = {.read_only = false, .destructive = false, .idempotent = true, .open_world = false},
       .handler = [&activities](const json& args,
                                CallContext& ctx) { return import_activity_file(activities, args, ctx); },
       .long_running = true});
}

}  // namespace pierre::tools
