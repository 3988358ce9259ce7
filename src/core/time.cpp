#include "pierre/core/time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace pierre {

std::int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso8601_ms(std::int64_t epoch_ms) {
  const std::chrono::system_clock::time_point t{std::chrono::milliseconds(epoch_ms)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(t));
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(t));
}

std::string iso8601_millis(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", std::chrono::floor<std::chrono::seconds>(t), ms);
}

}  // namespace pierre

namespace pierre {
namespace {

// Reads exactly `width` decimal digits at `pos`.
bool digits(std::string_view s, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  std::int64_t ms = duration_cast<milliseconds>(sys_days(date).time_since_epoch()).count();
  if (s.size() == 10) return ms;
  int h = 0, mi = 0, se = 0;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s.size() < 19 || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se) || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  ms += (std::int64_t{h} * 3600 + mi * 60 + se) * 1000;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t fraction = 0;
    int scale = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale < 3) {
        fraction = fraction * 10 + (s[pos] - '0');
        ++scale;
      }
      ++pos;
    }
    if (scale == 0) return std::nullopt;
    while (scale++ < 3) fraction *= 10;
    ms += fraction;
  }
  if (pos == s.size()) return std::nullopt;  // a time needs its offset
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size() ? std::optional(ms) : std::nullopt;
  int oh = 0, om = 0;
  if ((s[pos] != '+' && s[pos] != '-') || pos + 6 != s.size() || !digits(s, pos + 1, 2, oh) || s[pos + 3] != ':' ||
      !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
    return std::nullopt;
  }
  const std::int64_t offset = (std::int64_t{oh} * 3600 + om * 60) * 1000;
  return s[pos] == '+' ? ms - offset : ms + offset;
}

}  // namespace pierre
