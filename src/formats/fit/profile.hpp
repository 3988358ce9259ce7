#pragma once
// The slice of the FIT profile (Profile.xlsx, "Messages" and "Types" sheets, profile 21.217) this decoder knows:
// message names for every global message number, field tables (number, name, profile base type, scale, offset,
// units, components) for the messages an activity needs, and the enum value names it reports. Field numbers,
// scales and components are facts of the published profile, as also reproduced by python-fitparse (MIT).

#include <cstdint>
#include <span>
#include <string_view>

namespace pierre::formats::fit::profile {

// Which value-name table an enum-typed field uses (and date_time for the FIT timestamp types).
enum class Kind : std::uint8_t {
  number,
  date_time,        // seconds since the FIT epoch, UTC
  local_date_time,  // seconds since the FIT epoch, local time
  string,
  bytes,
  sport,
  sub_sport,
  manufacturer,
  product,  // garmin_product when the message's manufacturer is Garmin/Dynastream/Tacx (profile subfield)
  file,
  event,
  event_type,
  mesg_num,
  activity_type,
  lap_trigger,
  session_trigger,
  intensity,
  swim_stroke,
  battery_status,
  source_type,
  activity_kind,
  body_location,
  gender,
  other_enum,  // an enum whose names this decoder does not carry
};

// A component (profile "Components"/"Bits"/"Scale"/"Offset"/"Accumulate" columns): `bits` bits of the source field
// become field `target` of the same message, value = bits / scale - offset.
struct Component {
  std::uint8_t target;
  std::uint8_t bits;
  double scale;
  double offset;
  bool accumulate;
};

struct FieldSpec {
  std::uint8_t number;
  std::string_view name;
  Kind kind;
  double scale;
  double offset;
  std::string_view units;
  std::span<const Component> components;
};

struct MessageSpec {
  std::uint16_t number;
  std::string_view name;
  std::span<const FieldSpec> fields;  // sorted by number; empty when only the name is known
};

// Global message numbers (profile mesg_num) the decoder treats specially.
inline constexpr std::uint16_t kFileId = 0;
inline constexpr std::uint16_t kSport = 12;
inline constexpr std::uint16_t kSession = 18;
inline constexpr std::uint16_t kLap = 19;
inline constexpr std::uint16_t kRecord = 20;
inline constexpr std::uint16_t kEvent = 21;
inline constexpr std::uint16_t kDeviceInfo = 23;
inline constexpr std::uint16_t kActivity = 34;
inline constexpr std::uint16_t kHrv = 78;
inline constexpr std::uint16_t kFieldDescription = 206;
inline constexpr std::uint16_t kDeveloperDataId = 207;

// 0xFF00-0xFFFE is the manufacturer-specific range (profile mesg_num mfg_range_min/max): bounds, not names.
inline constexpr std::uint16_t kMfgRangeMin = 0xFF00;

inline constexpr std::uint8_t kTimestampField = 253;  // field 253 is "timestamp" in every message that has one

[[nodiscard]] const MessageSpec* find_message(std::uint16_t number) noexcept;
[[nodiscard]] const FieldSpec* find_field(const MessageSpec* message, std::uint8_t number) noexcept;
// The name of `value` in the table for `kind` (empty when unknown or when `kind` has no table).
[[nodiscard]] std::string_view enum_name(Kind kind, std::uint32_t value) noexcept;
// Manufacturers whose `product` field is a garmin_product (profile subfield garmin_product of file_id/device_info).
[[nodiscard]] constexpr bool is_garmin_family(std::uint32_t manufacturer) noexcept {
  return manufacturer == 1 || manufacturer == 13 || manufacturer == 15 || manufacturer == 89;
}

}  // namespace pierre::formats::fit::profile
