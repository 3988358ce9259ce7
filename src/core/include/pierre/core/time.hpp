#pragma once
// Timestamps on the wire: RFC 3339 in UTC.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pierre {

inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// Milliseconds since the Unix epoch, now: how the store records times.
std::int64_t now_epoch_ms();
constexpr std::int64_t epoch_ms(std::chrono::system_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "2026-11-27T08:00:00Z" (second precision), from a time point or from epoch milliseconds.
std::string iso8601(std::chrono::system_clock::time_point t);
std::string iso8601_ms(std::int64_t epoch_ms);
// "2026-11-27T08:00:00.123Z" (millisecond precision).
std::string iso8601_millis(std::chrono::system_clock::time_point t);

// Parses "2026-11-27", "2026-11-27T08:00:00Z", "2026-11-27T08:00:00.5+02:00" (RFC 3339; a bare date is midnight
// UTC) into epoch milliseconds; nullopt for anything else, including impossible dates.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);
}  // namespace pierre
