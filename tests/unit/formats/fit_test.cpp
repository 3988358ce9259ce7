// FIT decoder unit tests on files crafted here byte by byte (FIT protocol layouts), so every case is explicit:
// header variants, CRCs, endianness, compressed timestamps, invalid sentinels, developer fields, chained files,
// truncation at every byte, absurd definitions, unknown messages.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "pierre/formats/fit.hpp"

namespace {

namespace fit = pierre::formats::fit;
using Bytes = std::vector<std::uint8_t>;

struct FieldSpec {
  std::uint8_t number, size, base;
};

// Builds the data section of a FIT file, then frames it with a header and CRC.
class Builder {
 public:
  Builder& define(std::uint8_t local, std::uint16_t global, std::initializer_list<FieldSpec> fields,
                  bool big_endian = false, std::initializer_list<FieldSpec> dev_fields = {}) {
    const bool dev = dev_fields.size() > 0;
    data_.push_back(static_cast<std::uint8_t>(0x40 | (dev ? 0x20 : 0) | local));
    data_.push_back(0);
    data_.push_back(big_endian ? 1 : 0);
    if (big_endian) {
      data_.push_back(static_cast<std::uint8_t>(global >> 8));
      data_.push_back(static_cast<std::uint8_t>(global & 0xFF));
    } else {
      data_.push_back(static_cast<std::uint8_t>(global & 0xFF));
      data_.push_back(static_cast<std::uint8_t>(global >> 8));
    }
    data_.push_back(static_cast<std::uint8_t>(fields.size()));
    for (const auto& f : fields) data_.insert(data_.end(), {f.number, f.size, f.base});
    if (dev) {
      data_.push_back(static_cast<std::uint8_t>(dev_fields.size()));
      for (const auto& f : dev_fields) data_.insert(data_.end(), {f.number, f.size, f.base});
    }
    return *this;
  }
  Builder& data(std::uint8_t local, const Bytes& payload) {
    data_.push_back(local & 0x0F);
    data_.insert(data_.end(), payload.begin(), payload.end());
    return *this;
  }
  Builder& compressed(std::uint8_t local, std::uint8_t offset, const Bytes& payload) {
    data_.push_back(static_cast<std::uint8_t>(0x80 | (local & 0x03) << 5 | (offset & 0x1F)));
    data_.insert(data_.end(), payload.begin(), payload.end());
    return *this;
  }
  Builder& raw(const Bytes& bytes) {
    data_.insert(data_.end(), bytes.begin(), bytes.end());
    return *this;
  }

  // header_size 12 or 14; header_crc: 0 = not set, 1 = correct, 2 = wrong. file_crc_ok false flips the CRC.
  [[nodiscard]] Bytes file(std::uint8_t header_size = 14, int header_crc = 1, bool file_crc_ok = true) const {
    Bytes out{header_size, 0x20, 0x52, 0x08};  // protocol 2.0, profile 21.30
    const auto size = static_cast<std::uint32_t>(data_.size());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
    out.insert(out.end(), {'.', 'F', 'I', 'T'});
    if (header_size == 14) {
      std::uint16_t crc = header_crc == 0 ? 0 : crc16(out);
      if (header_crc == 2) crc ^= 0x1234;
      out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
      out.push_back(static_cast<std::uint8_t>(crc >> 8));
    }
    out.insert(out.end(), data_.begin(), data_.end());
    std::uint16_t crc = crc16(out);
    if (!file_crc_ok) crc ^= 0x0101;
    out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    out.push_back(static_cast<std::uint8_t>(crc >> 8));
    return out;
  }

  static std::uint16_t crc16(const Bytes& b) { return fit::crc16(std::as_bytes(std::span(b))); }

 private:
  Bytes data_;
};

Bytes le16(std::uint16_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
}
Bytes le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::span<const std::byte> view(const Bytes& b) {
  return std::as_bytes(std::span(b));
}

constexpr std::uint32_t kT0 = 1000000000;  // FIT seconds: 2021-09-08T...
constexpr std::int64_t kT0Ms = (std::int64_t{kT0} + fit::kFitEpochUnixSeconds) * 1000;

// file_id (activity, Garmin, Edge 500 = product 1036, serial 1234, time_created kT0), one session, records.
Builder activity(int records = 3) {
  Builder b;
  b.define(0, 0, {{0, 1, 0x00}, {1, 2, 0x84}, {2, 2, 0x84}, {3, 4, 0x8C}, {4, 4, 0x86}})
      .data(0, cat({{4}, le16(1), le16(1036), le32(1234), le32(kT0)}));
  // record: timestamp, position_lat, position_long, heart_rate, distance, speed, altitude
  b.define(1, 20, {{253, 4, 0x86}, {0, 4, 0x85}, {1, 4, 0x85}, {3, 1, 0x02}, {5, 4, 0x86}, {6, 2, 0x84}, {2, 2, 0x84}});
  for (int i = 0; i < records; ++i) {
    b.data(1, cat({le32(kT0 + static_cast<std::uint32_t>(i)),
                   le32(536870912),
                   le32(static_cast<std::uint32_t>(-1073741824)),
                   {static_cast<std::uint8_t>(120 + i)},
                   le32(static_cast<std::uint32_t>(100 * i)),
                   le16(2500),
                   le16(2600)}));
  }
  // session: start_time, sport (cycling), sub_sport (road), total_elapsed_time, total_distance, timestamp
  b.define(2, 18, {{2, 4, 0x86}, {5, 1, 0x00}, {6, 1, 0x00}, {7, 4, 0x86}, {9, 4, 0x86}, {253, 4, 0x86}})
      .data(2, cat({le32(kT0),
                    {2},
                    {7},
                    le32(static_cast<std::uint32_t>(records) * 1000),
                    le32(static_cast<std::uint32_t>(records) * 100),
                    le32(kT0 + static_cast<std::uint32_t>(records))}));
  return b;
}

TEST(FitCrc, MatchesCrc16Arc) {
  const std::string check = "123456789";
  EXPECT_EQ(fit::crc16(std::as_bytes(std::span(check.data(), check.size()))), 0xBB3D);  // CRC-16/ARC check value
}

TEST(FitDecode, HeaderVariantsDecodeTheSameRecording) {
  for (const auto& bytes : {activity().file(12), activity().file(14, 0), activity().file(14, 1)}) {
    auto r = fit::decode_recording(view(bytes));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->warnings.empty());
    ASSERT_EQ(r->sessions.size(), 1u);
    const auto& s = r->sessions[0];
    EXPECT_EQ(s.sport, "cycling");
    EXPECT_EQ(s.sub_sport, "road");
    EXPECT_EQ(s.totals.start_time_ms, kT0Ms);
    EXPECT_DOUBLE_EQ(*s.totals.elapsed_s, 3.0);
    EXPECT_DOUBLE_EQ(*s.totals.distance_m, 3.0);
    ASSERT_EQ(s.samples.size(), 3u);
    EXPECT_EQ(s.samples[1].time_ms, kT0Ms + 1000);
    EXPECT_DOUBLE_EQ(*s.samples[0].latitude_deg, 45.0);    // 2^29 semicircles
    EXPECT_DOUBLE_EQ(*s.samples[0].longitude_deg, -90.0);  // -2^30 semicircles
    EXPECT_DOUBLE_EQ(*s.samples[2].heart_rate_bpm, 122.0);
    EXPECT_DOUBLE_EQ(*s.samples[2].distance_m, 2.0);
    EXPECT_DOUBLE_EQ(*s.samples[0].speed_mps, 2.5);
    EXPECT_DOUBLE_EQ(*s.samples[0].altitude_m, 2600.0 / 5 - 500);
    EXPECT_EQ(r->device, "Garmin Edge500");
    EXPECT_EQ(r->source_id, "fit:1:1234:" + std::to_string(kT0Ms / 1000));
  }
}

TEST(FitDecode, HeaderCrcMismatchWarnsOrRejects) {
  const auto bytes = activity().file(14, 2);
  auto r = fit::decode(view(bytes));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("header CRC"), std::string::npos);
  auto strict = fit::decode(view(bytes), {.reject_crc_mismatch = true});
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, pierre::ErrorCode::invalid_format);
  EXPECT_EQ(strict.error().details["offset"], 12);
}

TEST(FitDecode, FileCrcMismatchWarnsOrRejects) {
  const auto bytes = activity().file(14, 1, false);
  auto r = fit::decode_recording(view(bytes));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->sessions.size(), 1u);
  EXPECT_EQ(r->sessions[0].samples.size(), 3u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("file CRC mismatch"), std::string::npos);
  auto file = fit::decode(view(bytes));
  ASSERT_TRUE(file);
  EXPECT_FALSE(file->files.at(0).crc_ok);
  auto strict = fit::decode_recording(view(bytes), {.reject_crc_mismatch = true});
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().details["offset"], bytes.size() - 2);
  EXPECT_EQ(strict.error().details["reason"], "file CRC mismatch");
}

TEST(FitDecode, BigEndianDefinitions) {
  Builder b;
  b.define(0, 20, {{253, 4, 0x86}, {7, 2, 0x84}, {0, 4, 0x85}, {1, 4, 0x85}}, true)
      .data(0, {0x3B, 0x9A, 0xCA, 0x00, 0x01, 0x2C, 0xE0, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00});
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->sessions.size(), 1u);
  const auto& sample = r->sessions[0].samples.at(0);
  EXPECT_EQ(sample.time_ms, kT0Ms);  // 0x3B9ACA00 = 1e9
  EXPECT_DOUBLE_EQ(*sample.power_w, 300.0);
  EXPECT_DOUBLE_EQ(*sample.latitude_deg, -45.0);  // 0xE0000000 = -2^29
  EXPECT_DOUBLE_EQ(*sample.longitude_deg, 45.0);
  auto generic = fit::decode(view(b.file()));
  ASSERT_TRUE(generic);
  ASSERT_EQ(generic->messages.size(), 1u);
  EXPECT_EQ(generic->messages[0].name, "record");
  EXPECT_DOUBLE_EQ(*generic->messages[0].field("power")->values.at(0), 300.0);
}

TEST(FitDecode, CompressedTimestampsRollOver) {
  Builder b;
  const std::uint32_t t = 0x3B9ACA1E;  // low 5 bits = 30
  b.define(0, 20, {{253, 4, 0x86}, {3, 1, 0x02}}).data(0, cat({le32(t), {100}}));
  b.define(1, 20, {{3, 1, 0x02}});
  b.compressed(1, 31, {101});  // +1
  b.compressed(1, 2, {102});   // wraps: 31 -> 2 is +3
  b.compressed(1, 2, {103});   // same offset: +0
  b.compressed(1, 1, {104});   // +31
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r) << r.error().message;
  const auto& samples = r->sessions.at(0).samples;
  ASSERT_EQ(samples.size(), 5u);
  const std::int64_t base = (std::int64_t{t} + fit::kFitEpochUnixSeconds) * 1000;
  EXPECT_EQ(samples[0].time_ms, base);
  EXPECT_EQ(samples[1].time_ms, base + 1000);
  EXPECT_EQ(samples[2].time_ms, base + 4000);
  EXPECT_EQ(samples[3].time_ms, base + 4000);
  EXPECT_EQ(samples[4].time_ms, base + 35000);
  auto generic = fit::decode(view(b.file()));
  ASSERT_TRUE(generic);
  EXPECT_DOUBLE_EQ(*generic->messages.at(4).field("timestamp")->values.at(0), static_cast<double>(t + 35));
}

TEST(FitDecode, CompressedTimestampWithoutAnchorIsDropped) {
  Builder b;
  b.define(1, 20, {{3, 1, 0x02}}).compressed(1, 3, {101});
  b.define(0, 20, {{253, 4, 0x86}, {3, 1, 0x02}}).data(0, cat({le32(kT0), {100}}));
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sessions.at(0).samples.size(), 1u);
  ASSERT_FALSE(r->warnings.empty());
}

TEST(FitDecode, InvalidSentinelsBecomeNullopt) {
  Builder b;
  // heart_rate uint8 0xFF, power uint16 0xFFFF, temperature sint8 0x7F, position sint32 0x7FFFFFFF,
  // distance uint32 0xFFFFFFFF, speed as uint16z 0 (the z types' invalid value is 0).
  b.define(0, 20,
           {{253, 4, 0x86},
            {3, 1, 0x02},
            {7, 2, 0x84},
            {13, 1, 0x01},
            {0, 4, 0x85},
            {1, 4, 0x85},
            {5, 4, 0x86},
            {6, 2, 0x8B}})
      .data(0, cat({le32(kT0),
                    {0xFF},
                    le16(0xFFFF),
                    {0x7F},
                    le32(0x7FFFFFFF),
                    le32(0x7FFFFFFF),
                    le32(0xFFFFFFFF),
                    le16(0)}));
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  const auto& s = r->sessions.at(0).samples.at(0);
  EXPECT_FALSE(s.heart_rate_bpm);
  EXPECT_FALSE(s.power_w);
  EXPECT_FALSE(s.temperature_c);
  EXPECT_FALSE(s.latitude_deg);
  EXPECT_FALSE(s.longitude_deg);
  EXPECT_FALSE(s.distance_m);
  EXPECT_FALSE(s.speed_mps);
  auto generic = fit::decode(view(b.file()));
  ASSERT_TRUE(generic);
  ASSERT_EQ(generic->messages.at(0).fields.size(), 1u);  // only the timestamp survives
}

TEST(FitDecode, DeveloperFieldsGetNamesScaleAndUnits) {
  Builder b;
  // developer_data_id: developer_data_index 0
  b.define(0, 207, {{3, 1, 0x02}}).data(0, {0});
  // field_description: index 0, field 5, base uint16, name "Power2", scale 10, offset 1, units "watts"
  b.define(1, 206, {{0, 1, 0x02}, {1, 1, 0x02}, {2, 1, 0x02}, {3, 8, 0x07}, {6, 1, 0x02}, {7, 1, 0x01}, {8, 6, 0x07}})
      .data(1, cat({{0, 5, 0x84}, {'P', 'o', 'w', 'e', 'r', '2', 0, 0}, {10, 1}, {'w', 'a', 't', 't', 's', 0}}));
  b.define(2, 20, {{253, 4, 0x86}}, false, {{5, 2, 0}, {9, 1, 0}})  // dev field 9 has no description: skipped
      .data(2, cat({le32(kT0), le16(2510), {7}}));
  auto r = fit::decode(view(b.file()));
  ASSERT_TRUE(r) << r.error().message;
  const auto& record = r->messages.back();
  ASSERT_EQ(record.developer_fields.size(), 1u);
  const auto& f = record.developer_fields[0];
  EXPECT_EQ(f.name, "Power2");
  EXPECT_EQ(f.units, "watts");
  EXPECT_EQ(f.developer_data_index, 0);
  EXPECT_EQ(f.number, 5);
  EXPECT_DOUBLE_EQ(*f.values.at(0), 2510.0 / 10 - 1);
}

TEST(FitDecode, ChainedFilesDecodeInOrder) {
  auto first = activity(2).file(14);
  const auto second = activity(4).file(12);
  first.insert(first.end(), second.begin(), second.end());
  auto file = fit::decode(view(first));
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->files.size(), 2u);
  EXPECT_EQ(file->files[1].header_size, 12);
  EXPECT_TRUE(file->files[0].crc_ok && file->files[1].crc_ok);
  auto r = fit::decode_recording(view(first));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->sessions.size(), 2u);
  // Same start time in both parts: the second session (stable order) starts at the same instant; all 6 records
  // land in the latest session that started at or before them.
  std::size_t samples = 0;
  for (const auto& s : r->sessions) samples += s.samples.size();
  EXPECT_EQ(samples, 6u);
}

TEST(FitDecode, SamplesGoToTheSessionWindowHoldingThem) {
  Builder b;
  b.define(0, 20, {{253, 4, 0x86}, {3, 1, 0x02}});
  for (std::uint32_t i = 0; i < 10; ++i) b.data(0, cat({le32(kT0 + i * 10), {100}}));
  b.define(1, 18, {{2, 4, 0x86}, {5, 1, 0x00}, {7, 4, 0x86}});
  b.data(1, cat({le32(kT0 + 50), {2}, le32(40000)}));  // cycling from +50 s (listed first)
  b.data(1, cat({le32(kT0), {5}, le32(40000)}));       // swimming from +0 s
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->sessions.size(), 2u);
  EXPECT_EQ(r->sessions[0].sport, "swimming");
  EXPECT_EQ(r->sessions[0].samples.size(), 5u);  // +0..+40
  EXPECT_EQ(r->sessions[1].sport, "cycling");
  EXPECT_EQ(r->sessions[1].samples.size(), 5u);  // +50..+90
}

TEST(FitDecode, EveryTruncatedPrefixGivesAnErrorOrAWarning) {
  const auto bytes = activity(5).file();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = fit::decode_recording(view(prefix));
    if (r) {
      EXPECT_FALSE(r->warnings.empty()) << "prefix " << n;
    } else {
      EXPECT_EQ(r.error().code, pierre::ErrorCode::invalid_format);
      EXPECT_TRUE(r.error().details.contains("offset")) << "prefix " << n;
      EXPECT_TRUE(r.error().details.contains("reason")) << "prefix " << n;
    }
    auto g = fit::decode(view(prefix));
    EXPECT_TRUE(!g || !g->warnings.empty()) << "prefix " << n;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(FitDecode, TruncatedFileKeepsTheRecordsBeforeTheDamage) {
  auto bytes = activity(5).file();
  bytes.resize(bytes.size() - 30);  // cuts into the session message
  auto r = fit::decode_recording(view(bytes));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->sessions.size(), 1u);  // synthesised
  EXPECT_EQ(r->sessions[0].samples.size(), 5u);
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_NE(r->warnings[0].find("truncated"), std::string::npos);
  auto strict = fit::decode_recording(view(bytes), {.reject_damage = true});
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().details["reason"].get<std::string>().find("truncated"), std::string::npos);
}

TEST(FitDecode, AbsurdDefinitionsAreBounded) {
  Builder b;
  b.define(0, 20, {{253, 4, 0x86}}).data(0, le32(kT0));
  // 255 fields of 255 bytes and 255 developer fields of 255 bytes: a 130 050-byte record that is not there.
  Bytes def{0x61, 0, 0, 20, 0, 255};
  for (int i = 0; i < 255; ++i) def.insert(def.end(), {static_cast<std::uint8_t>(i), 255, 0x1F});  // bad base type
  def.push_back(255);
  for (int i = 0; i < 255; ++i) def.insert(def.end(), {static_cast<std::uint8_t>(i), 255, 0});
  b.raw(def).raw({0x01, 0x00});
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_NE(r->warnings[0].find("runs past the end of the data"), std::string::npos);
  // Zero-size fields cost nothing in the output.
  Builder z;
  Bytes zero{0x40, 0, 0, 20, 0, 255};
  for (int i = 0; i < 255; ++i) zero.insert(zero.end(), {static_cast<std::uint8_t>(i), 0, 0x02});
  z.raw(zero);
  for (int i = 0; i < 100; ++i) z.raw({0x00});
  auto g = fit::decode(view(z.file()));
  ASSERT_TRUE(g);
  ASSERT_EQ(g->messages.size(), 100u);
  EXPECT_TRUE(g->messages[0].fields.empty());
}

TEST(FitDecode, UnknownMessagesAndFieldsAreSkipped) {
  Builder b;
  b.define(0, 0xFF00, {{1, 3, 0x0D}}).data(0, {1, 2, 3});  // manufacturer-specific message
  b.define(1, 20, {{253, 4, 0x86}, {200, 2, 0x84}, {3, 1, 0x02}}).data(1, cat({le32(kT0), le16(7), {90}}));
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r->sessions.at(0).samples.at(0).heart_rate_bpm, 90.0);
  auto g = fit::decode(view(b.file()));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->messages[0].global_number, 0xFF00);
  EXPECT_TRUE(g->messages[0].name.empty());
  const auto* unknown = g->messages[1].field(std::uint8_t{200});
  ASSERT_NE(unknown, nullptr);
  EXPECT_TRUE(unknown->name.empty());
}

TEST(FitDecode, UndefinedLocalTypeAndBadHeadersAreErrors) {
  Builder b;
  b.data(3, {1, 2, 3});
  auto r = fit::decode(view(b.file()));
  ASSERT_FALSE(r);  // nothing decoded before the damage
  EXPECT_EQ(r.error().details["offset"], 14);
  auto bytes = activity().file();
  bytes[9] = 'G';  // ".GIT"
  auto bad = fit::decode(view(bytes));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().details["offset"], 8);
  bytes = activity().file();
  bytes[0] = 11;
  EXPECT_FALSE(fit::decode(view(bytes)));
  EXPECT_FALSE(fit::decode(view(Bytes{})));
}

TEST(FitDecode, NonActivityFileHasNoSessions) {
  Builder b;
  b.define(0, 0, {{0, 1, 0x00}, {1, 2, 0x84}}).data(0, cat({{2}, le16(1)}));  // settings
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->sessions.empty());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("not an activity file (settings)"), std::string::npos);
}

TEST(FitDecode, ComponentsExpandAndAccumulate) {
  Builder b;
  b.define(0, 20, {{253, 4, 0x86}, {8, 3, 0x0D}});
  // speed 354 (3.54 m/s), distance 12-bit values 4000 then 16 (rolled over): 4000/16 then (4096+16)/16.
  const auto csd = [](std::uint32_t speed, std::uint32_t dist) {
    const std::uint32_t v = speed | dist << 12;
    return Bytes{static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16)};
  };
  b.data(0, cat({le32(kT0), csd(354, 4000)})).data(0, cat({le32(kT0 + 1), csd(355, 16)}));
  auto g = fit::decode(view(b.file()));
  ASSERT_TRUE(g);
  EXPECT_DOUBLE_EQ(*g->messages[0].field("speed")->values.at(0), 3.54);
  EXPECT_DOUBLE_EQ(*g->messages[0].field("enhanced_speed")->values.at(0), 3.54);
  EXPECT_DOUBLE_EQ(*g->messages[0].field("distance")->values.at(0), 250.0);
  EXPECT_DOUBLE_EQ(*g->messages[1].field("distance")->values.at(0), 257.0);
  auto r = fit::decode_recording(view(b.file()));
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r->sessions.at(0).samples.at(1).distance_m, 257.0);
  EXPECT_DOUBLE_EQ(*r->sessions.at(0).samples.at(1).speed_mps, 3.55);
}

TEST(FitDecode, StringsWithoutTerminatorAndMisalignedSizes) {
  Builder b;
  b.define(0, 0, {{0, 1, 0x00}, {8, 4, 0x07}, {2, 3, 0x84}})  // product_name "Edge" unterminated; product size 3
      .data(0, {4, 'E', 'd', 'g', 'e', 1, 2, 3});
  auto g = fit::decode(view(b.file()));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->messages[0].field("product_name")->text, "Edge");
  EXPECT_EQ(g->messages[0].field("product"), nullptr);  // 3 bytes of uint16: invalid, as the SDK reads it
}

}  // namespace
