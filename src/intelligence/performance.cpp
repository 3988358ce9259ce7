#include "pierre/intelligence/performance.hpp"

#include <cmath>

#include "sampling.hpp"

namespace pierre::intelligence {

namespace {

using detail::finite;
using detail::positive;

// Daniels & Gilbert (Oxygen Power, 1979): v in m/min, t in min.
double oxygen_cost(double v_m_per_min) {
  return -4.60 + 0.182258 * v_m_per_min + 0.000104 * v_m_per_min * v_m_per_min;
}
double fraction_sustainable(double t_min) {
  return 0.8 + 0.1894393 * std::exp(-0.012778 * t_min) + 0.2989558 * std::exp(-0.1932605 * t_min);
}

constexpr double kMinRaceM = 1500;
constexpr double kMaxRaceM = 50000;
constexpr double kMinRaceS = 3.5 * 60;
constexpr double kMaxRaceS = 5 * 3600;

double vdot_unchecked(double distance_m, double time_s) {
  const double t_min = time_s / 60.0;
  return oxygen_cost(distance_m / t_min) / fraction_sustainable(t_min);
}

}  // namespace

std::optional<double> vdot_from_race(double distance_m, double time_s) {
  if (!finite(distance_m) || !finite(time_s) || distance_m < kMinRaceM || distance_m > kMaxRaceM ||
      time_s < kMinRaceS || time_s > kMaxRaceS) {
    return std::nullopt;
  }
  const double vdot = vdot_unchecked(distance_m, time_s);
  if (!positive(vdot)) return std::nullopt;
  return vdot;
}

std::optional<double> race_time_from_vdot_s(double vdot, double distance_m) {
  if (!positive(vdot) || !finite(distance_m) || distance_m < kMinRaceM || distance_m > kMaxRaceM) return std::nullopt;
  // For a fixed distance VDOT falls as time grows (slower speed, higher sustainable fraction), so bisect on time.
  double fast = kMinRaceS;
  double slow = kMaxRaceS;
  if (vdot > vdot_unchecked(distance_m, fast) || vdot < vdot_unchecked(distance_m, slow)) return std::nullopt;
  for (int i = 0; i < 100 && slow - fast > 1e-6; ++i) {
    const double mid = (fast + slow) / 2;
    if (vdot_unchecked(distance_m, mid) > vdot) {
      fast = mid;
    } else {
      slow = mid;
    }
  }
  return (fast + slow) / 2;
}

std::optional<double> speed_at_vdot_fraction_mps(double vdot, double fraction) {
  if (!positive(vdot) || !positive(fraction)) return std::nullopt;
  // 0.000104·v² + 0.182258·v − (4.60 + fraction·VDOT) = 0, the positive root.
  constexpr double a = 0.000104;
  constexpr double b = 0.182258;
  const double c = -(4.60 + fraction * vdot);
  const double v_m_per_min = (-b + std::sqrt(b * b - 4 * a * c)) / (2 * a);
  if (!positive(v_m_per_min)) return std::nullopt;
  return v_m_per_min / 60.0;
}

std::optional<double> riegel_time_s(double known_time_s, double known_distance_m, double target_distance_m,
                                    double exponent) {
  if (!positive(known_time_s) || !positive(known_distance_m) || !positive(target_distance_m) || !positive(exponent)) {
    return std::nullopt;
  }
  const double t = known_time_s * std::pow(target_distance_m / known_distance_m, exponent);
  if (!positive(t)) return std::nullopt;
  return t;
}

std::optional<CriticalPowerModel> critical_power(std::span<const Effort> efforts) {
  // Ordinary least squares of work (J) on duration (s): work = W′ + CP·t.
  double n = 0;
  double st = 0;
  double sw = 0;
  for (const auto& e : efforts) {
    if (!positive(e.duration_s) || !positive(e.power_w)) return std::nullopt;
    n += 1;
    st += e.duration_s;
    sw += e.duration_s * e.power_w;
  }
  if (n < 2) return std::nullopt;
  const double mean_t = st / n;
  const double mean_w = sw / n;
  double stt = 0;
  double stw = 0;
  double sww = 0;
  for (const auto& e : efforts) {
    const double dt = e.duration_s - mean_t;
    const double dw = e.duration_s * e.power_w - mean_w;
    stt += dt * dt;
    stw += dt * dw;
    sww += dw * dw;
  }
  if (!(stt > 0)) return std::nullopt;  // all efforts of the same duration
  CriticalPowerModel m;
  m.cp_w = stw / stt;
  m.w_prime_j = mean_w - m.cp_w * mean_t;
  m.r_squared = sww > 0 ? (stw * stw) / (stt * sww) : 1.0;
  if (!positive(m.cp_w) || !positive(m.w_prime_j) || !finite(m.r_squared)) return std::nullopt;
  return m;
}

std::optional<double> critical_power_prediction_w(const CriticalPowerModel& model, double duration_s) {
  if (!positive(model.cp_w) || !finite(model.w_prime_j) || model.w_prime_j < 0 || !positive(duration_s)) {
    return std::nullopt;
  }
  return model.cp_w + model.w_prime_j / duration_s;
}

std::optional<double> ftp_from_20min_w(double best_20min_power_w) {
  if (!positive(best_20min_power_w)) return std::nullopt;
  return 0.95 * best_20min_power_w;
}

std::optional<double> ftp_from_critical_power_w(const CriticalPowerModel& model) {
  return critical_power_prediction_w(model, 3600);
}

}  // namespace pierre::intelligence
