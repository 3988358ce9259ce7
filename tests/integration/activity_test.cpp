// Black-box tests of the activity REST routes against the real server binary: import of real FIT/GPX/TCX samples
// (../shared/samples), de-duplication on re-import, a truncated file refused with nothing stored, queries with
// filters and pagination, streams, totals, deletion, and isolation between users. Suite names start with
// "activity_" so that `ctest -R activity` selects them.

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "identity_support.hpp"
#include "pierre/crypto/primitives.hpp"
#include "server_process.hpp"

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using Headers = std::map<std::string, std::string>;

std::string sample(const std::string& relative) {
  std::ifstream in(std::string(PIERRE_SAMPLES_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

HttpResponse import(HttpClient& c, const std::string& token, const std::string& bytes, const std::string& filename,
                    const std::string& type = "application/octet-stream") {
  return c.request(verb::post, "/api/activities/import?filename=" + filename, bytes,
                   Headers{{"Authorization", "Bearer " + token}, {"Content-Type", type}});
}

HttpResponse get(HttpClient& c, const std::string& token, const std::string& target) {
  return c.request(verb::get, target, {}, Headers{{"Authorization", "Bearer " + token}});
}

std::string base64(const std::string& bytes) {
  return crypto::base64_encode(crypto::as_bytes(bytes));
}

// tools/call on its own connection (a streamed answer ends with the server closing it).
HttpResponse mcp_call(std::uint16_t port, const std::string& token, const std::string& tool, const json& arguments) {
  HttpClient c(port);
  return mcp_tool_call(c, token, tool, arguments);
}

std::string setup_and_login(HttpClient& c) {
  auto s = post_json(c, "/admin/setup", {{"email", kAdminEmail}, {"password", kAdminPassword}, {"display_name", "A"}});
  EXPECT_EQ(s.result_int(), 201) << s.body();
  return token_of(login(c, kAdminEmail, kAdminPassword));
}

class ActivityRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(identity_server(dir_));
    client_ = std::make_unique<HttpClient>(server_->port());
    token_ = setup_and_login(*client_);
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_F(ActivityRoutes, ImportsAFitRideWithUnitNamedFieldsAndStreams) {
  auto& c = *client_;
  auto res = import(c, token_, sample("fit/2019-02-17-062644-ELEMNT-297E-195-0.fit"), "elemnt.fit");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  const auto body = body_json(res);
  ASSERT_EQ(body["activities"].size(), 1U) << res.body();
  const auto a = body["activities"][0];
  EXPECT_EQ(a["status"], "created");
  EXPECT_EQ(a["source"], "file");
  EXPECT_EQ(a["sport_type"], "ride");
  EXPECT_TRUE(a["id"].get<std::string>().starts_with("act_"));
  EXPECT_GT(a["distance_m"].get<double>(), 1000.0);
  EXPECT_GT(a["elapsed_time_s"].get<double>(), 60.0);
  EXPECT_GE(a["elapsed_time_s"].get<double>(), a["moving_time_s"].get<double>());
  EXPECT_TRUE(a["start_time"].get<std::string>().ends_with("Z"));
  for (const char* field : {"avg_hr_bpm", "max_hr_bpm", "avg_power_w", "calories_kcal", "total_ascent_m", "laps"}) {
    EXPECT_TRUE(a.contains(field)) << field;
  }
  const auto id = a["id"].get<std::string>();

  auto one = get(c, token_, "/api/activities/" + id + "?streams=true");
  ASSERT_EQ(one.result_int(), 200) << one.body();
  const auto detail = body_json(one);
  EXPECT_EQ(detail["activity"]["id"], id);
  const auto& streams = detail["streams"];
  ASSERT_TRUE(streams.is_object()) << one.body().substr(0, 300);
  const auto n = streams["sample_count"].get<std::size_t>();
  EXPECT_GT(n, 100U);
  EXPECT_EQ(streams["time_s"].size(), n);
  EXPECT_EQ(streams["time_s"][0], 0.0);
  if (streams.contains("heart_rate_bpm")) {
    EXPECT_EQ(streams["heart_rate_bpm"].size(), n);
  }
  // Without ?streams, no streams.
  EXPECT_FALSE(body_json(get(c, token_, "/api/activities/" + id)).contains("streams"));
}

TEST_F(ActivityRoutes, ReimportIsADuplicateAndTruncatedFilesStoreNothing) {
  auto& c = *client_;
  const auto bytes = sample("fit/activity-small-fenix2-run.fit");
  auto first = import(c, token_, bytes, "run.fit");
  ASSERT_EQ(first.result_int(), 201) << first.body();
  const auto id = body_json(first)["activities"][0]["id"];
  // The same bytes as a multipart/form-data upload (curl -F file=@run.fit): byte-exact, so the same activity.
  const std::string boundary = "----pierre-test-boundary-7MA4YWxkTrZu0gW";
  const std::string form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nmorning\r\n--" +
                           boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"run.fit\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n" +
                           bytes + "\r\n--" + boundary + "--\r\n";
  auto multipart = c.request(
      verb::post, "/api/activities/import", form,
      Headers{{"Authorization", "Bearer " + token_}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(multipart.result_int(), 200) << multipart.body();
  EXPECT_EQ(body_json(multipart)["activities"][0]["id"], id);
  EXPECT_EQ(body_json(multipart)["activities"][0]["status"], "duplicate");
  auto no_file = c.request(
      verb::post, "/api/activities/import",
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\ny\r\n--" + boundary + "--\r\n",
      Headers{{"Authorization", "Bearer " + token_}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  EXPECT_EQ(no_file.result_int(), 400) << no_file.body();
  EXPECT_EQ(error_code(no_file), "INVALID_INPUT");

  auto again = import(c, token_, bytes, "run-copy.fit");
  ASSERT_EQ(again.result_int(), 200) << again.body();
  EXPECT_EQ(body_json(again)["activities"][0]["status"], "duplicate");
  EXPECT_EQ(body_json(again)["activities"][0]["duplicate_reason"], "same_source_id");
  EXPECT_EQ(body_json(again)["activities"][0]["id"], id);

  // A truncated copy of another file: a clear error, and the store is unchanged.
  const auto ride = sample("fit/garmin-edge-500-activity.fit");
  auto truncated = import(c, token_, ride.substr(0, ride.size() * 6 / 10), "cut.fit");
  EXPECT_EQ(truncated.result_int(), 400) << truncated.body();
  EXPECT_EQ(error_code(truncated), "INVALID_FORMAT") << truncated.body();
  auto list = body_json(get(c, token_, "/api/activities"));
  EXPECT_EQ(list["activities"].size(), 1U) << list.dump().substr(0, 300);

  // Garbage and empty bodies: structured errors.
  auto garbage = import(c, token_, std::string(500, 'x'), "x.bin");
  EXPECT_EQ(garbage.result_int(), 400);
  EXPECT_EQ(error_code(garbage), "INVALID_FORMAT");
  auto empty = import(c, token_, "", "x.fit");
  EXPECT_EQ(empty.result_int(), 400);
  auto json_body = import(c, token_, "{}", "x.fit", "application/json");
  EXPECT_EQ(json_body.result_int(), 415);
}

TEST_F(ActivityRoutes, GpxAndTcxImportListFilterTotalsAndDelete) {
  auto& c = *client_;
  ASSERT_EQ(import(c, token_, sample("gpx/korita-zbevnica.gpx"), "k.gpx", "application/gpx+xml").result_int(), 201);
  ASSERT_EQ(import(c, token_, sample("tcx/test.tcx"), "t.tcx", "application/vnd.garmin.tcx+xml").result_int(), 201);
  ASSERT_EQ(import(c, token_, sample("fit/garmin-fenix-5-walk.fit"), "w.fit").result_int(), 201);

  // Pages of 2 walk the whole list once, newest first (a GPX file may hold several tracks: count what is stored).
  const auto everything = body_json(get(c, token_, "/api/activities?limit=200"))["activities"];
  ASSERT_GE(everything.size(), 3U);
  std::vector<std::string> walked;
  std::string cursor;
  json all;
  for (int page = 0; page < 100; ++page) {
    auto res = body_json(get(c, token_, "/api/activities?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    if (page == 0) all = res;
    EXPECT_LE(res["activities"].size(), 2U);
    for (const auto& a : res["activities"]) walked.push_back(a["id"].get<std::string>());
    if (res["next_cursor"].is_null()) break;
    cursor = res["next_cursor"].get<std::string>();
  }
  ASSERT_EQ(walked.size(), everything.size());
  for (std::size_t i = 0; i < walked.size(); ++i) {
    EXPECT_EQ(walked[i], everything[i]["id"].get<std::string>());
    if (i > 0) {
      EXPECT_GE(everything[i - 1]["start_time"], everything[i]["start_time"]);
    }
  }
  std::int64_t stored = static_cast<std::int64_t>(everything.size());

  auto runs = body_json(get(c, token_, "/api/activities?sport_type=run"));
  for (const auto& a : runs["activities"]) {
    EXPECT_EQ(a["sport_type"], "run");
  }
  auto walks = body_json(get(c, token_, "/api/activities?sport_type=walk"));
  ASSERT_EQ(walks["activities"].size(), 1U) << walks.dump().substr(0, 300);
  // A cursor from one filter is refused by another.
  auto mixed = get(c, token_, "/api/activities?sport_type=walk&cursor=" + all["next_cursor"].get<std::string>());
  EXPECT_EQ(mixed.result_int(), 400);
  EXPECT_EQ(error_code(mixed), "INVALID_CURSOR");
  // Bad parameters.
  EXPECT_EQ(get(c, token_, "/api/activities?limit=201").result_int(), 400);
  EXPECT_EQ(get(c, token_, "/api/activities?sport_type=quidditch").result_int(), 400);
  EXPECT_EQ(get(c, token_, "/api/activities?after=yesterday").result_int(), 400);
  auto future = body_json(get(c, token_, "/api/activities?after=2100-01-01"));
  EXPECT_TRUE(future["activities"].empty());

  auto totals = get(c, token_, "/api/activities/totals?period=year");
  ASSERT_EQ(totals.result_int(), 200) << totals.body();
  std::int64_t count = 0;
  const auto totals_body = body_json(totals);
  for (const auto& t : totals_body["totals"]) count += t["count"].get<std::int64_t>();
  EXPECT_EQ(count, stored) << totals.body();
  EXPECT_EQ(get(c, token_, "/api/activities/totals?period=fortnight").result_int(), 400);

  const auto id = walks["activities"][0]["id"].get<std::string>();
  EXPECT_EQ(c.request(verb::delete_, "/api/activities/" + id, {}, Headers{{"Authorization", "Bearer " + token_}})
                .result_int(),
            200);
  EXPECT_EQ(get(c, token_, "/api/activities/" + id).result_int(), 404);
  EXPECT_EQ(c.request(verb::delete_, "/api/activities/" + id, {}, Headers{{"Authorization", "Bearer " + token_}})
                .result_int(),
            404);
}

TEST_F(ActivityRoutes, McpImportAndRestImportStoreTheSameActivity) {
  auto& c = *client_;
  const auto bytes = sample("tcx/test.tcx");
  auto res = mcp_call(server_->port(), token_, "import_activity_file",
                      {{"content_base64", base64(bytes)}, {"filename", "t.tcx"}});
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto rpc = mcp_response(res);
  const auto& result = rpc["result"];
  ASSERT_NE(result.value("isError", false), true) << rpc.dump().substr(0, 500);
  const auto& structured = result["structuredContent"];
  ASSERT_EQ(structured["created_count"], 1) << structured.dump();
  const auto id = structured["activities"][0]["id"].get<std::string>();
  EXPECT_EQ(structured["activities"][0]["status"], "created");

  // The same file over REST: the very same stored activity.
  auto rest = import(c, token_, bytes, "t.tcx", "application/vnd.garmin.tcx+xml");
  ASSERT_EQ(rest.result_int(), 200) << rest.body();
  EXPECT_EQ(body_json(rest)["activities"][0]["id"], id);
  EXPECT_EQ(body_json(rest)["activities"][0]["status"], "duplicate");
  // And again over MCP: a duplicate, not a second copy.
  auto again =
      mcp_response(mcp_call(server_->port(), token_, "import_activity_file", {{"content_base64", base64(bytes)}}));
  EXPECT_EQ(again["result"]["structuredContent"]["duplicate_count"], 1) << again.dump().substr(0, 300);

  // Bad input is a tool error the model can read, not a protocol error or a crash.
  auto bad =
      mcp_response(mcp_call(server_->port(), token_, "import_activity_file", {{"content_base64", "!!!not base64!!!"}}));
  EXPECT_EQ(bad["result"]["isError"], true) << bad.dump();
  auto junk = mcp_response(
      mcp_call(server_->port(), token_, "import_activity_file", {{"content_base64", base64("hello world")}}));
  EXPECT_EQ(junk["result"]["isError"], true) << junk.dump();
  EXPECT_NE(junk["result"].dump().find("FIT, GPX or TCX"), std::string::npos) << junk.dump();
  auto missing = mcp_response(mcp_call(server_->port(), token_, "import_activity_file", json::object()));
  EXPECT_EQ(missing["result"]["isError"], true) << missing.dump();
  EXPECT_EQ(body_json(get(c, token_, "/api/activities"))["activities"].size(), 1U);
}

// A 3 MB GPX (far above the 1 MiB general body limit) imports for a signed-in caller; the same body without
// credentials is refused before it is buffered.
TEST_F(ActivityRoutes, LargeUploadsNeedCredentials) {
  std::string gpx =
      "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"test\" xmlns=\"http://www.topografix.com/GPX/1/1\">"
      "<trk><name>Long</name><type>running</type><trkseg>";
  for (int i = 0; gpx.size() < 3'000'000; ++i) {
    const int h = i / 3600, m = (i / 60) % 60, sec = i % 60;
    gpx += fmt::format(
        "<trkpt lat=\"{:.6f}\" lon=\"{:.6f}\"><ele>{:.1f}</ele><time>2024-05-0{}T{:02}:{:02}:{:02}Z</time>"
        "</trkpt>",
        46.0 + i * 1e-5, 14.5 + i * 1e-5, 300.0 + (i % 50), 1 + h / 24, h % 24, m, sec);
  }
  gpx += "</trkseg></trk></gpx>";
  auto& c = *client_;
  auto res = import(c, token_, gpx, "long.gpx", "application/gpx+xml");
  ASSERT_EQ(res.result_int(), 201) << res.body().substr(0, 300);
  EXPECT_GT(body_json(res)["activities"][0]["elapsed_time_s"].get<double>(), 20000.0);
  HttpClient anonymous(server_->port());
  auto refused =
      anonymous.request(verb::post, "/api/activities/import", gpx, Headers{{"Content-Type", "application/gpx+xml"}});
  EXPECT_EQ(refused.result_int(), 413);
}

// Every sample file and every committed fuzz seed goes through the real import route: each answer is a success or a
// structured 4xx error, never a 5xx or a dropped connection, and the server is healthy afterwards.
TEST_F(ActivityRoutes, SurvivesEverySampleAndFuzzCorpusFile) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const char* dir : {"fit", "gpx", "tcx"}) {
    for (const auto& e : fs::directory_iterator(fs::path(PIERRE_SAMPLES_DIR) / dir)) files.push_back(e.path());
    const auto corpus = fs::path(PIERRE_FUZZ_CORPUS_DIR) / dir;
    if (fs::exists(corpus)) {
      for (const auto& e : fs::directory_iterator(corpus)) files.push_back(e.path());
    }
  }
  ASSERT_GT(files.size(), 70U);
  int imported = 0;
  for (const auto& path : files) {
    if (path.extension() == ".csv") continue;
    std::ifstream in(path, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    HttpClient fresh(server_->port());
    auto res = import(fresh, token_, bytes, path.filename().string());
    const auto status = static_cast<int>(res.result_int());
    EXPECT_TRUE(status == 200 || status == 201 || status == 400 || status == 413) << path << ": " << status;
    if (status >= 400) {
      EXPECT_FALSE(error_code(res).empty()) << path << ": " << res.body();
    } else {
      ++imported;
    }
  }
  EXPECT_GT(imported, 30);
  HttpClient after(server_->port());
  EXPECT_EQ(after.get("/health").result_int(), 200);
}

TEST_F(ActivityRoutes, UsersSeeOnlyTheirOwnActivitiesAndAnonymousCallersNone) {
  auto& c = *client_;
  auto res = import(c, token_, sample("fit/garmin-fenix-5-run.fit"), "r.fit");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  const auto id = body_json(res)["activities"][0]["id"].get<std::string>();

  auto reg = post_json(c, "/auth/register",
                       {{"email", "bob@example.com"}, {"password", "bob's long password"}, {"display_name", "Bob"}});
  ASSERT_EQ(reg.result_int(), 201) << reg.body();
  const auto bob_id = body_json(reg).value("user_id", "");
  ASSERT_EQ(authed(c, verb::post, "/admin/users/" + bob_id + "/approve", token_).result_int(), 200);
  const auto bob = token_of(login(c, "bob@example.com", "bob's long password"));
  EXPECT_EQ(get(c, bob, "/api/activities/" + id).result_int(), 404);
  EXPECT_TRUE(body_json(get(c, bob, "/api/activities"))["activities"].empty());
  EXPECT_EQ(
      c.request(verb::delete_, "/api/activities/" + id, {}, Headers{{"Authorization", "Bearer " + bob}}).result_int(),
      404);
  EXPECT_EQ(get(c, token_, "/api/activities/" + id).result_int(), 200);
  // The same file imported by bob is bob's own activity, not a duplicate of the admin's.
  auto bobs = import(c, bob, sample("fit/garmin-fenix-5-run.fit"), "r.fit");
  ASSERT_EQ(bobs.result_int(), 201) << bobs.body();
  EXPECT_NE(body_json(bobs)["activities"][0]["id"], id);

  EXPECT_EQ(c.get("/api/activities").result_int(), 401);
  EXPECT_EQ(c.request(verb::post, "/api/activities/import", "x", Headers{{"Content-Type", "application/octet-stream"}})
                .result_int(),
            401);
}

// --demo on an empty database: the demo athlete exists with two years of activities, signs in with the documented
// credentials, and (with --mcp-allow-anonymous, as `make run` does) anonymous MCP callers act as that athlete.
TEST(activity_demo, DemoAthleteIsLoadedOnceAndServesAnonymousDevelopmentCallers) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.path() + "/demo.db";
  auto options = identity_server(dir, db);
  options.args.insert(options.args.end(), {"--demo", "--mcp-allow-anonymous"});
  options.ready_timeout = std::chrono::milliseconds(60000);
  std::int64_t first_count = 0;
  {
    ServerProcess server(options);
    HttpClient c(server.port());
    const auto token = token_of(login(c, "demo@pierre.dev", "pierre-demo-athlete"));
    ASSERT_FALSE(token.empty());
    auto totals = body_json(get(c, token, "/api/activities/totals?period=year"));
    for (const auto& t : totals["totals"]) first_count += t["count"].get<std::int64_t>();
    EXPECT_GT(first_count, 400);
    EXPECT_LT(first_count, 800);
    auto runs = body_json(get(c, token, "/api/activities?sport_type=run&limit=5"));
    ASSERT_EQ(runs["activities"].size(), 5U);
    const auto id = runs["activities"][0]["id"].get<std::string>();
    const auto detail = body_json(get(c, token, "/api/activities/" + id + "?streams=true"));
    EXPECT_GT(detail["streams"]["sample_count"].get<int>(), 600);
    EXPECT_TRUE(detail["streams"].contains("heart_rate_bpm"));

    // Anonymous MCP import lands in the demo athlete's store.
    auto res = mcp_call(server.port(), "", "import_activity_file",
                        {{"content_base64", base64(sample("fit/garmin-fenix-5-walk.fit"))}});
    const auto rpc = mcp_response(res);
    ASSERT_NE(rpc["result"].value("isError", true), true) << rpc.dump().substr(0, 400);
    const auto imported = rpc["result"]["structuredContent"]["activities"][0]["id"].get<std::string>();
    EXPECT_EQ(get(c, token, "/api/activities/" + imported).result_int(), 200);
  }
  {
    // A restart does not load it again.
    ServerProcess server(options);
    HttpClient c(server.port());
    const auto token = token_of(login(c, "demo@pierre.dev", "pierre-demo-athlete"));
    std::int64_t count = 0;
    auto totals = body_json(get(c, token, "/api/activities/totals?period=year"));
    for (const auto& t : totals["totals"]) count += t["count"].get<std::int64_t>();
    EXPECT_EQ(count, first_count + 1);
  }
}

}  // namespace
}  // namespace pierre::testing
