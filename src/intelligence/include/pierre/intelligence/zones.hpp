#pragma once
// Training zones: named ranges with the method that produced them. Heart rate in bpm, power in W, pace zones as
// speed ranges in m/s (pace = 1 / speed; the caller formats min/km). A zone covers [min, max); max is absent for the
// open top zone.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pierre::intelligence {

struct Zone {
  std::string name;   // "Z1" … or Daniels' "E", "M", "T", "I", "R"
  std::string label;  // "Endurance", "Threshold", …
  double min = 0;
  std::optional<double> max;  // absent: no upper bound
};

struct ZoneSet {
  std::string method;  // "karvonen_hrr", "percent_hr_max", "friel_lthr_run", "friel_lthr_bike", "coggan_ftp",
                       // "daniels_vdot"
  std::string unit;    // "bpm", "W", "m/s"
  std::vector<Zone> zones;
};

// Tanaka, Monahan & Seals 2001 (J Am Coll Cardiol 37:153–156): HRmax = 208 − 0.7 × age. Ages 5…100 (the
// meta-analysis covered adults 18–81; outside that it is an extrapolation, still monotone).
[[nodiscard]] std::optional<double> tanaka_max_hr_bpm(double age_years);

// Karvonen et al. 1957 (Ann Med Exp Biol Fenn 35:307–315): target = rest + fraction × (max − rest). Five 10 % bands
// of heart-rate reserve from 50 %; the top one (≥ 90 %) is open.
[[nodiscard]] std::optional<ZoneSet> heart_rate_zones_karvonen(double resting_hr_bpm, double max_hr_bpm);
// Five 10 % bands of HRmax from 50 %; the top one (≥ 90 %) is open.
[[nodiscard]] std::optional<ZoneSet> heart_rate_zones_percent_max(double max_hr_bpm);

// Friel, The Triathlete's/Cyclist's Training Bible: seven zones as % of lactate-threshold heart rate (LTHR).
// Run: Z1 < 85, Z2 85–89, Z3 90–94, Z4 95–99, Z5a 100–102, Z5b 103–106, Z5c > 106.
// Bike: Z1 < 81, Z2 81–89, Z3 90–93, Z4 94–99, Z5a 100–102, Z5b 103–106, Z5c > 106.
enum class FrielSport { run, bike };
[[nodiscard]] std::optional<ZoneSet> heart_rate_zones_friel(double lthr_bpm, FrielSport sport);

// Coggan's power-based training levels (Allen & Coggan, Training and Racing with a Power Meter; Coggan 2001) as %
// of FTP: 1 Active recovery < 55, 2 Endurance 56–75, 3 Tempo 76–90, 4 Lactate threshold 91–105, 5 VO2max
// 106–120, 6 Anaerobic capacity 121–150, 7 Neuromuscular power > 150.
[[nodiscard]] std::optional<ZoneSet> power_zones_coggan(double ftp_w);

// Daniels' training intensities (Daniels' Running Formula, 3rd ed., ch. 4) as fractions of VDOT, turned into speeds
// with the Daniels–Gilbert oxygen-cost equation: E 59–74 %, M 75–84 %, T 83–88 %, I 95–100 %, R 105–120 % (R has no
// %VO2max in the book — it is about mile race pace; 105–120 % brackets the book's R paces for VDOT 30–85).
[[nodiscard]] std::optional<ZoneSet> pace_zones_daniels(double vdot);

// Index of the zone holding value, or nullopt when it lies below the first or above the last zone.
[[nodiscard]] std::optional<std::size_t> zone_index(const ZoneSet& zones, double value);

}  // namespace pierre::intelligence
