// GPX decoder and the shared XML helpers: every sample file, exact values from a few of them, the extension
// dialects, and hostile or malformed input (truncation, entity expansion, bad numbers, limits).

#include "pierre/formats/gpx.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sample_files.hpp"
#include "xml/track_builder.hpp"
#include "xml/xml_document.hpp"

namespace pierre::formats {
namespace {

namespace fs = std::filesystem;

using testing::kSamples;
using testing::ms;
using testing::read_file;
using testing::test_name;

// ---- xml helpers ------------------------------------------------------------------------------------------------

TEST(XmlDateTime, ParsesZonesFractionsAndRejectsGarbage) {
  EXPECT_EQ(ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ms("2015-12-11T14:43:13Z"), 1449844993000);
  EXPECT_EQ(ms("2015-12-11T15:43:13.994+01:00"), 1449844993994);
  EXPECT_EQ(ms("2015-12-11T13:13:13-01:30"), 1449844993000);
  EXPECT_EQ(ms("2015-12-11T15:43:13+0100"), 1449844993000);
  EXPECT_EQ(ms("2016-05-27T10:08:47.8Z") % 1000, 800);
  EXPECT_EQ(ms("2016-05-27T10:08:47.2073437Z") % 1000, 207);
  EXPECT_EQ(ms("2016-05-27T10:08:47.9996Z") % 60000, 48000);         // rounds up into the next second
  EXPECT_EQ(ms("2013-01-01T12:00:04"), ms("2013-01-01T12:00:04Z"));  // no zone = UTC
  EXPECT_EQ(ms("  2013-01-01 12:00:04z\n"), ms("2013-01-01T12:00:04Z"));
  EXPECT_EQ(ms("2012-02-29T24:00:00Z"), ms("2012-03-01T00:00:00Z"));
  EXPECT_EQ(ms("1901-12-13T20:45:52Z"), std::int64_t{-2147483648} * 1000);
  EXPECT_EQ(xml::parse_datetime("2015-12-11T15:43:13+02:00")->offset_s, 7200);
  EXPECT_FALSE(xml::parse_datetime("2015-12-11T15:43:13Z")->offset_s.has_value());
  for (const char* bad :
       {"", "2015-12-11", "2015-13-01T00:00:00Z", "2015-02-29T00:00:00Z", "2015-12-11T25:00:00Z",
        "2015-12-11T10:60:00Z", "2015-12-11T10:00:00.Z", "2015-12-11T10:00:00+1", "0000-01-01T00:00:00Z",
        "2015-12-11T10:00:00Zjunk", "2015/12/11T10:00:00Z", "2015-12-11T10:00:00+15:00"}) {
    EXPECT_FALSE(xml::parse_datetime(bad).has_value()) << bad;
  }
  EXPECT_EQ(xml::format_datetime(1449844993994), "2015-12-11T14:43:13.994Z");
  EXPECT_EQ(xml::format_datetime(-1), "1969-12-31T23:59:59.999Z");
}

TEST(XmlNumber, AcceptsDecimalFormsAndRejectsNonFinite) {
  EXPECT_EQ(xml::parse_number("0."), 0.0);
  EXPECT_EQ(xml::parse_number(".0"), 0.0);
  EXPECT_EQ(xml::parse_number(" +12.5\n"), 12.5);
  EXPECT_EQ(xml::parse_number("-0.114380"), -0.114380);
  EXPECT_EQ(xml::parse_number("1e3"), 1000.0);
  for (const char* bad :
       {"", " ", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "12abc", "+-1", "--1", "0x10", "1,5", "+"}) {
    EXPECT_FALSE(xml::parse_number(bad).has_value()) << bad;
  }
}

TEST(XmlPosition, CountsLinesAndCodePoints) {
  const std::string s = "ab\ncé\nxyz";
  EXPECT_EQ(xml::position_at(s, 0).line, 1U);
  EXPECT_EQ(xml::position_at(s, 4).column, 2U);  // after "c"
  const auto p = xml::position_at(s, 6);         // 'é' is 2 bytes: offset 6 is the '\n'
  EXPECT_EQ(p.line, 2U);
  EXPECT_EQ(p.column, 3U);
  EXPECT_EQ(xml::position_at(s, 1000).line, 3U);
}

TEST(XmlHaversine, MatchesKnownDistances) {
  // One degree of latitude on the mean-radius sphere: R·π/180.
  EXPECT_NEAR(xml::haversine_m(0, 0, 1, 0), 6371008.8 * 3.14159265358979 / 180, 1e-3);
  EXPECT_NEAR(xml::haversine_m(0, 0, 0, 180), 6371008.8 * 3.14159265358979, 1e-2);
  EXPECT_DOUBLE_EQ(xml::haversine_m(45, 14, 45, 14), 0.0);
}

// ---- every sample file ------------------------------------------------------------------------------------------

// Files with waypoints and routes only (or nothing): zero sessions and the documented "no track points" warning.
const std::set<std::string> kNoTrack = {"custom_schema_locations.gpx",
                                        "default_schema_locations.gpx",
                                        "gpx1.1_with_extensions.gpx",
                                        "gpx1.1_with_extensions_without_namespaces.gpx",
                                        "gpx_with_garmin_extension.gpx",
                                        "route.gpx",
                                        "unicode.gpx",
                                        "unicode2.gpx",
                                        "unicode_with_bom.gpx",
                                        "unicode_with_bom_noencoding.gpx"};

std::vector<std::string> sample_names(const std::string& dir, const std::string& ext) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSamples / dir)) {
    if (e.path().extension() == ext) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GpxSample : public ::testing::TestWithParam<std::string> {};

TEST_P(GpxSample, DecodesOrGivesTheDocumentedError) {
  const auto bytes = read_file(kSamples / "gpx" / GetParam());
  ASSERT_FALSE(bytes.empty());
  const auto rec = decode_gpx(bytes);
  if (kNoTrack.contains(GetParam())) {
    ASSERT_TRUE(rec.has_value()) << rec.error().message;
    EXPECT_TRUE(rec->sessions.empty());
    ASSERT_FALSE(rec->warnings.empty());
    EXPECT_TRUE(rec->warnings.back().starts_with("no track points")) << rec->warnings.back();
    return;
  }
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->format, FileFormat::gpx);
  ASSERT_FALSE(rec->sessions.empty());
  for (const auto& s : rec->sessions) {
    ASSERT_FALSE(s.samples.empty());
    EXPECT_EQ(s.totals.start_time_ms, s.samples.front().time_ms);
    double last_distance = 0;
    for (std::size_t i = 0; i < s.samples.size(); ++i) {
      const auto& p = s.samples[i];
      if (i > 0) {
        EXPECT_GE(p.time_ms, s.samples[i - 1].time_ms);
      }
      ASSERT_TRUE(p.latitude_deg && p.longitude_deg && p.distance_m);
      EXPECT_GE(*p.distance_m, last_distance);
      last_distance = *p.distance_m;
    }
    EXPECT_EQ(s.totals.distance_m, last_distance);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFiles, GpxSample, ::testing::ValuesIn(sample_names("gpx", ".gpx")), test_name);

TEST(GpxSamples, AllTwentyEightFilesAreSeen) {
  EXPECT_EQ(sample_names("gpx", ".gpx").size(), 28U);
}

// ---- exact values -----------------------------------------------------------------------------------------------

TEST(GpxValues, CerknickoJezeroHasSevenTracksWithTimesAndDistances) {
  const auto rec = decode_gpx(read_file(kSamples / "gpx/cerknicko-jezero.gpx"));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->device, "GPSBabel - http://www.gpsbabel.org");
  EXPECT_FALSE(rec->source_id.has_value());
  ASSERT_EQ(rec->sessions.size(), 7U);  // 8 <trk>, the first has an empty <trkseg>
  const std::vector<std::size_t> counts = {173, 52, 2, 44, 2, 2, 21};
  const std::vector<double> distances = {1912.3603, 873.199, 30.2099, 1352.1129, 31.9153, 28.6102, 346.6114};
  for (std::size_t i = 0; i < counts.size(); ++i) {
    EXPECT_EQ(rec->sessions[i].samples.size(), counts[i]);
    // Reference: the same haversine over the file in Python (independent implementation).
    EXPECT_NEAR(*rec->sessions[i].totals.distance_m, distances[i], 1e-3);
  }
  const auto& first = rec->sessions[0];
  EXPECT_EQ(first.name, "ACTIVE LOG #2");
  EXPECT_DOUBLE_EQ(*first.samples.front().latitude_deg, 45.772175035);
  EXPECT_DOUBLE_EQ(*first.samples.front().longitude_deg, 14.357659249);
  EXPECT_DOUBLE_EQ(*first.samples.front().altitude_m, 542.320923);
  EXPECT_EQ(first.samples.front().time_ms, ms("2010-08-05T14:23:59Z"));
  EXPECT_EQ(first.samples.back().time_ms, ms("2010-08-05T15:05:08Z"));
  EXPECT_DOUBLE_EQ(*first.totals.elapsed_s, 41 * 60 + 9);
  EXPECT_FALSE(first.samples.front().heart_rate_bpm.has_value());
  EXPECT_TRUE(first.laps.empty());
  EXPECT_TRUE(rec->warnings.empty());
}

TEST(GpxValues, WithoutElevationsAndZeroElevations) {
  const auto none = decode_gpx(read_file(kSamples / "gpx/cerknicko-jezero-without-elevations.gpx"));
  ASSERT_TRUE(none.has_value());
  for (const auto& s : none->sessions) {
    for (const auto& p : s.samples) EXPECT_FALSE(p.altitude_m.has_value());
  }
  const auto zero = decode_gpx(read_file(kSamples / "gpx/cerknicko-jezero-with-elevations-zero.gpx"));
  ASSERT_TRUE(zero.has_value());  // "0.", ".0", "0" are all numbers; zero stays zero (the file's value)
  const auto no_creator = decode_gpx(read_file(kSamples / "gpx/cerknicko-jezero-no-creator.gpx"));
  ASSERT_TRUE(no_creator.has_value());
  EXPECT_EQ(no_creator->device, "");
}

TEST(GpxValues, TracksWithoutTimesKeepGeometryAndWarn) {
  const auto rec = decode_gpx(read_file(kSamples / "gpx/cerknicko-without-times.gpx"));
  ASSERT_TRUE(rec.has_value());
  ASSERT_EQ(rec->sessions.size(), 7U);
  const auto file_time = ms("2010-08-06T10:36:35Z");
  const auto& s0 = rec->sessions[0];
  EXPECT_EQ(s0.samples.front().time_ms, file_time);
  EXPECT_EQ(s0.samples.back().time_ms, file_time);
  EXPECT_FALSE(s0.totals.elapsed_s.has_value());
  EXPECT_NEAR(*s0.totals.distance_m, 1912.3603, 1e-3);
  // The last track has times on its last five points only: the leading 16 take the first of them.
  const auto& last = rec->sessions.back();
  ASSERT_EQ(last.samples.size(), 21U);
  EXPECT_EQ(last.samples.front().time_ms, ms("2010-08-05T16:22:52Z"));
  EXPECT_EQ(last.samples.back().time_ms, ms("2010-08-05T16:23:49Z"));
  EXPECT_DOUBLE_EQ(*last.totals.elapsed_s, 57);
  ASSERT_EQ(rec->warnings.size(), 7U);
  EXPECT_NE(rec->warnings[0].find("no timestamps"), std::string::npos);
  EXPECT_NE(rec->warnings[6].find("16 of 21 points have no time"), std::string::npos);
}

TEST(GpxValues, KoritaZbevnicaMixesTimedAndUntimedTracks) {
  const auto rec = decode_gpx(read_file(kSamples / "gpx/korita-zbevnica.gpx"));
  ASSERT_TRUE(rec.has_value());
  ASSERT_EQ(rec->sessions.size(), 3U);
  EXPECT_EQ(rec->sessions[0].samples.size(), 358U);
  EXPECT_FALSE(rec->sessions[0].totals.elapsed_s.has_value());
  EXPECT_EQ(rec->sessions[1].samples.size(), 176U);
  EXPECT_EQ(rec->sessions[2].samples.back().time_ms, ms("2010-10-03T13:19:31Z"));
  EXPECT_NEAR(*rec->sessions[2].totals.distance_m, 3979.4994, 1e-3);
  EXPECT_EQ(rec->warnings.size(), 1U);
}

TEST(GpxValues, BackwardsTimeIsDropped) {
  const auto rec = decode_gpx(read_file(kSamples / "gpx/first_and_last_elevation.gpx"));
  ASSERT_TRUE(rec.has_value());
  const auto& s = rec->sessions.at(0);
  ASSERT_EQ(s.samples.size(), 9U);  // the 10th point jumps back an hour
  EXPECT_DOUBLE_EQ(*s.samples.front().altitude_m, 140.0);
  EXPECT_FALSE(s.samples[1].altitude_m.has_value());
  EXPECT_EQ(s.name, "");
  ASSERT_EQ(rec->warnings.size(), 1U);
  EXPECT_NE(rec->warnings[0].find("dropped 1 point(s) whose time goes backwards, the first at line 27"),
            std::string::npos)
      << rec->warnings[0];
}

TEST(GpxValues, FractionalSecondsZonesAndType) {
  const auto rec = decode_gpx(read_file(kSamples / "gpx/track-with-less-sec-time.gpx"));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->device, "NikePlus GPX Bridge");
  const auto& s = rec->sessions.at(0);
  EXPECT_EQ(s.sport, "run");
  EXPECT_EQ(s.utc_offset_s, 3600);
  ASSERT_EQ(s.samples.size(), 2U);
  EXPECT_EQ(s.samples[0].time_ms, 1449844993000);
  EXPECT_EQ(s.samples[1].time_ms, 1449844993994);
  EXPECT_DOUBLE_EQ(*s.totals.elapsed_s, 0.994);
  EXPECT_DOUBLE_EQ(*s.samples[1].latitude_deg, 57.01147);
}

TEST(GpxValues, Gpx10SpeedWithoutNamespace) {
  const auto rec = decode_gpx(read_file(kSamples / "gpx/track_with_speed.gpx"));
  ASSERT_TRUE(rec.has_value());
  const auto& s = rec->sessions.at(0);
  ASSERT_EQ(s.samples.size(), 3U);
  EXPECT_DOUBLE_EQ(*s.samples[0].speed_mps, 1.2);
  EXPECT_DOUBLE_EQ(*s.samples[2].speed_mps, 3.2);
  EXPECT_DOUBLE_EQ(*s.samples[2].altitude_m, 53.381747);
}

TEST(GpxValues, CdataNameCommentsAndAllFields) {
  const auto c = decode_gpx(read_file(kSamples / "gpx/gpx-with-node-with-comments.gpx"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->sessions.at(0).name, "2014-05-06_132925");
  EXPECT_EQ(c->device, "Ultra GPS Logger");
  for (const char* f : {"gpx/gpx1.0_with_all_fields.gpx", "gpx/gpx1.1_with_all_fields.gpx"}) {
    const auto rec = decode_gpx(read_file(kSamples / f));
    ASSERT_TRUE(rec.has_value()) << f;
    ASSERT_EQ(rec->sessions.size(), 1U);  // routes and waypoints ignored, the empty second <trk> skipped
    const auto& s = rec->sessions[0];
    EXPECT_EQ(s.name, "example name t");
    ASSERT_EQ(s.samples.size(), 1U);
    EXPECT_DOUBLE_EQ(*s.samples[0].latitude_deg, 10.1);
    EXPECT_DOUBLE_EQ(*s.samples[0].longitude_deg, -20.2);
    EXPECT_DOUBLE_EQ(*s.samples[0].altitude_m, 11.1);
    EXPECT_EQ(s.samples[0].time_ms, ms("2013-01-01T12:00:04Z"));
    EXPECT_DOUBLE_EQ(*s.totals.distance_m, 0.0);
  }
}

TEST(GpxValues, GarminExtensionFileHoldsOnlyAWaypoint) {
  // gpxpy's gpx_with_garmin_extension.gpx puts its TrackPointExtension (hr 171) on a <wpt>: no track.
  const auto rec = decode_gpx(read_file(kSamples / "gpx/gpx_with_garmin_extension.gpx"));
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_TRUE(rec->sessions.empty());
  ASSERT_EQ(rec->warnings.size(), 1U);
  EXPECT_TRUE(rec->warnings[0].starts_with("no track points"));
}

// ---- extensions -------------------------------------------------------------------------------------------------

std::string gpx_with_points(const std::string& namespaces, const std::string& points) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" )" +
         namespaces + ">\n<trk><name>t</name><type>cycling</type><trkseg>\n" + points + "</trkseg></trk></gpx>\n";
}

TEST(GpxExtensions, TrackPointExtensionV1AndV2) {
  const auto doc = gpx_with_points(
      R"(xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2")",
      R"(<trkpt lat="46.0" lon="14.0"><ele>300</ele><time>2020-01-01T10:00:00Z</time>
  <extensions><gpxtpx:TrackPointExtension><gpxtpx:atemp>21.5</gpxtpx:atemp><gpxtpx:hr>142</gpxtpx:hr>
  <gpxtpx:cad>88</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>
<trkpt lat="46.0001" lon="14.0"><time>2020-01-01T10:00:01Z</time>
  <extensions><ns3:TrackPointExtension><ns3:atemp>-3</ns3:atemp><ns3:wtemp>9</ns3:wtemp><ns3:hr>150</ns3:hr>
  <ns3:cad>90</ns3:cad><ns3:speed>8.25</ns3:speed><ns3:course>181.5</ns3:course></ns3:TrackPointExtension>
  </extensions></trkpt>
)");
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  const auto& s = rec->sessions.at(0);
  EXPECT_EQ(s.sport, "cycling");
  ASSERT_EQ(s.samples.size(), 2U);
  EXPECT_DOUBLE_EQ(*s.samples[0].heart_rate_bpm, 142);
  EXPECT_DOUBLE_EQ(*s.samples[0].cadence_rpm, 88);
  EXPECT_DOUBLE_EQ(*s.samples[0].temperature_c, 21.5);
  EXPECT_FALSE(s.samples[0].speed_mps.has_value());
  EXPECT_DOUBLE_EQ(*s.samples[1].heart_rate_bpm, 150);
  EXPECT_DOUBLE_EQ(*s.samples[1].temperature_c, -3);
  EXPECT_DOUBLE_EQ(*s.samples[1].speed_mps, 8.25);
  EXPECT_NEAR(*s.samples[1].distance_m, 11.119, 1e-3);  // 0.0001° of latitude
}

TEST(GpxExtensions, PowerWithAndWithoutPrefixes) {
  const auto doc = gpx_with_points(
      R"(xmlns:gpxpx="http://www.garmin.com/xmlschemas/PowerExtension/v1")",
      R"(<trkpt lat="1" lon="1"><time>2020-01-01T10:00:00Z</time><extensions><power>250</power></extensions></trkpt>
<trkpt lat="1" lon="1"><time>2020-01-01T10:00:01Z</time><extensions><gpxpx:PowerExtension><gpxpx:PowerInW>260</gpxpx:PowerInW></gpxpx:PowerExtension></extensions></trkpt>
<trkpt lat="1" lon="1"><time>2020-01-01T10:00:02Z</time><extensions><TrackPointExtension><hr>99</hr><cad>70</cad></TrackPointExtension></extensions></trkpt>
)");
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  const auto& s = rec->sessions.at(0).samples;
  EXPECT_DOUBLE_EQ(*s[0].power_w, 250);
  EXPECT_DOUBLE_EQ(*s[1].power_w, 260);
  EXPECT_DOUBLE_EQ(*s[2].heart_rate_bpm, 99);
  EXPECT_DOUBLE_EQ(*s[2].cadence_rpm, 70);
  EXPECT_FALSE(s[2].power_w.has_value());
}

TEST(GpxTracks, SegmentGapIsAPauseAndEachTrackIsASession) {
  const std::string doc = R"(<gpx version="1.1"><metadata><time>2020-01-01T09:00:00Z</time></metadata>
<trk><name>a</name>
 <trkseg><trkpt lat="0" lon="0"><time>2020-01-01T10:00:00Z</time></trkpt>
         <trkpt lat="0.001" lon="0"><time>2020-01-01T10:00:10Z</time></trkpt></trkseg>
 <trkseg><trkpt lat="1" lon="0"><time>2020-01-01T11:00:00Z</time></trkpt>
         <trkpt lat="1.001" lon="0"><time>2020-01-01T11:00:10Z</time></trkpt></trkseg>
</trk>
<trk><name>b</name><trkseg><trkpt lat="2" lon="2"/></trkseg></trk>
</gpx>)";
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  ASSERT_EQ(rec->sessions.size(), 2U);
  const auto& a = rec->sessions[0];
  const double step = xml::haversine_m(0, 0, 0.001, 0);
  EXPECT_NEAR(*a.samples[2].distance_m, step, 1e-9);  // no distance across the gap
  EXPECT_NEAR(*a.totals.distance_m, 2 * step, 1e-9);
  EXPECT_DOUBLE_EQ(*a.totals.elapsed_s, 3610);
  const auto& b = rec->sessions[1];
  EXPECT_EQ(b.name, "b");
  EXPECT_EQ(b.samples.at(0).time_ms, ms("2020-01-01T09:00:00Z"));  // untimed track: the file's time
  ASSERT_EQ(rec->warnings.size(), 1U);
  EXPECT_NE(rec->warnings[0].find("GPX track 2 has no timestamps"), std::string::npos);
}

TEST(GpxTracks, BomCrlfCommentsAndEscapes) {
  const std::string doc =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- a comment -->\r\n"
      "<gpx creator=\"A &amp; B\"><trk><name>R&#233;ka <!-- c --></name><trkseg>\r\n"
      "<trkpt lat=\"45.5\" lon=\"-13.25\"><!-- x --><ele>\r\n 12.5 \r\n</ele><time>2020-01-01T10:00:00Z</time></trkpt>"
      "\r\n</trkseg></trk></gpx>\r\n";
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->device, "A & B");
  EXPECT_EQ(rec->sessions.at(0).name, "R\xC3\xA9ka");
  EXPECT_DOUBLE_EQ(*rec->sessions[0].samples.at(0).altitude_m, 12.5);
}

// ---- errors -----------------------------------------------------------------------------------------------------

void expect_gpx_error_at(const Result<Recording>& rec, int line, std::string_view reason_part) {
  ASSERT_FALSE(rec.has_value());
  EXPECT_EQ(rec.error().code, ErrorCode::invalid_format);
  EXPECT_EQ(rec.error().details["line"], line) << rec.error().message;
  EXPECT_GE(rec.error().details["column"].get<int>(), 1);
  EXPECT_NE(rec.error().details["reason"].get<std::string>().find(reason_part), std::string::npos)
      << rec.error().message;
  EXPECT_NE(rec.error().message.find("line " + std::to_string(line)), std::string::npos);
}

TEST(GpxErrors, InvalidNumbersNameTheLine) {
  const auto pt = [](const std::string& attrs, const std::string& body = "") {
    return gpx_with_points("", "<trkpt " + attrs + ">" + body + "</trkpt>\n");
  };
  expect_gpx_error_at(decode_gpx(pt(R"(lat="91" lon="0")")), 4, "latitude \"91\" is out of range [-90, 90]");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="0" lon="-180.5")")), 4, "longitude");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="NaN" lon="0")")), 4, "is not a number");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="0" lon="inf")")), 4, "is not a number");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="1e400" lon="0")")), 4, "is not a number");
  expect_gpx_error_at(decode_gpx(pt(R"(lon="0")")), 4, "without lat/lon");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="0" lon="0")", "<ele>high</ele>")), 4, "elevation \"high\"");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="0" lon="0")", "<time>yesterday</time>")), 4, "time \"yesterday\"");
  expect_gpx_error_at(decode_gpx(pt(R"(lat="0" lon="0")", "<extensions><hr>-5</hr></extensions>")), 4, "heart rate");
  // Long hostile values are cut in the message.
  const auto longv = decode_gpx(pt("lat=\"" + std::string(10000, '9') + "x\" lon=\"0\""));
  ASSERT_FALSE(longv.has_value());
  EXPECT_LT(longv.error().message.size(), 200U);
}

TEST(GpxErrors, InvalidTimeReportsItsColumn) {
  const std::string doc =
      "<gpx>\n<trk><trkseg>\n  <trkpt lat=\"1\" lon=\"1\"><time>2020-13-01T00:00:00Z</time></trkpt>"
      "</trkseg></trk></gpx>";
  const auto rec = decode_gpx(doc);
  expect_gpx_error_at(rec, 3, "is not an ISO 8601 date-time");
  EXPECT_EQ(rec.error().details["column"], 27);  // the element name after "<"
}

TEST(GpxErrors, WrongRootEmptyAndNotXml) {
  expect_gpx_error_at(decode_gpx("<?xml version=\"1.0\"?>\n<kml><trk/></kml>"), 2, "root element is <kml>");
  expect_gpx_error_at(decode_gpx(read_file(kSamples / "tcx/test.tcx")), 2, "not <gpx>");
  EXPECT_EQ(decode_gpx("").error().code, ErrorCode::invalid_format);
  EXPECT_EQ(decode_gpx("just text").error().code, ErrorCode::invalid_format);
  EXPECT_EQ(decode_gpx(std::string("\0\0\0\0", 4)).error().code, ErrorCode::invalid_format);
  expect_gpx_error_at(decode_gpx("<gpx>\n<trk>\n</trkx></gpx>"), 3, "mismatch");
}

TEST(GpxErrors, EveryTruncationIsAnErrorWithAPosition) {
  const auto bytes = read_file(kSamples / "gpx/track-with-empty-segment.gpx");
  std::size_t errors = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const auto rec = decode_gpx(std::string_view(bytes).substr(0, n));
    if (rec.has_value()) continue;  // counted below: no strict prefix of this file is a whole document
    ++errors;
    EXPECT_EQ(rec.error().code, ErrorCode::invalid_format);
    ASSERT_TRUE(rec.error().details.contains("line"));
    EXPECT_LE(rec.error().details["line"].get<std::size_t>(), 46U);
  }
  EXPECT_EQ(errors, bytes.size());  // the file ends right after "</gpx>"
}

TEST(GpxErrors, SizeLimitIsEnforcedBeforeParsing) {
  const auto bytes = read_file(kSamples / "gpx/Mojstrovka.gpx");
  const auto rec = decode_gpx(bytes, GpxOptions{.max_input_bytes = 1000});
  ASSERT_FALSE(rec.has_value());
  EXPECT_EQ(rec.error().code, ErrorCode::payload_too_large);
  EXPECT_EQ(rec.error().details["limit_bytes"], 1000);
  EXPECT_TRUE(decode_gpx(bytes, GpxOptions{.max_input_bytes = bytes.size()}).has_value());
}

TEST(GpxHostile, BillionLaughsDoesNotExpand) {
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    doc += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) doc += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    doc += "\">\n";
  }
  doc += "]>\n<gpx creator=\"x\"><trk><name>&lol9;</name><trkseg><trkpt lat=\"1\" lon=\"2\"/></trkseg></trk></gpx>";
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->sessions.at(0).name, "&lol9;");  // left literal: never expanded
}

TEST(GpxHostile, ExternalEntitiesAreNotFetched) {
  const std::string doc = R"(<?xml version="1.0"?>
<!DOCTYPE gpx [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p; ]>
<gpx creator="&xxe;"><trk><name>&xxe;</name><trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>)";
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_EQ(rec->device, "&xxe;");
  EXPECT_EQ(rec->sessions.at(0).name, "&xxe;");
}

TEST(GpxHostile, DeepNestingDoesNotOverflowTheStack) {
  constexpr int kDepth = 200'000;
  std::string doc = "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><extensions>";
  for (int i = 0; i < kDepth; ++i) doc += "<a>";
  doc += "<hr>100</hr>";
  for (int i = 0; i < kDepth; ++i) doc += "</a>";
  doc += "</extensions></trkpt></trkseg></trk></gpx>";
  const auto rec = decode_gpx(doc);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  EXPECT_FALSE(rec->sessions.at(0).samples.at(0).heart_rate_bpm.has_value());  // below the walk's depth bound
}

// ---- throughput (a measurement, not a benchmark; the lead's bench replaces it) --------------------------------

TEST(GpxThroughput, ReportsMegabytesAndPointsPerSecond) {
  // The largest sample, and a synthetic 10 MB track with Garmin extensions (the samples are all < 100 kB).
  std::string big =
      R"(<?xml version="1.0"?><gpx version="1.1" creator="synthetic" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><name>x</name><trkseg>)";
  std::size_t points = 0;
  while (big.size() < 10'000'000) {
    const double lat = 46.0 + static_cast<double>(points) * 1e-5;
    char when[64];
    std::snprintf(when, sizeof when, "2020-01-%02zuT%02zu:%02zu:%02zuZ", 1 + points / 86400, points / 3600 % 24,
                  points / 60 % 60, points % 60);
    big += "\n<trkpt lat=\"" + std::to_string(lat) + "\" lon=\"14.123456\"><ele>312.4</ele><time>" + when +
           "</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"
           "</gpxtpx:TrackPointExtension></extensions></trkpt>";
    ++points;
  }
  big += "</trkseg></trk></gpx>";
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"korita-zbevnica.gpx", read_file(kSamples / "gpx/korita-zbevnica.gpx")}, {"synthetic 10 MB", big}};
  for (const auto& [label, bytes] : inputs) {
    std::size_t decoded_points = 0;
    int rounds = 0;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::duration<double>(0);
    while (elapsed.count() < 0.5) {
      const auto rec = decode_gpx(bytes);
      ASSERT_TRUE(rec.has_value());
      for (const auto& s : rec->sessions) decoded_points += s.samples.size();
      ++rounds;
      elapsed = std::chrono::steady_clock::now() - start;
    }
    const double secs = elapsed.count();
    std::cout << "[throughput] GPX " << label << ": " << static_cast<double>(bytes.size()) * rounds / secs / 1e6
              << " MB/s, " << static_cast<double>(decoded_points) / secs / 1e6 << " M points/s (" << rounds
              << " rounds)\n";
  }
}

}  // namespace
}  // namespace pierre::formats
