// Black-box tests of the activity REST routes against the real server binary: import of real FIT/GPX/TCX samples
// (../shared/samples), de-duplication on re-import, a truncated file refused with nothing stored, queries with
// filters and pagination, streams, totals, deletion, and isolation between users. Suite names start with
// "activity_" so that `ctest -R activity` selects them.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "identity_support.hpp"
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
    EXPECT_EQ(walked[i], everything[i]["id"]);
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

}  // namespace
}  // namespace pierre::testing
