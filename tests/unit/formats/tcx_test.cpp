// TCX decoder: every sample file, exact lap and trackpoint values, extensions, multisport, and malformed input.

#include "pierre/formats/tcx.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sample_files.hpp"
#include "xml/xml_document.hpp"

namespace pierre::formats {
namespace {

namespace fs = std::filesystem;

using testing::kSamples;
using testing::ms;
using testing::read_file;
using testing::test_name;

class TcxSample : public ::testing::TestWithParam<std::string> {};

TEST_P(TcxSample, Decodes) {
  const auto rec = decode_tcx(read_file(kSamples / "tcx" / GetParam()));
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->format, FileFormat::tcx);
  ASSERT_EQ(rec->sessions.size(), 1U);
  const auto& s = rec->sessions[0];
  ASSERT_FALSE(s.samples.empty());
  ASSERT_FALSE(s.laps.empty());
  for (std::size_t i = 1; i < s.samples.size(); ++i) EXPECT_GE(s.samples[i].time_ms, s.samples[i - 1].time_ms);
  EXPECT_TRUE(rec->warnings.empty());
  EXPECT_TRUE(rec->source_id.has_value());
}

INSTANTIATE_TEST_SUITE_P(AllFiles, TcxSample, ::testing::Values("no_hr.tcx", "sup_activity_1.tcx", "test.tcx"),
                         test_name);

TEST(TcxSamples, DirectoryHoldsExactlyTheTestedFiles) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(kSamples / "tcx")) {
    if (e.path().extension() == ".tcx") ++n;
  }
  EXPECT_EQ(n, 3U);
}

TEST(TcxValues, TestTcxLapsAndTotals) {
  const auto rec = decode_tcx(read_file(kSamples / "tcx/test.tcx"));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->device, "Forerunner 410 Software Version 2.20");
  EXPECT_EQ(rec->source_id, "tcx:2012-12-26T21:29:53Z");
  const auto& s = rec->sessions.at(0);
  EXPECT_EQ(s.sport, "Running");
  EXPECT_EQ(s.name, "Aerobics");
  ASSERT_EQ(s.laps.size(), 3U);
  const auto& l0 = s.laps[0].totals;
  EXPECT_EQ(l0.start_time_ms, ms("2012-12-26T21:29:53Z"));
  EXPECT_DOUBLE_EQ(*l0.timer_s, 608.47);
  EXPECT_DOUBLE_EQ(*l0.distance_m, 1609.34399414);
  EXPECT_DOUBLE_EQ(*l0.max_speed_mps, 4.55431461334);
  EXPECT_DOUBLE_EQ(*l0.calories_kcal, 94);
  EXPECT_DOUBLE_EQ(*l0.avg_heart_rate_bpm, 139);
  EXPECT_DOUBLE_EQ(*l0.max_heart_rate_bpm, 189);
  EXPECT_FALSE(l0.elapsed_s.has_value());
  EXPECT_FALSE(l0.avg_cadence_rpm.has_value());
  EXPECT_EQ(s.laps[2].totals.start_time_ms, ms("2012-12-26T21:51:56Z"));
  EXPECT_DOUBLE_EQ(*s.laps[2].totals.distance_m, 1470.5546875);

  const auto& t = s.totals;
  EXPECT_EQ(t.start_time_ms, ms("2012-12-26T21:29:53Z"));
  EXPECT_NEAR(*t.timer_s, 608.47 + 714.80 + 669.51, 1e-9);
  EXPECT_NEAR(*t.distance_m, 1609.34399414 * 2 + 1470.5546875, 1e-9);
  EXPECT_DOUBLE_EQ(*t.calories_kcal, 94 + 151 + 134);
  EXPECT_NEAR(*t.avg_heart_rate_bpm, (139 * 608.47 + 172 * 714.80 + 167 * 669.51) / (608.47 + 714.80 + 669.51), 1e-9);
  EXPECT_DOUBLE_EQ(*t.max_heart_rate_bpm, 189);
  EXPECT_DOUBLE_EQ(*t.max_speed_mps, 4.55431461334);
  EXPECT_FALSE(t.elapsed_s.has_value());
  EXPECT_FALSE(t.avg_power_w.has_value());

  ASSERT_EQ(s.samples.size(), 384U);
  const auto& first = s.samples.front();
  EXPECT_EQ(first.time_ms, ms("2012-12-26T21:29:53Z"));
  EXPECT_DOUBLE_EQ(*first.latitude_deg, 35.951880198);
  EXPECT_DOUBLE_EQ(*first.longitude_deg, -79.0931872185);
  EXPECT_DOUBLE_EQ(*first.altitude_m, 178.942626953);
  EXPECT_DOUBLE_EQ(*first.distance_m, 0.0);
  EXPECT_DOUBLE_EQ(*first.heart_rate_bpm, 62);
  const auto& before_last = s.samples[s.samples.size() - 2];
  EXPECT_DOUBLE_EQ(*before_last.distance_m, 4686.31103516);
  EXPECT_DOUBLE_EQ(*before_last.heart_rate_bpm, 180);
  const auto& last = s.samples.back();  // <Trackpoint><Time/></Trackpoint> only
  EXPECT_EQ(last.time_ms, ms("2012-12-26T22:03:05Z"));
  EXPECT_FALSE(last.latitude_deg.has_value());
  EXPECT_FALSE(last.distance_m.has_value());
  EXPECT_FALSE(last.heart_rate_bpm.has_value());
}

TEST(TcxValues, NoHrHasNoHeartRateAnywhere) {
  const auto rec = decode_tcx(read_file(kSamples / "tcx/no_hr.tcx"));
  ASSERT_TRUE(rec.has_value());
  const auto& s = rec->sessions.at(0);
  EXPECT_EQ(s.samples.size(), 384U);
  for (const auto& p : s.samples) EXPECT_FALSE(p.heart_rate_bpm.has_value());
  for (const auto& l : s.laps) {
    EXPECT_FALSE(l.totals.avg_heart_rate_bpm.has_value());
    EXPECT_FALSE(l.totals.max_heart_rate_bpm.has_value());
  }
  EXPECT_FALSE(s.totals.avg_heart_rate_bpm.has_value());
  EXPECT_FALSE(s.totals.max_heart_rate_bpm.has_value());
  EXPECT_NEAR(*s.totals.distance_m, 1609.34399414 * 2 + 1470.5546875, 1e-9);
}

TEST(TcxValues, SupActivityExtensions) {
  const auto rec = decode_tcx(read_file(kSamples / "tcx/sup_activity_1.tcx"));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->device, "v\xC3\xADvoactive HR");
  EXPECT_EQ(rec->source_id, "tcx:2022-07-16T16:08:25.000Z");
  const auto& s = rec->sessions.at(0);
  EXPECT_EQ(s.sport, "Other");
  EXPECT_EQ(s.name, "2022-07-16T16:08:25.000Z");  // no Notes: the Id
  ASSERT_EQ(s.laps.size(), 2U);
  EXPECT_DOUBLE_EQ(*s.laps[0].totals.avg_speed_mps, 1.034000039100647);
  EXPECT_DOUBLE_EQ(*s.laps[1].totals.avg_speed_mps, 1.0820000171661377);
  EXPECT_DOUBLE_EQ(*s.laps[0].totals.timer_s, 966.796);
  EXPECT_DOUBLE_EQ(*s.laps[1].totals.distance_m, 157.51);
  EXPECT_NEAR(*s.totals.distance_m, 1157.51, 1e-9);
  EXPECT_DOUBLE_EQ(*s.totals.calories_kcal, 92);
  EXPECT_DOUBLE_EQ(*s.totals.max_heart_rate_bpm, 108);
  EXPECT_NEAR(*s.totals.avg_heart_rate_bpm, (88 * 966.796 + 87 * 145.539) / (966.796 + 145.539), 1e-9);
  ASSERT_EQ(s.samples.size(), 111U);
  EXPECT_DOUBLE_EQ(*s.samples[0].speed_mps, 0.2680000066757202);
  EXPECT_DOUBLE_EQ(*s.samples[0].distance_m, 0.75);
  EXPECT_DOUBLE_EQ(*s.samples[0].heart_rate_bpm, 96);
  EXPECT_FALSE(s.samples[0].altitude_m.has_value());
  EXPECT_DOUBLE_EQ(*s.samples.back().distance_m, 1157.510009765625);
  EXPECT_DOUBLE_EQ(*s.samples.back().speed_mps, 0.0);
}

std::string tcx(const std::string& activities, const std::string& extra = "") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ax="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
<Activities>)" +
         activities + "</Activities>" + extra + "</TrainingCenterDatabase>";
}

TEST(TcxValues, BikeWithWattsCadenceAndDerivedDistance) {
  const auto rec = decode_tcx(tcx(R"(
<Activity Sport="Biking"><Id>2021-05-01T08:00:00+02:00</Id>
 <Lap StartTime="2021-05-01T06:00:00Z"><TotalTimeSeconds>10</TotalTimeSeconds><Cadence>90</Cadence>
  <Track>
   <Trackpoint><Time>2021-05-01T08:00:00+02:00</Time><Position><LatitudeDegrees>0</LatitudeDegrees><LongitudeDegrees>0</LongitudeDegrees></Position><Cadence>91</Cadence>
    <Extensions><ax:TPX><ax:Speed>9.5</ax:Speed><ax:Watts>210</ax:Watts></ax:TPX></Extensions></Trackpoint>
   <Trackpoint><Time>2021-05-01T06:00:10Z</Time><Position><LatitudeDegrees>0.001</LatitudeDegrees><LongitudeDegrees>0</LongitudeDegrees></Position>
    <Extensions><TPX><Watts>220</Watts></TPX></Extensions></Trackpoint>
  </Track>
  <Extensions><ax:LX><ax:AvgSpeed>11.1</ax:AvgSpeed><ax:AvgWatts>215</ax:AvgWatts><ax:MaxWatts>400</ax:MaxWatts></ax:LX></Extensions>
 </Lap>
 <Lap StartTime="2021-05-01T06:00:10Z"><TotalTimeSeconds>30</TotalTimeSeconds>
  <Extensions><ax:LX><ax:AvgWatts>255</ax:AvgWatts><ax:MaxWatts>300</ax:MaxWatts></ax:LX></Extensions>
 </Lap>
</Activity>)",
                                  "<Author><Name>Exporter</Name></Author>"));
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->device, "Exporter");  // no Creator: the Author
  const auto& s = rec->sessions.at(0);
  EXPECT_EQ(s.utc_offset_s, 7200);
  EXPECT_EQ(s.totals.start_time_ms, ms("2021-05-01T06:00:00Z"));
  EXPECT_DOUBLE_EQ(*s.samples[0].power_w, 210);
  EXPECT_DOUBLE_EQ(*s.samples[0].speed_mps, 9.5);
  EXPECT_DOUBLE_EQ(*s.samples[0].cadence_rpm, 91);
  EXPECT_DOUBLE_EQ(*s.samples[1].power_w, 220);
  EXPECT_DOUBLE_EQ(*s.samples[0].distance_m, 0.0);
  EXPECT_NEAR(*s.samples[1].distance_m, 111.195, 1e-3);  // derived: no DistanceMeters in the file
  EXPECT_DOUBLE_EQ(*s.laps[0].totals.avg_cadence_rpm, 90);
  EXPECT_DOUBLE_EQ(*s.laps[0].totals.avg_speed_mps, 11.1);
  EXPECT_DOUBLE_EQ(*s.totals.avg_power_w, (215 * 10 + 255 * 30) / 40.0);
  EXPECT_DOUBLE_EQ(*s.totals.max_power_w, 400);
  EXPECT_DOUBLE_EQ(*s.totals.avg_cadence_rpm, 90);  // only the lap that states it
  EXPECT_DOUBLE_EQ(*s.totals.timer_s, 40);
  EXPECT_FALSE(s.totals.distance_m.has_value());  // no lap states it
}

TEST(TcxValues, RunCadenceFromExtensions) {
  const auto rec = decode_tcx(tcx(R"(<Activity Sport="Running"><Id>2021-05-01T08:00:00Z</Id>
 <Lap StartTime="2021-05-01T08:00:00Z"><Extensions><LX><AvgRunCadence>84</AvgRunCadence></LX></Extensions><Track>
  <Trackpoint><Time>2021-05-01T08:00:00Z</Time><Extensions><TPX><RunCadence>86</RunCadence></TPX></Extensions></Trackpoint>
 </Track></Lap></Activity>)"));
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_DOUBLE_EQ(*rec->sessions.at(0).samples.at(0).cadence_rpm, 86);
  EXPECT_DOUBLE_EQ(*rec->sessions[0].laps.at(0).totals.avg_cadence_rpm, 84);
}

TEST(TcxValues, MultisportGivesOneSessionPerActivity) {
  const auto act = [](const char* sport, const char* t) {
    return std::string("<Activity Sport=\"") + sport + "\"><Id>" + t + "</Id><Lap StartTime=\"" + t +
           "\"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>100</DistanceMeters><Track><Trackpoint><Time>" +
           t + "</Time><DistanceMeters>0</DistanceMeters></Trackpoint></Track></Lap></Activity>";
  };
  const auto rec = decode_tcx(tcx("<MultiSportSession><Id>2021-05-01T08:00:00Z</Id><FirstSport>" +
                                  act("Running", "2021-05-01T08:00:00Z") +
                                  "</FirstSport><NextSport><Transition><TotalTimeSeconds>5</TotalTimeSeconds>"
                                  "</Transition>" +
                                  act("Biking", "2021-05-01T08:01:05Z") + "</NextSport></MultiSportSession>"));
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  ASSERT_EQ(rec->sessions.size(), 2U);
  EXPECT_EQ(rec->sessions[0].sport, "Running");
  EXPECT_EQ(rec->sessions[1].sport, "Biking");
  EXPECT_EQ(rec->sessions[1].totals.start_time_ms, ms("2021-05-01T08:01:05Z"));
  EXPECT_EQ(rec->source_id, "tcx:2021-05-01T08:00:00Z");
}

void expect_tcx_error_at(const Result<Recording>& rec, int line, std::string_view reason_part) {
  ASSERT_FALSE(rec.has_value());
  EXPECT_EQ(rec.error().code, ErrorCode::invalid_format);
  EXPECT_EQ(rec.error().details["line"], line) << rec.error().message;
  EXPECT_NE(rec.error().details["reason"].get<std::string>().find(reason_part), std::string::npos)
      << rec.error().message;
}

TEST(TcxErrors, BadValuesWrongRootAndNoActivity) {
  const auto point = [](const std::string& body) {
    return tcx(
        "<Activity Sport=\"Running\"><Id>2021-05-01T08:00:00Z</Id><Lap StartTime=\"2021-05-01T08:00:00Z\">\n"
        "<Track><Trackpoint><Time>2021-05-01T08:00:00Z</Time>" +
        body + "</Trackpoint></Track></Lap></Activity>");
  };
  expect_tcx_error_at(decode_tcx(point("<Position><LatitudeDegrees>95</LatitudeDegrees><LongitudeDegrees>0"
                                       "</LongitudeDegrees></Position>")),
                      4, "latitude \"95\" is out of range");
  expect_tcx_error_at(decode_tcx(point("<Position><LatitudeDegrees>5</LatitudeDegrees></Position>")), 4,
                      "Position without");
  expect_tcx_error_at(decode_tcx(point("<HeartRateBpm><Value>nan</Value></HeartRateBpm>")), 4, "heart rate");
  expect_tcx_error_at(decode_tcx(point("<DistanceMeters>-1</DistanceMeters>")), 4, "distance");
  expect_tcx_error_at(decode_tcx(point("<Extensions><TPX><Watts>1e9</Watts></TPX></Extensions>")), 4, "power");
  expect_tcx_error_at(decode_tcx(tcx("<Activity><Id>x</Id><Lap StartTime=\"noon\"/></Activity>")), 3, "time \"noon\"");
  expect_tcx_error_at(decode_tcx("<?xml version=\"1.0\"?>\n<gpx/>"), 2, "not <TrainingCenterDatabase>");
  expect_tcx_error_at(decode_tcx(tcx("", "<Courses><Course><Name>c</Name></Course></Courses>")), 2, "no activity");
  expect_tcx_error_at(decode_tcx(tcx("<Activity Sport=\"Running\"><Id>2021-05-01T08:00:00Z</Id></Activity>")), 2,
                      "no activity");
}

TEST(TcxValues, LapsWithoutAnyTimeOrSamples) {
  // Found by fuzz_tcx: no Id time, no lap StartTime, no trackpoint must not read a missing first sample.
  const auto rec =
      decode_tcx(tcx("<Activity><Id>not a time</Id><Lap><TotalTimeSeconds>5</TotalTimeSeconds></Lap>"
                     "</Activity>"));
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->sessions.at(0).totals.start_time_ms, 0);
  EXPECT_DOUBLE_EQ(*rec->sessions[0].totals.timer_s, 5);
  EXPECT_EQ(rec->source_id, "tcx:not a time");
}

TEST(TcxErrors, EveryTruncationIsAnErrorWithAPosition) {
  const auto bytes = read_file(kSamples / "tcx/sup_activity_1.tcx");
  // Every prefix up to 4 kB, then every 97th: each must fail cleanly with a position.
  for (std::size_t n = 0; n < bytes.size(); n += n < 4096 ? 1 : 97) {
    const auto rec = decode_tcx(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(rec.has_value()) << n;
    EXPECT_EQ(rec.error().code, ErrorCode::invalid_format);
    ASSERT_TRUE(rec.error().details.contains("line"));
  }
}

TEST(TcxHostile, EntitiesStayLiteral) {
  std::string doc =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">"
      "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n";
  doc += tcx("<Activity Sport=\"&b;\"><Id>&x;</Id><Notes>&b;</Notes><Lap StartTime=\"2021-05-01T08:00:00Z\"/>"
             "</Activity>")
             .substr(std::string_view("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").size());
  const auto rec = decode_tcx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->sessions.at(0).sport, "&b;");
  EXPECT_EQ(rec->sessions[0].name, "&b;");
  EXPECT_EQ(rec->source_id, "tcx:&x;");
}

TEST(TcxErrors, SizeLimit) {
  const auto rec = decode_tcx(read_file(kSamples / "tcx/test.tcx"), TcxOptions{.max_input_bytes = 100});
  ASSERT_FALSE(rec.has_value());
  EXPECT_EQ(rec.error().code, ErrorCode::payload_too_large);
}

TEST(TcxThroughput, ReportsMegabytesAndPointsPerSecond) {
  // The largest sample, and the same activity's trackpoints repeated to ~10 MB.
  const auto sample = read_file(kSamples / "tcx/test.tcx");
  std::string big =
      tcx("<Activity Sport=\"Running\"><Id>2020-01-01T00:00:00Z</Id><Lap StartTime=\"2020-01-01T00:00:00Z\">"
          "<TotalTimeSeconds>1</TotalTimeSeconds><Track>");
  big.resize(big.size() - std::string_view("</Activities></TrainingCenterDatabase>").size());
  for (std::size_t i = 0; big.size() < 10'000'000; ++i) {
    char when[64];
    std::snprintf(when, sizeof when, "2020-01-%02zuT%02zu:%02zu:%02zuZ", 1 + i / 86400, i / 3600 % 24, i / 60 % 60,
                  i % 60);
    big += std::string("\n<Trackpoint><Time>") + when +
           "</Time><Position><LatitudeDegrees>35.951880198</LatitudeDegrees><LongitudeDegrees>-79.0931872185"
           "</LongitudeDegrees></Position><AltitudeMeters>178.942626953</AltitudeMeters><DistanceMeters>" +
           std::to_string(i) +
           ".5</DistanceMeters><HeartRateBpm><Value>150</Value></HeartRateBpm>"
           "<Extensions><ax:TPX><ax:Speed>3.1</ax:Speed></ax:TPX></Extensions></Trackpoint>";
  }
  big += "</Track></Lap></Activity></Activities></TrainingCenterDatabase>";
  for (const auto& [label, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"test.tcx", sample}, {"synthetic 10 MB", big}}) {
    std::size_t points = 0;
    int rounds = 0;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::duration<double>(0);
    while (elapsed.count() < 0.5) {
      const auto rec = decode_tcx(bytes);
      ASSERT_TRUE(rec.has_value()) << rec.error().message;
      points += rec->sessions.at(0).samples.size();
      ++rounds;
      elapsed = std::chrono::steady_clock::now() - start;
    }
    const double secs = elapsed.count();
    std::cout << "[throughput] TCX " << label << ": " << static_cast<double>(bytes.size()) * rounds / secs / 1e6
              << " MB/s, " << static_cast<double>(points) / secs / 1e6 << " M points/s (" << rounds << " rounds)\n";
  }
}

}  // namespace
}  // namespace pierre::formats
