#include "pierre/intelligence/zones.hpp"

#include "pierre/intelligence/performance.hpp"

#include <cmath>
#include <cstddef>

#include "sampling.hpp"

namespace pierre::intelligence {

namespace {

using detail::positive;

struct Band {
  const char* name;
  const char* label;
  double from;  // fraction of the reference
  double to;    // < 0: open top
};

ZoneSet build(std::string method, std::string unit, double reference, double offset, const Band* bands,
              std::size_t count) {
  ZoneSet set{std::move(method), std::move(unit), {}};
  for (std::size_t i = 0; i < count; ++i) {
    Zone z{bands[i].name, bands[i].label, offset + bands[i].from * reference, std::nullopt};
    if (bands[i].to >= 0) z.max = offset + bands[i].to * reference;
    set.zones.push_back(std::move(z));
  }
  return set;
}

// The top band is open: a measured heart rate above an estimated maximum still counts as Z5.
constexpr Band kTenPercentBands[] = {
    {"Z1", "Very light", 0.50, 0.60}, {"Z2", "Light", 0.60, 0.70}, {"Z3", "Moderate", 0.70, 0.80},
    {"Z4", "Hard", 0.80, 0.90},       {"Z5", "Maximum", 0.90, -1},
};

// Friel: integer % bands; each zone here starts where Friel's next one does (e.g. Z2 "85–89 %" → [85 %, 90 %)).
constexpr Band kFrielRun[] = {
    {"Z1", "Recovery", 0.0, 0.85},
    {"Z2", "Aerobic", 0.85, 0.90},
    {"Z3", "Tempo", 0.90, 0.95},
    {"Z4", "Sub-threshold", 0.95, 1.00},
    {"Z5a", "Super-threshold", 1.00, 1.03},
    {"Z5b", "Aerobic capacity", 1.03, 1.06},
    {"Z5c", "Anaerobic capacity", 1.06, -1},
};
constexpr Band kFrielBike[] = {
    {"Z1", "Recovery", 0.0, 0.81},
    {"Z2", "Aerobic", 0.81, 0.90},
    {"Z3", "Tempo", 0.90, 0.94},
    {"Z4", "Sub-threshold", 0.94, 1.00},
    {"Z5a", "Super-threshold", 1.00, 1.03},
    {"Z5b", "Aerobic capacity", 1.03, 1.06},
    {"Z5c", "Anaerobic capacity", 1.06, -1},
};

// Coggan's levels; "56–75 %" etc. read as [55 %, 75 %) so the levels tile the axis.
constexpr Band kCoggan[] = {
    {"Z1", "Active recovery", 0.0, 0.55},    {"Z2", "Endurance", 0.55, 0.75}, {"Z3", "Tempo", 0.75, 0.90},
    {"Z4", "Lactate threshold", 0.90, 1.05}, {"Z5", "VO2max", 1.05, 1.20},    {"Z6", "Anaerobic capacity", 1.20, 1.50},
    {"Z7", "Neuromuscular power", 1.50, -1},
};

}  // namespace

std::optional<double> tanaka_max_hr_bpm(double age_years) {
  if (!std::isfinite(age_years) || age_years < 5 || age_years > 100) return std::nullopt;
  return 208.0 - 0.7 * age_years;
}

std::optional<ZoneSet> heart_rate_zones_karvonen(double resting_hr_bpm, double max_hr_bpm) {
  if (!std::isfinite(resting_hr_bpm) || resting_hr_bpm < 0 || !positive(max_hr_bpm) || max_hr_bpm <= resting_hr_bpm) {
    return std::nullopt;
  }
  return build("karvonen_hrr", "bpm", max_hr_bpm - resting_hr_bpm, resting_hr_bpm, kTenPercentBands,
               std::size(kTenPercentBands));
}

std::optional<ZoneSet> heart_rate_zones_percent_max(double max_hr_bpm) {
  if (!positive(max_hr_bpm)) return std::nullopt;
  return build("percent_hr_max", "bpm", max_hr_bpm, 0, kTenPercentBands, std::size(kTenPercentBands));
}

std::optional<ZoneSet> heart_rate_zones_friel(double lthr_bpm, FrielSport sport) {
  if (!positive(lthr_bpm)) return std::nullopt;
  if (sport == FrielSport::run) return build("friel_lthr_run", "bpm", lthr_bpm, 0, kFrielRun, std::size(kFrielRun));
  return build("friel_lthr_bike", "bpm", lthr_bpm, 0, kFrielBike, std::size(kFrielBike));
}

std::optional<ZoneSet> power_zones_coggan(double ftp_w) {
  if (!positive(ftp_w)) return std::nullopt;
  return build("coggan_ftp", "W", ftp_w, 0, kCoggan, std::size(kCoggan));
}

std::optional<ZoneSet> pace_zones_daniels(double vdot) {
  if (!positive(vdot)) return std::nullopt;
  struct Intensity {
    const char* name;
    const char* label;
    double from;
    double to;
  };
  static constexpr Intensity kDaniels[] = {
      {"E", "Easy", 0.59, 0.74},     {"M", "Marathon", 0.75, 0.84},   {"T", "Threshold", 0.83, 0.88},
      {"I", "Interval", 0.95, 1.00}, {"R", "Repetition", 1.05, 1.20},
  };
  ZoneSet set{"daniels_vdot", "m/s", {}};
  for (const auto& d : kDaniels) {
    const auto lo = speed_at_vdot_fraction_mps(vdot, d.from);
    const auto hi = speed_at_vdot_fraction_mps(vdot, d.to);
    if (!lo || !hi) return std::nullopt;
    set.zones.push_back(Zone{d.name, d.label, *lo, *hi});
  }
  return set;
}

std::optional<std::size_t> zone_index(const ZoneSet& zones, double value) {
  if (!std::isfinite(value)) return std::nullopt;
  // Daniels' M and T overlap (75–84 % vs 83–88 %): the last matching zone wins, i.e. the more intense one.
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < zones.zones.size(); ++i) {
    const auto& z = zones.zones[i];
    if (value >= z.min && (!z.max || value < *z.max)) found = i;
  }
  return found;
}

}  // namespace pierre::intelligence
