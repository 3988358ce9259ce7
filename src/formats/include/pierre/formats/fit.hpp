#pragma once
// FIT (Flexible and Interoperable Data Transfer) activity-file decoder.
//
// Two entry points over the same byte walker:
//   fit::decode            every message of the file as a generic list (numbers, profile names, scaled values,
//                          developer fields) — for tools, dumps and tests;
//   fit::decode_recording  the activity as a formats::Recording (sessions, laps, SI samples) — the hot path: per
//                          local-definition field plans, no heap allocation per field.
//
// What the walker follows (FIT protocol description, "FIT File Structure"): a file header (12 bytes, or 14 with a
// header CRC where 0 means "not set"; larger sizes are read as 14 + reserved bytes), definition and data records
// (little- or big-endian definitions, developer-field definitions), compressed-timestamp record headers (5-bit
// offset from the last full timestamp, with rollover), and the trailing file CRC (CRC-16, poly 0xA001, init 0, over
// header + data). Several FIT files concatenated ("chained") are decoded one after the other into one result.
//
// Decisions (documented behaviour, asserted by tests/unit/formats/fit_test.cpp and the SDK comparison e2e test):
// - File CRC mismatch (or a non-zero header CRC that does not match): a warning, not an error, by default — the
//   records were framed and decoded structurally, and devices that lose power write bad CRCs on good data.
//   `DecodeOptions::reject_crc_mismatch` turns it into an error.
// - Damage inside the data (truncation, a data record of a local type never defined, a record running past the
//   declared data size): decoding stops there and returns what was decoded before, plus a warning naming the byte
//   offset and the reason ("truncated at offset 768: data record needs 9 bytes, 2 remain"). If nothing at all was
//   decoded, it is an error. `DecodeOptions::reject_damage` makes any damage an error.
// - A bad file header (not ".FIT", header size < 12, too short for a header) is an error, also for the second and
//   later parts of a chained file: bytes that are not framed as FIT are not trusted.
// - Errors are ErrorCode::invalid_format with details {"offset": <byte offset>, "reason": "<short reason>"}.
// - Invalid-value sentinels (per base type: 0xFF for enum/uint8, 0x7F.. for signed, 0 for the *z types, all-ones for
//   floats) become nullopt; a field whose size is not a multiple of its base type size is invalid (as the SDK does).
//   Unknown base types are read as bytes (their size is known, so skipping them is safe).
// - decode_recording of a file that is not an activity (file_id.type is settings, workout, weight, monitoring...)
//   and holds no session or record messages returns a Recording with zero sessions and a warning "not an activity
//   file (<type>)", not an error: the caller decides. An activity with records but no session message gets one
//   session synthesised from the records (a warning says so).
// - Samples go to the session whose [start_time, start_time + total_elapsed_time] holds them; a sample in a gap
//   between sessions goes to the latest session started before it, one before every session to the first: every
//   record message becomes exactly one sample. Laps are placed the same way by their start_time. Record messages
//   without any timestamp (none seen yet in the file) are dropped with a warning.
// - Work is bounded per input byte: each record consumes at least one byte, a definition at most 255+255 fields,
//   component expansion is a fixed profile table. Memory is proportional to the input (worst case ~200 bytes of
//   output per input byte, e.g. one-byte record messages each giving a Sample).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/formats/recording.hpp"

namespace pierre::formats::fit {

// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z), FIT protocol "date_time".
inline constexpr std::int64_t kFitEpochUnixSeconds = 631065600;

// The FIT base types (FIT protocol, "Base Types"): the byte as written in a field definition.
enum class BaseType : std::uint8_t {
  enum_ = 0x00,
  sint8 = 0x01,
  uint8 = 0x02,
  sint16 = 0x83,
  uint16 = 0x84,
  sint32 = 0x85,
  uint32 = 0x86,
  string = 0x07,
  float32 = 0x88,
  float64 = 0x89,
  uint8z = 0x0A,
  uint16z = 0x8B,
  uint32z = 0x8C,
  byte = 0x0D,
  sint64 = 0x8E,
  uint64 = 0x8F,
  uint64z = 0x90,
};

struct DecodeOptions {
  bool reject_crc_mismatch = false;  // a bad file/header CRC is an error instead of a warning
  bool reject_damage = false;        // truncation or a malformed record is an error instead of a warning
  bool expand_components = true;     // fit::decode adds component fields (enhanced_speed from speed, ...)
};

// One decoded field. Numbers carry the profile's scale and offset already applied (raw / scale - offset), so they
// are in `units`. Fields whose every value is the invalid sentinel are left out of the message.
struct Field {
  std::uint8_t number = 0;                           // field definition number (a developer field's own number)
  std::optional<std::uint8_t> developer_data_index;  // set for developer fields
  std::string name;                                  // profile or developer name; empty when unknown
  std::string units;
  BaseType base_type = BaseType::byte;        // as the file declared it
  bool expanded = false;                      // produced by component expansion, not present in the file
  std::vector<std::optional<double>> values;  // one per array element; nullopt = invalid sentinel
  std::string text;                           // string fields, and the name of an enum value the profile knows
};

struct Message {
  std::uint16_t global_number = 0;
  std::string_view name;   // profile name ("record", "session"...), empty when unknown; static storage
  std::size_t offset = 0;  // byte offset of the record header in the input
  std::vector<Field> fields;
  std::vector<Field> developer_fields;

  [[nodiscard]] const Field* field(std::string_view field_name) const noexcept;
  [[nodiscard]] const Field* field(std::uint8_t number) const noexcept;
};

struct FileHeader {
  std::size_t offset = 0;  // where this (possibly chained) file starts
  std::uint8_t header_size = 0;
  std::uint8_t protocol_version = 0;
  std::uint16_t profile_version = 0;
  std::uint32_t data_size = 0;
  bool header_crc_present = false;  // 14-byte header with a non-zero CRC
  bool crc_ok = true;               // file CRC (and header CRC when present) matched
};

struct FitFile {
  std::vector<FileHeader> files;  // one per chained part
  std::vector<Message> messages;  // in file order
  std::vector<std::string> warnings;
};

// Every message of the file. Errors: invalid_format with {"offset", "reason"} details (see above).
[[nodiscard]] Result<FitFile> decode(std::span<const std::byte> bytes, const DecodeOptions& options = {});

// The activity in SI units. Errors as decode().
[[nodiscard]] Result<Recording> decode_recording(std::span<const std::byte> bytes, const DecodeOptions& options = {});

// The FIT CRC-16 (FIT protocol "CRC"): CRC-16/ARC, reflected poly 0xA001, initial value `crc`.
[[nodiscard]] std::uint16_t crc16(std::span<const std::byte> bytes, std::uint16_t crc = 0) noexcept;

// Profile lookups used by tools and tests; empty when the profile does not name the value.
[[nodiscard]] std::string_view message_name(std::uint16_t global_number) noexcept;
[[nodiscard]] std::string_view sport_name(std::uint8_t sport) noexcept;
[[nodiscard]] std::string_view sub_sport_name(std::uint8_t sub_sport) noexcept;
[[nodiscard]] std::string_view manufacturer_name(std::uint16_t manufacturer) noexcept;

}  // namespace pierre::formats::fit
