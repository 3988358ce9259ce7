#include "stream_codec.hpp"

#include <zstd.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

namespace pierre::activity {
namespace {

struct Channel {
  std::vector<double> Streams::*member;
  double scale;  // quantised value = round(value * scale)
};

// Order and scales are part of the stored format: append only.
constexpr std::array<Channel, 10> kChannels{{
    {&Streams::time_s, 1e3},
    {&Streams::distance_m, 1e2},
    {&Streams::latitude_deg, 1e7},
    {&Streams::longitude_deg, 1e7},
    {&Streams::altitude_m, 1e2},
    {&Streams::heart_rate_bpm, 1e1},
    {&Streams::power_w, 1e1},
    {&Streams::cadence_rpm, 1e1},
    {&Streams::speed_mps, 1e3},
    {&Streams::temperature_c, 1e1},
}};

constexpr std::uint8_t kMagic0 = 'P';
constexpr std::uint8_t kMagic1 = 'S';
constexpr std::uint8_t kVersion = 1;
constexpr std::uint64_t kMaxSamples = 20'000'000;
constexpr std::uint64_t kMaxRawBytes = 1ULL << 30U;

// LEB128, appended with one insert (not a push_back per byte: a year of demo samples is tens of millions of them).
void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  std::array<std::uint8_t, 10> bytes{};
  std::size_t n = 0;
  while (v >= 0x80) {
    bytes[n++] = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7U;
  }
  bytes[n++] = static_cast<std::uint8_t>(v);
  out.insert(out.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1U) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1U) ^ -static_cast<std::int64_t>(v & 1U);
}

// Values whose quantised form would not leave room for a delta in int64 are treated as absent.
bool usable(double v, double scale) {
  return std::isfinite(v) && std::fabs(v * scale) < 4e18;
}

std::int64_t quantise(double v, double scale) {
  return static_cast<std::int64_t>(std::llround(v * scale));
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool varint(std::uint64_t& v) {
    v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return false;
      const std::uint8_t b = bytes_[pos_++];
      v |= std::uint64_t{b & 0x7fU} << shift;
      if ((b & 0x80U) == 0) return true;
    }
    return false;
  }
  [[nodiscard]] bool done() const { return pos_ == bytes_.size(); }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

std::unexpected<Error> corrupt(const char* why) {
  return fail(ErrorCode::invalid_format, std::string("stored streams are corrupt: ") + why);
}

}  // namespace

std::vector<std::uint8_t> encode_streams(const Streams& s) {
  const std::size_t n = s.size();
  std::vector<std::uint8_t> raw;
  raw.reserve(n * 8 + 16);
  put_varint(raw, n);
  std::uint64_t mask = 0;
  for (std::size_t c = 0; c < kChannels.size(); ++c) {
    if ((s.*kChannels[c].member).size() == n && n > 0) mask |= 1ULL << c;
  }
  put_varint(raw, mask);
  for (std::size_t c = 0; c < kChannels.size(); ++c) {
    if ((mask & (1ULL << c)) == 0) continue;
    const auto& values = s.*kChannels[c].member;
    // Runs of present / absent samples, starting with present (possibly an empty first run).
    std::vector<std::uint64_t> runs;
    bool present = true;
    std::uint64_t run = 0;
    for (const double v : values) {
      if (usable(v, kChannels[c].scale) == present) {
        ++run;
      } else {
        runs.push_back(run);
        present = !present;
        run = 1;
      }
    }
    runs.push_back(run);
    put_varint(raw, runs.size());
    for (const auto r : runs) put_varint(raw, r);
    std::int64_t previous = 0;
    for (const double v : values) {
      if (!usable(v, kChannels[c].scale)) continue;
      const auto q = quantise(v, kChannels[c].scale);
      put_varint(raw, zigzag(q - previous));
      previous = q;
    }
  }
  std::vector<std::uint8_t> out(3 + ZSTD_compressBound(raw.size()));
  out[0] = kMagic0;
  out[1] = kMagic1;
  out[2] = kVersion;
  const std::size_t written = ZSTD_compress(out.data() + 3, out.size() - 3, raw.data(), raw.size(), 3);
  // Compressing into a ZSTD_compressBound buffer cannot fail short of memory exhaustion.
  out.resize(ZSTD_isError(written) != 0U ? 3 : 3 + written);
  return out;
}

Result<Streams> decode_streams(std::span<const std::uint8_t> blob) {
  if (blob.size() < 4 || blob[0] != kMagic0 || blob[1] != kMagic1) return corrupt("bad header");
  if (blob[2] != kVersion) return corrupt("unknown version");
  const auto frame = blob.subspan(3);
  const unsigned long long raw_size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN || raw_size > kMaxRawBytes) {
    return corrupt("bad frame");
  }
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(raw_size));
  const std::size_t got = ZSTD_decompress(raw.data(), raw.size(), frame.data(), frame.size());
  if (ZSTD_isError(got) != 0U || got != raw.size()) return corrupt("bad frame");

  Reader in(raw);
  std::uint64_t n = 0;
  std::uint64_t mask = 0;
  if (!in.varint(n) || !in.varint(mask) || n > kMaxSamples) return corrupt("bad counts");
  if (mask >> kChannels.size() != 0) return corrupt("unknown channel");
  Streams s;
  for (std::size_t c = 0; c < kChannels.size(); ++c) {
    if ((mask & (1ULL << c)) == 0) continue;
    std::uint64_t run_count = 0;
    if (!in.varint(run_count) || run_count > n + 1 || run_count > in.remaining()) return corrupt("bad runs");
    std::vector<std::uint64_t> runs(static_cast<std::size_t>(run_count));
    std::uint64_t total = 0;
    for (auto& r : runs) {
      if (!in.varint(r) || r > n) return corrupt("bad runs");
      total += r;
    }
    if (total != n) return corrupt("runs do not add up");
    // Time is never missing, so n is bounded by the bytes that encode it: a tiny blob cannot claim millions of
    // all-gap samples and make us allocate for them.
    if (c == 0 && (runs.size() != 1 || n > in.remaining())) return corrupt("time has gaps");
    auto& values = s.*kChannels[c].member;
    values.assign(static_cast<std::size_t>(n), std::numeric_limits<double>::quiet_NaN());
    std::size_t at = 0;
    std::int64_t previous = 0;
    bool present = true;
    for (const auto r : runs) {
      if (present) {
        for (std::uint64_t k = 0; k < r; ++k) {
          std::uint64_t d = 0;
          if (!in.varint(d)) return corrupt("truncated values");
          // Wrapping arithmetic: a hostile blob may not overflow a signed integer.
          previous =
              static_cast<std::int64_t>(static_cast<std::uint64_t>(previous) + static_cast<std::uint64_t>(unzigzag(d)));
          values[at++] = static_cast<double>(previous) / kChannels[c].scale;
        }
      } else {
        at += static_cast<std::size_t>(r);
      }
      present = !present;
    }
  }
  if (!in.done()) return corrupt("trailing bytes");
  if ((mask & 1U) == 0 && n > 0) return corrupt("no time channel");
  return s;
}

}  // namespace pierre::activity
