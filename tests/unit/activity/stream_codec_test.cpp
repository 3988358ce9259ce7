// The stored streams format (src/activity/stream_codec.hpp): round trips within each channel's quantum, gaps,
// degenerate shapes, refusal of anything that is not a well-formed v1 blob (bounded, never a crash), and the
// compression a demo athlete's activities get.

#include "stream_codec.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "pierre/activity/demo_athlete.hpp"

namespace pierre::activity {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct ChannelSpec {
  const char* name;
  std::vector<double> Streams::*member;
  double quantum;  // the documented precision
};

constexpr std::array<ChannelSpec, 10> kChannels{{
    {"time_s", &Streams::time_s, 1e-3},
    {"distance_m", &Streams::distance_m, 1e-2},
    {"latitude_deg", &Streams::latitude_deg, 1e-7},
    {"longitude_deg", &Streams::longitude_deg, 1e-7},
    {"altitude_m", &Streams::altitude_m, 1e-2},
    {"heart_rate_bpm", &Streams::heart_rate_bpm, 1e-1},
    {"power_w", &Streams::power_w, 1e-1},
    {"cadence_rpm", &Streams::cadence_rpm, 1e-1},
    {"speed_mps", &Streams::speed_mps, 1e-3},
    {"temperature_c", &Streams::temperature_c, 1e-1},
}};

// A value the codec keeps: finite, and small enough that its quantised form leaves room for a delta in int64.
bool representable(double v, double quantum) {
  return std::isfinite(v) && std::fabs(v / quantum) < 4e18;
}

void expect_round_trip(const Streams& in, const Streams& out) {
  ASSERT_EQ(out.size(), in.size());
  for (const auto& c : kChannels) {
    SCOPED_TRACE(c.name);
    const auto& a = in.*c.member;
    const auto& b = out.*c.member;
    if (a.size() != in.size() || a.empty()) {
      EXPECT_TRUE(b.empty()) << "a channel that was not stored came back";
      continue;
    }
    ASSERT_EQ(b.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!representable(a[i], c.quantum)) {
        ASSERT_TRUE(std::isnan(b[i])) << "at " << i << ": " << a[i] << " → " << b[i];
      } else {
        // Half a quantum, plus the rounding of the double arithmetic itself.
        ASSERT_LE(std::fabs(b[i] - a[i]), c.quantum / 2 * (1 + 1e-9) + std::fabs(a[i]) * 1e-15)
            << "at " << i << ": " << a[i] << " → " << b[i];
      }
    }
  }
}

Streams round_trip(const Streams& in) {
  const auto blob = encode_streams(in);
  auto decoded = decode_streams(blob);
  EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().message);
  return decoded ? *decoded : Streams{};
}

// Every channel present: random values, negatives and large magnitudes included.
Streams random_streams(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Streams s;
  double t = 0;
  for (std::size_t i = 0; i < n; ++i) {
    t += 0.001 + unit(rng) * 5;
    s.time_s.push_back(t);
    s.distance_m.push_back(unit(rng) * 4e7);          // up to the Earth's circumference
    s.latitude_deg.push_back(-90 + unit(rng) * 180);  // whole range, big deltas
    s.longitude_deg.push_back(-180 + unit(rng) * 360);
    s.altitude_m.push_back(-430 + unit(rng) * 9300);  // Dead Sea to Everest
    s.heart_rate_bpm.push_back(unit(rng) * 250);
    s.power_w.push_back(unit(rng) < 0.01 ? -unit(rng) * 100 : unit(rng) * 2500);  // the odd negative glitch
    s.cadence_rpm.push_back(unit(rng) * 200);
    s.speed_mps.push_back((unit(rng) - 0.1) * 40);
    s.temperature_c.push_back(-40 + unit(rng) * 90);
  }
  return s;
}

TEST(StreamCodec, RoundTripsRandomDataWithinEachChannelsQuantum) {
  for (const std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
    SCOPED_TRACE(seed);
    const auto in = random_streams(5000, seed);
    expect_round_trip(in, round_trip(in));
  }
}

TEST(StreamCodec, KeepsGapsAtTheStartMiddleAndEndAndAllGapChannels) {
  auto s = random_streams(200, 9);
  for (std::size_t i = 0; i < 10; ++i) s.heart_rate_bpm[i] = kNaN;   // start
  for (std::size_t i = 190; i < 200; ++i) s.power_w[i] = kNaN;       // end
  for (std::size_t i = 50; i < 150; i += 7) s.altitude_m[i] = kNaN;  // scattered
  for (std::size_t i = 80; i < 120; ++i) s.latitude_deg[i] = kNaN;   // a tunnel
  for (std::size_t i = 80; i < 120; ++i) s.longitude_deg[i] = kNaN;
  s.cadence_rpm.assign(200, kNaN);  // a present channel without a value
  s.speed_mps[0] = kInf;            // non-finite values are gaps too
  s.speed_mps[1] = -kInf;
  s.temperature_c[0] = kNaN;  // alternating
  for (std::size_t i = 0; i < 200; i += 2) s.temperature_c[i] = kNaN;
  const auto out = round_trip(s);
  expect_round_trip(s, out);
  ASSERT_EQ(out.cadence_rpm.size(), 200U);
  EXPECT_TRUE(std::isnan(out.cadence_rpm[0]));
  EXPECT_TRUE(std::isnan(out.speed_mps[0]));
  EXPECT_TRUE(std::isnan(out.speed_mps[1]));
  EXPECT_FALSE(std::isnan(out.speed_mps[2]));
  EXPECT_TRUE(std::isnan(out.heart_rate_bpm[9]));
  EXPECT_FALSE(std::isnan(out.heart_rate_bpm[10]));
}

TEST(StreamCodec, DegenerateShapes) {
  // Empty streams.
  const Streams empty;
  const auto e = round_trip(empty);
  EXPECT_TRUE(e.empty());
  for (const auto& c : kChannels) EXPECT_TRUE((e.*c.member).empty()) << c.name;

  // One sample, one channel beside time.
  Streams one;
  one.time_s = {0};
  one.heart_rate_bpm = {142.34};
  const auto o = round_trip(one);
  expect_round_trip(one, o);
  ASSERT_EQ(o.heart_rate_bpm.size(), 1U);
  EXPECT_DOUBLE_EQ(o.heart_rate_bpm[0], 142.3);
  EXPECT_TRUE(o.power_w.empty());

  // Only time.
  Streams times;
  times.time_s = {0, 0.5, 1.25, 3600.001};
  expect_round_trip(times, round_trip(times));

  // A channel whose length does not match time_s is not stored (it would break the column invariant).
  Streams ragged = times;
  ragged.power_w = {100, 200};
  const auto r = round_trip(ragged);
  EXPECT_TRUE(r.power_w.empty());
  EXPECT_EQ(r.time_s.size(), 4U);
}

TEST(StreamCodec, HandlesExtremeMagnitudesAndTheirLimit) {
  Streams s;
  // Alternating near the representable limit: the largest deltas (±8e18) still fit an int64.
  const double edge = 3.9e18;
  s.time_s = {0, 1, 2, 3, 4, 5};
  s.distance_m = {edge / 1e2, -edge / 1e2, edge / 1e2, -edge / 1e2, 0, 1e12};
  // Beyond it: stored as gaps, not as garbage.
  s.power_w = {5e17, -5e17, 1e300, -1e300, 12.3, std::numeric_limits<double>::max()};
  s.latitude_deg = {-90, 90, -90, 90, 0, -0.0};
  s.longitude_deg = {-180, 180, -180, 180, 1e-8, -1e-8};
  const auto out = round_trip(s);
  expect_round_trip(s, out);
  EXPECT_TRUE(std::isnan(out.power_w[0]));
  EXPECT_TRUE(std::isnan(out.power_w[2]));
  EXPECT_NEAR(out.power_w[4], 12.3, 1e-9);
  EXPECT_EQ(out.longitude_deg[4], 0.0);
}

TEST(StreamCodec, RoundTripsTheDemoAthleteAndReportsCompression) {
  DemoOptions options;
  options.end_time_ms = 1'767'225'600'000;  // 2026-01-01
  options.days = 21;
  const auto demo = generate_demo_athlete(options);
  ASSERT_GT(demo.activities.size(), 5U);
  std::size_t samples = 0;
  std::size_t values = 0;
  std::size_t stored = 0;
  for (const auto& a : demo.activities) {
    SCOPED_TRACE(a.activity.name);
    const auto blob = encode_streams(a.streams);
    auto decoded = decode_streams(blob);
    ASSERT_TRUE(decoded) << decoded.error().message;
    expect_round_trip(a.streams, *decoded);
    samples += a.streams.size();
    for (const auto& c : kChannels) {
      if ((a.streams.*c.member).size() == a.streams.size()) values += a.streams.size();
    }
    stored += blob.size();
  }
  ASSERT_GT(samples, 0U);
  const double per_sample = double(stored) / double(samples);
  const double present_raw = 8.0 * double(values) / double(samples);
  std::cout << "[ codec  ] " << demo.activities.size() << " demo activities, " << samples << " samples, "
            << double(values) / double(samples) << " channels/sample: " << stored << " bytes stored = " << per_sample
            << " B/sample, vs 80 B/sample for 10 channels of doubles (" << 80.0 / per_sample << "x) and " << present_raw
            << " B/sample for the present channels (" << present_raw / per_sample << "x)\n";
  ::testing::Test::RecordProperty("bytes_per_sample", std::to_string(per_sample));
  // The header's promise: a few KB for an hour at 1 Hz with nine channels (~32 k values, ~260 KB of doubles).
  EXPECT_LT(per_sample, 8.0);
}

// ---- refusals ----

std::vector<std::uint8_t> frame(const std::vector<std::uint8_t>& raw, std::uint8_t version = 1) {
  std::vector<std::uint8_t> out(3 + ZSTD_compressBound(raw.size()));
  out[0] = 'P';
  out[1] = 'S';
  out[2] = version;
  const auto n = ZSTD_compress(out.data() + 3, out.size() - 3, raw.data(), raw.size(), 3);
  EXPECT_EQ(ZSTD_isError(n), 0U);
  out.resize(3 + n);
  return out;
}

std::vector<std::uint8_t> raw_of(const std::vector<std::uint8_t>& blob) {
  const auto size = ZSTD_getFrameContentSize(blob.data() + 3, blob.size() - 3);
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(size));
  const auto n = ZSTD_decompress(raw.data(), raw.size(), blob.data() + 3, blob.size() - 3);
  EXPECT_EQ(n, raw.size());
  return raw;
}

void varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7U;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

std::vector<std::uint8_t> payload(std::initializer_list<std::uint64_t> varints) {
  std::vector<std::uint8_t> out;
  for (const auto v : varints) varint(out, v);
  return out;
}

// Whatever decode accepts is a well-formed Streams: every channel empty or as long as time_s.
void expect_refused_or_well_formed(std::span<const std::uint8_t> blob) {
  const auto decoded = decode_streams(blob);
  if (!decoded) {
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_format);
    return;
  }
  const auto n = decoded->size();
  EXPECT_LE(n, 20'000'000U);
  for (const auto& c : kChannels) {
    const auto size = ((*decoded).*c.member).size();
    EXPECT_TRUE(size == 0 || size == n) << c.name << " has " << size << " of " << n;
  }
}

void expect_refused(std::span<const std::uint8_t> blob, const char* what) {
  const auto decoded = decode_streams(blob);
  ASSERT_FALSE(decoded) << what;
  EXPECT_EQ(decoded.error().code, ErrorCode::invalid_format) << what;
}

Streams small_streams() {
  auto s = random_streams(40, 5);
  s.heart_rate_bpm[3] = kNaN;
  s.power_w.assign(40, kNaN);
  return s;
}

TEST(StreamCodec, RefusesAWrongHeader) {
  const auto good = encode_streams(small_streams());
  ASSERT_TRUE(decode_streams(good));
  auto magic = good;
  magic[0] = 'X';
  expect_refused(magic, "magic");
  auto magic2 = good;
  magic2[1] = 's';
  expect_refused(magic2, "magic");
  for (const int version : {0, 2, 255}) {
    auto other = good;
    other[2] = static_cast<std::uint8_t>(version);
    expect_refused(other, "version");
  }
  // A well-formed payload under another version number.
  expect_refused(frame(raw_of(good), 2), "version 2");
  expect_refused(std::vector<std::uint8_t>{}, "empty");
  expect_refused(std::vector<std::uint8_t>{'P', 'S', 1}, "header only");
  // Not a zstd frame after the header.
  std::vector<std::uint8_t> plain{'P', 'S', 1};
  const auto raw = raw_of(good);
  plain.insert(plain.end(), raw.begin(), raw.end());
  expect_refused(plain, "uncompressed payload");
}

TEST(StreamCodec, RefusesEveryTruncation) {
  const auto good = encode_streams(small_streams());
  for (std::size_t len = 0; len < good.size(); ++len) {
    expect_refused(std::span(good).first(len), ("blob prefix " + std::to_string(len)).c_str());
  }
  // A payload cut short anywhere (then compressed well-formed) is refused too, and so is one with a trailing byte.
  const auto raw = raw_of(good);
  for (std::size_t len = 0; len < raw.size(); ++len) {
    expect_refused(frame(std::vector<std::uint8_t>(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(len))),
                   ("payload prefix " + std::to_string(len)).c_str());
  }
  auto longer = raw;
  longer.push_back(0);
  expect_refused(frame(longer), "trailing byte");
  // Trailing bytes after the zstd frame.
  auto appended = good;
  appended.push_back(0);
  expect_refused(appended, "bytes after the frame");
}

TEST(StreamCodec, RefusesMalformedPayloads) {
  constexpr std::uint64_t k2p40 = 1ULL << 40U;
  expect_refused(frame(payload({k2p40, 1, 2, 0, k2p40})), "2^40 samples, all absent");
  expect_refused(frame(payload({k2p40, 1, 1, k2p40})), "2^40 samples, all present, no values");
  expect_refused(frame(payload({20'000'001, 1, 2, 0, 20'000'001})), "one more than the documented bound");
  expect_refused(frame(payload({~0ULL, 1})), "2^64-1 samples");
  expect_refused(frame(payload({3, 1ULL << 10U, 1, 3, 0, 0, 0})), "an unknown channel bit");
  expect_refused(frame(payload({3, 2, 1, 3, 0, 0, 0})), "samples without a time channel");
  expect_refused(frame(payload({3, 1, 1, 2, 0, 0})), "runs that do not add up");
  expect_refused(frame(payload({3, 1, 2, 3, 1, 0, 0, 0})), "runs adding to more than n");
  expect_refused(frame(payload({3, 1, 5, 1, 0, 1, 0, 1, 0, 0})), "more runs than samples + 1");
  expect_refused(frame(payload({3, 1, 1, ~0ULL})), "a run longer than n");
  expect_refused(frame(payload({3, 1, 1, 3, 0, 0})), "a missing value");
  // An overlong varint (eleven continuation bytes).
  std::vector<std::uint8_t> overlong(11, 0x80);
  overlong.push_back(1);
  expect_refused(frame(overlong), "an overlong varint");
  // The smallest well-formed payloads decode.
  EXPECT_TRUE(decode_streams(frame(payload({0, 0}))));
  auto three = decode_streams(frame(payload({3, 1, 1, 3, 2, 2, 2})));
  ASSERT_TRUE(three) << three.error().message;
  EXPECT_EQ(three->time_s, (std::vector<double>{0.001, 0.002, 0.003}));
  // A zstd frame that claims more content than it has, or far more than the bound on the decoded size.
  auto lying = frame(payload({3, 1, 1, 3, 2, 2, 2}));
  lying.resize(lying.size() - 1);
  expect_refused(lying, "short frame");
}

TEST(StreamCodec, FlippedBytesAreRefusedOrDecodeToWellFormedStreams) {
  const auto good = encode_streams(small_streams());
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const std::uint8_t mask : std::initializer_list<std::uint8_t>{0x01, 0x10, 0x80, 0xff}) {
      auto bad = good;
      bad[i] ^= mask;
      expect_refused_or_well_formed(bad);
    }
  }
  // The payload inside the frame, where zstd cannot notice the damage.
  const auto raw = raw_of(good);
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (const std::uint8_t mask : std::initializer_list<std::uint8_t>{0x01, 0x02, 0x40, 0x80, 0xff}) {
      auto bad = raw;
      bad[i] ^= mask;
      const auto blob = frame(bad);
      expect_refused_or_well_formed(blob);
      accepted += decode_streams(blob) ? 1U : 0U;
    }
  }
  // Random payloads of random varints.
  std::mt19937_64 rng(77);
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::uint8_t> junk;
    const auto length = rng() % 64;
    varint(junk, rng() % 50);
    varint(junk, rng() % 1024);
    for (std::uint64_t k = 0; k < length; ++k)
      junk.push_back(static_cast<std::uint8_t>(rng() % 8 == 0 ? rng() : rng() % 4));
    expect_refused_or_well_formed(frame(junk));
  }
  std::cout << "[ codec  ] " << accepted << " of " << raw.size() * 5
            << " single-byte payload corruptions still decode (to well-formed streams)\n";
}

}  // namespace
}  // namespace pierre::activity
