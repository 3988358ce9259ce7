#pragma once
// The FIT byte walker shared by fit::decode and fit::decode_recording (private to the formats module).
//
// It frames the input (file headers, chained files, CRCs), parses definition records into fixed-size tables (no
// allocation per record) and hands every data record to a consumer together with its definition and the timestamp
// a compressed-timestamp header implies. It also keeps the developer field descriptions (field_description +
// developer_data_id messages), which both consumers need. The consumer is a template parameter so the per-record
// call inlines into the loop.
//
// Consumer interface:
//   void on_file(const FileHeader&);
//   void on_definition(std::uint8_t local, const Definition&);
//   void on_data(const Definition&, const std::uint8_t* data, std::size_t record_offset, RecordTime time);

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "fit/profile.hpp"
#include "pierre/core/error.hpp"
#include "pierre/formats/fit.hpp"

namespace pierre::formats::fit::detail {

// Base types by their number (low 5 bits of the base type byte), FIT protocol "Base Types" table.
struct BaseInfo {
  std::uint8_t size;
  std::uint64_t invalid;
  bool is_signed;
  bool is_float;
  bool is_string;
};
inline constexpr std::uint8_t kBaseCount = 17;
inline constexpr std::array<BaseInfo, kBaseCount> kBase{{
    {1, 0xFF, false, false, false},                // 0 enum
    {1, 0x7F, true, false, false},                 // 1 sint8
    {1, 0xFF, false, false, false},                // 2 uint8
    {2, 0x7FFF, true, false, false},               // 3 sint16
    {2, 0xFFFF, false, false, false},              // 4 uint16
    {4, 0x7FFFFFFF, true, false, false},           // 5 sint32
    {4, 0xFFFFFFFF, false, false, false},          // 6 uint32
    {1, 0x00, false, false, true},                 // 7 string (NUL)
    {4, 0xFFFFFFFF, false, true, false},           // 8 float32
    {8, 0xFFFFFFFFFFFFFFFF, false, true, false},   // 9 float64
    {1, 0x00, false, false, false},                // 10 uint8z
    {2, 0x0000, false, false, false},              // 11 uint16z
    {4, 0x00000000, false, false, false},          // 12 uint32z
    {1, 0xFF, false, false, false},                // 13 byte
    {8, 0x7FFFFFFFFFFFFFFF, true, false, false},   // 14 sint64
    {8, 0xFFFFFFFFFFFFFFFF, false, false, false},  // 15 uint64
    {8, 0x0000000000000000, false, false, false},  // 16 uint64z
}};
inline constexpr std::uint8_t kByteBase = 13;
inline constexpr std::uint8_t kStringBase = 7;
inline constexpr std::array<BaseType, kBaseCount> kBaseTypes{
    BaseType::enum_,   BaseType::sint8,  BaseType::uint8,   BaseType::sint16,  BaseType::uint16, BaseType::sint32,
    BaseType::uint32,  BaseType::string, BaseType::float32, BaseType::float64, BaseType::uint8z, BaseType::uint16z,
    BaseType::uint32z, BaseType::byte,   BaseType::sint64,  BaseType::uint64,  BaseType::uint64z};

// The base type index for a base type byte; unknown numbers read as bytes (their size is still known).
constexpr std::uint8_t base_index(std::uint8_t base_type_byte) noexcept {
  const std::uint8_t number = base_type_byte & 0x1F;
  return number < kBaseCount ? number : kByteBase;
}

// One element of `size` bytes (1, 2, 4 or 8) as an unsigned integer in host order.
inline std::uint64_t load(const std::uint8_t* p, std::uint8_t size, bool big_endian) noexcept {
  static_assert(std::endian::native == std::endian::little, "the FIT reader assumes a little-endian host");
  switch (size) {
    case 1: return *p;
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return big_endian ? std::byteswap(v) : v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return big_endian ? std::byteswap(v) : v;
    }
    default: {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      return big_endian ? std::byteswap(v) : v;
    }
  }
}

// A raw element as a number (signed types sign-extended, floats bit-cast).
inline double to_double(std::uint64_t raw, std::uint8_t base) noexcept {
  switch (base) {
    case 1: return static_cast<double>(static_cast<std::int8_t>(static_cast<std::uint8_t>(raw)));
    case 3: return static_cast<double>(static_cast<std::int16_t>(static_cast<std::uint16_t>(raw)));
    case 5: return static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(raw)));
    case 14: return static_cast<double>(static_cast<std::int64_t>(raw));
    case 8: return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
    case 9: return std::bit_cast<double>(raw);
    default: return static_cast<double>(raw);
  }
}

// Decoded numbers are doubles; a file may declare any base type for any field (a sint32 sport, a float64 serial),
// so converting back to an integer must check the range first (out-of-range float -> int is undefined).
inline std::optional<std::uint32_t> as_u32(double v) noexcept {
  if (!(v >= 0 && v <= 4294967295.0)) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}
inline std::optional<std::uint64_t> as_u64(double v) noexcept {
  if (!(v >= 0 && v < 18446744073709551616.0)) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}
// FIT seconds to Unix milliseconds, clamped to +-10^12 s so the arithmetic stays defined for any input.
inline std::int64_t fit_seconds_to_unix_ms(double fit_seconds) noexcept {
  const double clamped = std::isfinite(fit_seconds) ? std::clamp(fit_seconds, -1e12, 1e12) : 0.0;
  return (static_cast<std::int64_t>(clamped) + kFitEpochUnixSeconds) * 1000;
}

struct FieldDef {
  std::uint32_t offset;  // within the data record, after the header byte
  std::uint8_t number;
  std::uint8_t size;
  std::uint8_t base;  // index into kBase
  std::uint8_t base_byte;
};

struct DevFieldDef {
  std::uint32_t offset;
  std::uint8_t number;
  std::uint8_t size;
  std::uint8_t developer_data_index;
};

struct Definition {
  bool defined = false;
  bool big_endian = false;
  std::uint8_t local = 0;  // the local message type this definition is stored under
  std::uint16_t global = 0;
  std::uint32_t size = 0;  // data bytes after the record header
  std::uint16_t num_fields = 0;
  std::uint16_t num_dev_fields = 0;
  std::int32_t timestamp_offset = -1;  // field 253 when it is one 4-byte value
  std::array<FieldDef, 255> fields{};
  std::array<DevFieldDef, 255> dev_fields{};

  [[nodiscard]] std::span<const FieldDef> field_span() const noexcept { return {fields.data(), num_fields}; }
  [[nodiscard]] std::span<const DevFieldDef> dev_span() const noexcept { return {dev_fields.data(), num_dev_fields}; }
};

// A developer field as its field_description message describes it.
struct DevFieldInfo {
  std::uint8_t base = kByteBase;
  std::uint8_t base_byte = 0x0D;
  double scale = 1;
  double offset = 0;
  std::string name;
  std::string units;
  std::uint16_t native_mesg_num = 0xFFFF;
  std::uint8_t native_field_num = 0xFF;
};

struct RecordTime {
  std::uint32_t value = 0;  // FIT seconds: the record's own timestamp field, or the compressed header's time
  bool compressed = false;  // the record header carried a 5-bit time offset
  bool known = false;       // `value` holds: a valid timestamp field, or a compressed offset after a full timestamp
};

// A string field: the bytes up to the first NUL (string fields need not be terminated), invalid UTF-8 kept as is.
inline std::string_view read_string(const std::uint8_t* p, std::size_t size) noexcept {
  const auto* nul = static_cast<const std::uint8_t*>(std::memchr(p, 0, size));
  const std::size_t length = nul != nullptr ? static_cast<std::size_t>(nul - p) : size;
  return {reinterpret_cast<const char*>(p), length};
}

class DevRegistry {
 public:
  [[nodiscard]] const DevFieldInfo* find(std::uint8_t index, std::uint8_t number) const noexcept {
    const auto it = fields_.find(key(index, number));
    return it == fields_.end() ? nullptr : &it->second;
  }
  // Reads a field_description data record (profile message 206; its fields are read raw, without scale).
  void add_description(const Definition& def, const std::uint8_t* data) {
    int index = -1, number = -1;
    DevFieldInfo info;
    for (const auto& f : def.field_span()) {
      const std::uint8_t* p = data + f.offset;
      const auto& base = kBase[f.base];
      const bool one = f.size == base.size;
      const std::uint64_t raw = one ? load(p, f.size, def.big_endian) : base.invalid;
      const bool valid = one && raw != base.invalid;
      switch (f.number) {
        case 0:
          if (valid) index = static_cast<int>(raw & 0xFF);
          break;
        case 1:
          if (valid) number = static_cast<int>(raw & 0xFF);
          break;
        case 2:
          if (valid) {
            info.base_byte = static_cast<std::uint8_t>(raw);
            info.base = base_index(info.base_byte);
          }
          break;
        case 3:
          if (base.is_string) info.name = std::string(read_string(p, f.size));
          break;
        case 6:
          if (valid && raw != 0) info.scale = static_cast<double>(raw);
          break;
        case 7:
          if (valid) info.offset = to_double(raw, f.base);
          break;
        case 8:
          if (base.is_string) info.units = std::string(read_string(p, f.size));
          break;
        case 14:
          if (valid) info.native_mesg_num = static_cast<std::uint16_t>(raw);
          break;
        case 15:
          if (valid) info.native_field_num = static_cast<std::uint8_t>(raw);
          break;
        default: break;
      }
    }
    if (index < 0 || number < 0) return;
    fields_[key(static_cast<std::uint8_t>(index), static_cast<std::uint8_t>(number))] = std::move(info);
  }

 private:
  static std::uint32_t key(std::uint8_t index, std::uint8_t number) noexcept {
    return static_cast<std::uint32_t>(index) << 8 | number;
  }
  std::unordered_map<std::uint32_t, DevFieldInfo> fields_;
};

// The FIT CRC-16 (FIT protocol "CRC": the nibble-table reference code computes CRC-16/ARC, reflected poly 0xA001,
// init 0). Expanded at compile time into eight byte tables so the loop handles 8 bytes per step ("slicing-by-8"):
// table k maps a byte to its CRC contribution when k more bytes follow it in the block.
inline constexpr std::array<std::array<std::uint16_t, 256>, 8> kCrcTables = [] {
  constexpr std::uint16_t nibble[16] = {0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
                                        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400};
  std::array<std::array<std::uint16_t, 256>, 8> t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned crc = 0;
    unsigned tmp = nibble[crc & 0xF];
    crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ nibble[b & 0xF];
    tmp = nibble[crc & 0xF];
    crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ nibble[(b >> 4) & 0xF];
    t[0][b] = static_cast<std::uint16_t>(crc);
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (unsigned b = 0; b < 256; ++b) {
      t[k][b] = static_cast<std::uint16_t>((t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF]);
    }
  }
  return t;
}();

inline std::uint16_t crc_update(std::uint16_t crc, const std::uint8_t* p, std::size_t n) noexcept {
  const auto& t = kCrcTables;
  while (n >= 8) {
    std::uint64_t block;
    std::memcpy(&block, p, 8);  // little-endian host (asserted in load())
    block ^= crc;
    crc = static_cast<std::uint16_t>(t[7][block & 0xFF] ^ t[6][(block >> 8) & 0xFF] ^ t[5][(block >> 16) & 0xFF] ^
                                     t[4][(block >> 24) & 0xFF] ^ t[3][(block >> 32) & 0xFF] ^
                                     t[2][(block >> 40) & 0xFF] ^ t[1][(block >> 48) & 0xFF] ^ t[0][block >> 56]);
    p += 8;
    n -= 8;
  }
  for (std::size_t i = 0; i < n; ++i) crc = static_cast<std::uint16_t>((crc >> 8) ^ t[0][(crc ^ p[i]) & 0xFF]);
  return crc;
}

inline std::unexpected<Error> format_error(std::size_t offset, std::string reason) {
  std::string message = fmt::format("not a valid FIT file: {} (at byte {})", reason, offset);
  return fail(ErrorCode::invalid_format, std::move(message), {{"offset", offset}, {"reason", std::move(reason)}});
}

// The walk over all (chained) files of the input. Appends warnings; returns an error per the rules in fit.hpp.
template <typename Consumer>
class Reader {
 public:
  Reader(std::span<const std::byte> bytes, const DecodeOptions& options, Consumer& consumer,
         std::vector<std::string>& warnings)
      : b_(reinterpret_cast<const std::uint8_t*>(bytes.data())),
        n_(bytes.size()),
        options_(options),
        consumer_(consumer),
        warnings_(warnings),
        defs_(std::make_unique<std::array<Definition, 16>>()) {}

  [[nodiscard]] const DevRegistry& developer_fields() const noexcept { return dev_; }
  [[nodiscard]] std::size_t data_records() const noexcept { return data_records_; }

  Result<void> run() {
    std::size_t pos = 0;
    do {
      auto next = file_at(pos);
      if (!next) return std::unexpected(std::move(next.error()));
      if (*next == 0) return {};  // stopped at damage with a warning
      pos = *next;
    } while (pos < n_);
    return {};
  }

 private:
  // Decodes the file starting at `pos`; returns the offset after it, 0 after damage that ended the walk.
  Result<std::size_t> file_at(std::size_t pos) {
    const std::size_t remaining = n_ - pos;
    if (remaining < 12) {
      return pos == 0 ? format_error(pos, fmt::format("{} bytes are too short for a FIT file header", remaining))
                      : format_error(
                            pos, fmt::format("{} trailing bytes after the FIT data are not a file header", remaining));
    }
    const std::uint8_t* h = b_ + pos;
    FileHeader header;
    header.offset = pos;
    header.header_size = h[0];
    header.protocol_version = h[1];
    header.profile_version = static_cast<std::uint16_t>(load(h + 2, 2, false));
    header.data_size = static_cast<std::uint32_t>(load(h + 4, 4, false));
    // The header size is 12, or 14 with a CRC; the protocol allows larger headers with reserved bytes.
    if (header.header_size < 12) return format_error(pos, fmt::format("header size {} < 12", header.header_size));
    if (std::memcmp(h + 8, ".FIT", 4) != 0) return format_error(pos + 8, "the header has no \".FIT\" signature");
    if (header.header_size > remaining) return format_error(pos, "the file header is truncated");
    if (header.header_size >= 14) {
      const auto stored = static_cast<std::uint16_t>(load(h + 12, 2, false));
      header.header_crc_present = stored != 0;  // 0 means "not set" (FIT protocol, header byte 12)
      if (header.header_crc_present && stored != crc_update(0, h, 12)) {
        header.crc_ok = false;
        if (options_.reject_crc_mismatch) return format_error(pos + 12, "header CRC mismatch");
        warnings_.push_back(fmt::format("header CRC mismatch in the FIT file at offset {}", pos));
      }
    }
    const std::size_t data_start = pos + header.header_size;
    const std::size_t declared_end = data_start + header.data_size;
    const bool truncated = declared_end + 2 > n_;
    const std::size_t data_end = truncated ? std::min<std::size_t>(declared_end, n_) : declared_end;
    consumer_.on_file(header);

    std::size_t p = data_start;
    while (p < data_end) {
      auto step = record_at(p, data_end, truncated);
      if (!step) return std::unexpected(std::move(step.error()));
      if (*step == 0) return std::size_t{0};
      p += *step;
    }
    if (truncated) {
      return stop(data_end, declared_end <= n_ ? std::string("truncated: the file CRC is missing")
                                               : fmt::format("truncated: {} data bytes declared, {} present",
                                                             header.data_size, data_end - data_start));
    }
    const auto stored = static_cast<std::uint16_t>(load(b_ + declared_end, 2, false));
    if (stored != crc_update(0, h, declared_end - pos)) {
      if (options_.reject_crc_mismatch) return format_error(declared_end, "file CRC mismatch");
      header.crc_ok = false;
      consumer_.on_crc_mismatch();
      warnings_.push_back(fmt::format("file CRC mismatch at offset {} (data decoded as read)", declared_end));
    }
    return declared_end + 2;
  }

  // Damage inside the data: a warning and the end of the walk, or an error (see fit.hpp).
  Result<void> damage(std::size_t offset, std::string reason) {
    if (options_.reject_damage || data_records_ == 0) return format_error(offset, std::move(reason));
    warnings_.push_back(
        fmt::format("decoding stopped at offset {} after {} data messages: {}", offset, data_records_, reason));
    return {};
  }

  Result<std::size_t> stop(std::size_t offset, std::string reason) {
    auto d = damage(offset, std::move(reason));
    if (!d) return std::unexpected(std::move(d.error()));
    return std::size_t{0};
  }

  // One record at `p`; returns its size, 0 after damage that ends the walk.
  Result<std::size_t> record_at(std::size_t p, std::size_t end, bool truncated) {
    const std::uint8_t header = b_[p];
    const auto past = [&](std::size_t need) {
      return truncated && p + need > n_ ? fmt::format("truncated: a record needs {} bytes, {} remain", need, n_ - p)
                                        : fmt::format("a record of {} bytes runs past the end of the data", need);
    };
    if ((header & 0x80) != 0 || (header & 0x40) == 0) {
      // Data record; a compressed-timestamp header (bit 7) carries local type in bits 5-6 and a 5-bit time offset.
      const bool compressed = (header & 0x80) != 0;
      const std::uint8_t local = compressed ? static_cast<std::uint8_t>((header >> 5) & 0x03) : header & 0x0F;
      const Definition& def = (*defs_)[local];
      if (!def.defined) return stop(p, fmt::format("data record of undefined local message type {}", local));
      const std::size_t need = 1 + std::size_t{def.size};
      if (need > end - p) return stop(p, past(need));
      const std::uint8_t* data = b_ + p + 1;
      RecordTime time{};
      if (compressed) {
        // FIT protocol "Compressed Timestamp Header": the offset replaces the low 5 bits, rolling over forwards.
        const std::uint32_t offset = header & 0x1F;
        last_timestamp_ += (offset - (last_timestamp_ & 0x1F)) & 0x1F;
        time = RecordTime{last_timestamp_, true, have_timestamp_};
      } else if (def.timestamp_offset >= 0) {
        const auto ts = static_cast<std::uint32_t>(load(data + def.timestamp_offset, 4, def.big_endian));
        if (ts != 0xFFFFFFFF) {
          last_timestamp_ = ts;
          have_timestamp_ = true;
          time = RecordTime{ts, false, true};
        }
      }
      ++data_records_;
      if (def.global == profile::kFieldDescription) dev_.add_description(def, data);
      consumer_.on_data(def, data, p, time);
      return need;
    }
    // Definition record: reserved, architecture, global number, field count, fields, [developer fields].
    if (end - p < 6) return stop(p, past(6));
    const std::uint8_t local = header & 0x0F;
    Definition& def = (*defs_)[local];
    def.defined = false;
    def.local = local;
    def.big_endian = b_[p + 2] != 0;  // 0 = little endian, 1 = big endian (others read as big, as the SDK does)
    def.global = static_cast<std::uint16_t>(load(b_ + p + 3, 2, def.big_endian));
    def.num_fields = b_[p + 5];
    std::size_t need = 6 + 3 * std::size_t{def.num_fields};
    const bool has_dev = (header & 0x20) != 0;
    if (has_dev) {
      if (need + 1 > end - p) return stop(p, past(need + 1));
      def.num_dev_fields = b_[p + need];
      need += 1 + 3 * std::size_t{def.num_dev_fields};
    } else {
      def.num_dev_fields = 0;
    }
    if (need > end - p) return stop(p, past(need));
    std::uint32_t offset = 0;
    def.timestamp_offset = -1;
    const std::uint8_t* f = b_ + p + 6;
    for (std::uint16_t i = 0; i < def.num_fields; ++i, f += 3) {
      FieldDef& fd = def.fields[i];
      fd = FieldDef{offset, f[0], f[1], base_index(f[2]), f[2]};
      if (fd.number == profile::kTimestampField && fd.size == 4 && kBase[fd.base].size == 4 &&
          !kBase[fd.base].is_float) {
        def.timestamp_offset = static_cast<std::int32_t>(offset);
      }
      offset += fd.size;
    }
    if (has_dev) {
      ++f;
      for (std::uint16_t i = 0; i < def.num_dev_fields; ++i, f += 3) {
        def.dev_fields[i] = DevFieldDef{offset, f[0], f[1], f[2]};
        offset += f[1];
      }
    }
    def.size = offset;
    def.defined = true;
    consumer_.on_definition(local, def);
    return need;
  }

  const std::uint8_t* b_;
  std::size_t n_;
  const DecodeOptions& options_;
  Consumer& consumer_;
  std::vector<std::string>& warnings_;
  std::unique_ptr<std::array<Definition, 16>> defs_;
  DevRegistry dev_;
  std::uint32_t last_timestamp_ = 0;
  bool have_timestamp_ = false;
  std::size_t data_records_ = 0;
};

}  // namespace pierre::formats::fit::detail
