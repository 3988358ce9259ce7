#pragma once
// Performance models: Daniels–Gilbert VDOT and race-time prediction, Riegel's endurance model, critical power and
// W′ (Monod & Scherrer), FTP estimates. Distances in m, times in s, power in W.

#include <optional>
#include <span>

namespace pierre::intelligence {

// Daniels & Gilbert, Oxygen Power (1979); Daniels' Running Formula. With v in m/min and t in min:
// VO2(v) = −4.60 + 0.182258·v + 0.000104·v² (ml·kg⁻¹·min⁻¹)
// %VO2max(t) = 0.8 + 0.1894393·e^{−0.012778·t} + 0.2989558·e^{−0.1932605·t}
// VDOT = VO2(v) / %VO2max(t). Races of 1500 m … 50 km lasting 3.5 min … 5 h; otherwise nullopt.
[[nodiscard]] std::optional<double> vdot_from_race(double distance_m, double time_s);
// The time at which vdot_from_race(distance, time) == vdot, by bisection (VDOT falls monotonically with time).
[[nodiscard]] std::optional<double> race_time_from_vdot_s(double vdot, double distance_m);
// The running speed whose oxygen cost is fraction × VDOT (the Daniels–Gilbert VO2 equation solved for v), m/s.
[[nodiscard]] std::optional<double> speed_at_vdot_fraction_mps(double vdot, double fraction);

// Riegel 1981 (American Scientist 69:285–290): T2 = T1 × (D2 / D1)^b, b = 1.06 for running by default.
[[nodiscard]] std::optional<double> riegel_time_s(double known_time_s, double known_distance_m,
                                                  double target_distance_m, double exponent = 1.06);

struct Effort {
  double duration_s = 0;
  double power_w = 0;  // mean power over the effort
};
struct CriticalPowerModel {
  double cp_w = 0;       // critical power
  double w_prime_j = 0;  // W′, work capacity above CP
  double r_squared = 0;  // fit of work = W′ + CP·t
};
// Two-parameter model (Monod & Scherrer 1965; Moritani et al. 1981): work = W′ + CP·t, least squares over ≥ 2 best
// efforts of different durations (ideally 2–20 min). Degenerate fits (W′ ≤ 0, CP ≤ 0) → nullopt.
[[nodiscard]] std::optional<CriticalPowerModel> critical_power(std::span<const Effort> efforts);
// Power the model predicts for a duration: CP + W′/t.
[[nodiscard]] std::optional<double> critical_power_prediction_w(const CriticalPowerModel& model, double duration_s);

// Allen & Coggan: FTP ≈ 95 % of the best 20-min mean power.
[[nodiscard]] std::optional<double> ftp_from_20min_w(double best_20min_power_w);
// FTP as the model's 60-min power (FTP is defined as the power sustainable for ~1 h): CP + W′/3600.
[[nodiscard]] std::optional<double> ftp_from_critical_power_w(const CriticalPowerModel& model);

}  // namespace pierre::intelligence
