// FIT profile tables (see profile.hpp). Field numbers, scales, offsets, units and components come from the
// published FIT profile (Profile.xlsx "Messages" sheet, profile 21.217); only the messages an activity needs carry
// field tables, every other global message number is known by name.
#include "fit/profile.hpp"

#include <algorithm>
#include <array>

#include "pierre/formats/fit.hpp"

namespace pierre::formats::fit::profile {
namespace {

struct EnumEntry {
  std::uint32_t value;
  std::string_view name;
};

#include "fit/profile_enums.inc"

template <std::size_t N>
std::string_view lookup(const EnumEntry (&table)[N], std::uint32_t value) noexcept {
  const auto* end = table + N;
  const auto* it = std::lower_bound(table, end, value, [](const EnumEntry& e, std::uint32_t v) { return e.value < v; });
  return it != end && it->value == value ? it->name : std::string_view{};
}

using K = Kind;
constexpr std::string_view kNone{};

// --- components (profile "Components" columns) ---
// record.altitude / enhanced_altitude and speed / enhanced_speed: the 16-bit field widens into the 32-bit one.
constexpr Component kToEnhancedAltitude[] = {{78, 16, 5, 500, false}};
constexpr Component kToEnhancedSpeed[] = {{73, 16, 1000, 0, false}};
// record.compressed_speed_distance: 12 bits speed (1/100 m/s) then 12 bits distance (1/16 m, accumulated).
constexpr Component kCompressedSpeedDistance[] = {{6, 12, 100, 0, false}, {5, 12, 16, 0, true}};
constexpr Component kCyclesToTotal[] = {{19, 8, 1, 0, true}};
constexpr Component kToAccumulatedPower[] = {{29, 16, 1, 0, true}};
constexpr Component kToEnhancedRespiration[] = {{108, 8, 1, 0, false}};
// session/lap speed and altitude summaries widen into their enhanced_ twins.
constexpr Component kSessionAvgSpeed[] = {{124, 16, 1000, 0, false}};
constexpr Component kSessionMaxSpeed[] = {{125, 16, 1000, 0, false}};
constexpr Component kSessionAvgAltitude[] = {{126, 16, 5, 500, false}};
constexpr Component kSessionMinAltitude[] = {{127, 16, 5, 500, false}};
constexpr Component kSessionMaxAltitude[] = {{128, 16, 5, 500, false}};
constexpr Component kLapAvgSpeed[] = {{110, 16, 1000, 0, false}};
constexpr Component kLapMaxSpeed[] = {{111, 16, 1000, 0, false}};
constexpr Component kLapAvgAltitude[] = {{112, 16, 5, 500, false}};
constexpr Component kLapMinAltitude[] = {{113, 16, 5, 500, false}};
constexpr Component kLapMaxAltitude[] = {{114, 16, 5, 500, false}};
constexpr Component kEventData16[] = {{3, 16, 1, 0, false}};

constexpr FieldSpec kFileIdFields[] = {
    {0, "type", K::file, 1, 0, kNone, {}},
    {1, "manufacturer", K::manufacturer, 1, 0, kNone, {}},
    {2, "product", K::product, 1, 0, kNone, {}},
    {3, "serial_number", K::number, 1, 0, kNone, {}},
    {4, "time_created", K::date_time, 1, 0, kNone, {}},
    {5, "number", K::number, 1, 0, kNone, {}},
    {8, "product_name", K::string, 1, 0, kNone, {}},
};

constexpr FieldSpec kSportFields[] = {
    {0, "sport", K::sport, 1, 0, kNone, {}},
    {1, "sub_sport", K::sub_sport, 1, 0, kNone, {}},
    {3, "name", K::string, 1, 0, kNone, {}},
};

constexpr FieldSpec kSessionFields[] = {
    {0, "event", K::event, 1, 0, kNone, {}},
    {1, "event_type", K::event_type, 1, 0, kNone, {}},
    {2, "start_time", K::date_time, 1, 0, kNone, {}},
    {3, "start_position_lat", K::number, 1, 0, "semicircles", {}},
    {4, "start_position_long", K::number, 1, 0, "semicircles", {}},
    {5, "sport", K::sport, 1, 0, kNone, {}},
    {6, "sub_sport", K::sub_sport, 1, 0, kNone, {}},
    {7, "total_elapsed_time", K::number, 1000, 0, "s", {}},
    {8, "total_timer_time", K::number, 1000, 0, "s", {}},
    {9, "total_distance", K::number, 100, 0, "m", {}},
    {10, "total_cycles", K::number, 1, 0, "cycles", {}},
    {11, "total_calories", K::number, 1, 0, "kcal", {}},
    {13, "total_fat_calories", K::number, 1, 0, "kcal", {}},
    {14, "avg_speed", K::number, 1000, 0, "m/s", kSessionAvgSpeed},
    {15, "max_speed", K::number, 1000, 0, "m/s", kSessionMaxSpeed},
    {16, "avg_heart_rate", K::number, 1, 0, "bpm", {}},
    {17, "max_heart_rate", K::number, 1, 0, "bpm", {}},
    {18, "avg_cadence", K::number, 1, 0, "rpm", {}},
    {19, "max_cadence", K::number, 1, 0, "rpm", {}},
    {20, "avg_power", K::number, 1, 0, "watts", {}},
    {21, "max_power", K::number, 1, 0, "watts", {}},
    {22, "total_ascent", K::number, 1, 0, "m", {}},
    {23, "total_descent", K::number, 1, 0, "m", {}},
    {24, "total_training_effect", K::number, 10, 0, kNone, {}},
    {25, "first_lap_index", K::number, 1, 0, kNone, {}},
    {26, "num_laps", K::number, 1, 0, kNone, {}},
    {27, "event_group", K::number, 1, 0, kNone, {}},
    {28, "trigger", K::session_trigger, 1, 0, kNone, {}},
    {29, "nec_lat", K::number, 1, 0, "semicircles", {}},
    {30, "nec_long", K::number, 1, 0, "semicircles", {}},
    {31, "swc_lat", K::number, 1, 0, "semicircles", {}},
    {32, "swc_long", K::number, 1, 0, "semicircles", {}},
    {33, "num_lengths", K::number, 1, 0, "lengths", {}},
    {34, "normalized_power", K::number, 1, 0, "watts", {}},
    {35, "training_stress_score", K::number, 10, 0, "tss", {}},
    {36, "intensity_factor", K::number, 1000, 0, "if", {}},
    {37, "left_right_balance", K::number, 1, 0, kNone, {}},
    {38, "end_position_lat", K::number, 1, 0, "semicircles", {}},
    {39, "end_position_long", K::number, 1, 0, "semicircles", {}},
    {41, "avg_stroke_count", K::number, 10, 0, "strokes/lap", {}},
    {42, "avg_stroke_distance", K::number, 100, 0, "m", {}},
    {43, "swim_stroke", K::swim_stroke, 1, 0, kNone, {}},
    {44, "pool_length", K::number, 100, 0, "m", {}},
    {45, "threshold_power", K::number, 1, 0, "watts", {}},
    {46, "pool_length_unit", K::other_enum, 1, 0, kNone, {}},
    {47, "num_active_lengths", K::number, 1, 0, "lengths", {}},
    {48, "total_work", K::number, 1, 0, "J", {}},
    {49, "avg_altitude", K::number, 5, 500, "m", kSessionAvgAltitude},
    {50, "max_altitude", K::number, 5, 500, "m", kSessionMaxAltitude},
    {51, "gps_accuracy", K::number, 1, 0, "m", {}},
    {52, "avg_grade", K::number, 100, 0, "%", {}},
    {53, "avg_pos_grade", K::number, 100, 0, "%", {}},
    {54, "avg_neg_grade", K::number, 100, 0, "%", {}},
    {55, "max_pos_grade", K::number, 100, 0, "%", {}},
    {56, "max_neg_grade", K::number, 100, 0, "%", {}},
    {57, "avg_temperature", K::number, 1, 0, "C", {}},
    {58, "max_temperature", K::number, 1, 0, "C", {}},
    {59, "total_moving_time", K::number, 1000, 0, "s", {}},
    {60, "avg_pos_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {61, "avg_neg_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {62, "max_pos_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {63, "max_neg_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {64, "min_heart_rate", K::number, 1, 0, "bpm", {}},
    {65, "time_in_hr_zone", K::number, 1000, 0, "s", {}},
    {66, "time_in_speed_zone", K::number, 1000, 0, "s", {}},
    {67, "time_in_cadence_zone", K::number, 1000, 0, "s", {}},
    {68, "time_in_power_zone", K::number, 1000, 0, "s", {}},
    {69, "avg_lap_time", K::number, 1000, 0, "s", {}},
    {70, "best_lap_index", K::number, 1, 0, kNone, {}},
    {71, "min_altitude", K::number, 5, 500, "m", kSessionMinAltitude},
    {78, "active_time", K::number, 1000, 0, "s", {}},
    {79, "avg_strokes_per_length", K::number, 10, 0, "strokes/length", {}},
    {80, "avg_swolf", K::number, 1, 0, kNone, {}},
    {89, "avg_vertical_oscillation", K::number, 10, 0, "mm", {}},
    {90, "avg_stance_time_percent", K::number, 100, 0, "percent", {}},
    {91, "avg_stance_time", K::number, 10, 0, "ms", {}},
    {92, "avg_fractional_cadence", K::number, 128, 0, "rpm", {}},
    {93, "max_fractional_cadence", K::number, 128, 0, "rpm", {}},
    {94, "total_fractional_cycles", K::number, 128, 0, "cycles", {}},
    {101, "avg_left_torque_effectiveness", K::number, 2, 0, "percent", {}},
    {102, "avg_right_torque_effectiveness", K::number, 2, 0, "percent", {}},
    {103, "avg_left_pedal_smoothness", K::number, 2, 0, "percent", {}},
    {104, "avg_right_pedal_smoothness", K::number, 2, 0, "percent", {}},
    {105, "avg_combined_pedal_smoothness", K::number, 2, 0, "percent", {}},
    {110, "sport_profile_name", K::string, 1, 0, kNone, {}},
    {111, "sport_index", K::number, 1, 0, kNone, {}},
    {112, "time_standing", K::number, 1000, 0, "s", {}},
    {113, "stand_count", K::number, 1, 0, kNone, {}},
    {124, "enhanced_avg_speed", K::number, 1000, 0, "m/s", {}},
    {125, "enhanced_max_speed", K::number, 1000, 0, "m/s", {}},
    {126, "enhanced_avg_altitude", K::number, 5, 500, "m", {}},
    {127, "enhanced_min_altitude", K::number, 5, 500, "m", {}},
    {128, "enhanced_max_altitude", K::number, 5, 500, "m", {}},
    {132, "avg_vertical_ratio", K::number, 100, 0, "percent", {}},
    {133, "avg_stance_time_balance", K::number, 100, 0, "percent", {}},
    {134, "avg_step_length", K::number, 10, 0, "mm", {}},
    {137, "total_anaerobic_training_effect", K::number, 10, 0, kNone, {}},
    {139, "avg_vam", K::number, 1000, 0, "m/s", {}},
    {150, "min_temperature", K::number, 1, 0, "C", {}},
    {196, "metabolic_calories", K::number, 1, 0, "kcal", {}},
    {253, "timestamp", K::date_time, 1, 0, "s", {}},
    {254, "message_index", K::number, 1, 0, kNone, {}},
};

constexpr FieldSpec kLapFields[] = {
    {0, "event", K::event, 1, 0, kNone, {}},
    {1, "event_type", K::event_type, 1, 0, kNone, {}},
    {2, "start_time", K::date_time, 1, 0, kNone, {}},
    {3, "start_position_lat", K::number, 1, 0, "semicircles", {}},
    {4, "start_position_long", K::number, 1, 0, "semicircles", {}},
    {5, "end_position_lat", K::number, 1, 0, "semicircles", {}},
    {6, "end_position_long", K::number, 1, 0, "semicircles", {}},
    {7, "total_elapsed_time", K::number, 1000, 0, "s", {}},
    {8, "total_timer_time", K::number, 1000, 0, "s", {}},
    {9, "total_distance", K::number, 100, 0, "m", {}},
    {10, "total_cycles", K::number, 1, 0, "cycles", {}},
    {11, "total_calories", K::number, 1, 0, "kcal", {}},
    {12, "total_fat_calories", K::number, 1, 0, "kcal", {}},
    {13, "avg_speed", K::number, 1000, 0, "m/s", kLapAvgSpeed},
    {14, "max_speed", K::number, 1000, 0, "m/s", kLapMaxSpeed},
    {15, "avg_heart_rate", K::number, 1, 0, "bpm", {}},
    {16, "max_heart_rate", K::number, 1, 0, "bpm", {}},
    {17, "avg_cadence", K::number, 1, 0, "rpm", {}},
    {18, "max_cadence", K::number, 1, 0, "rpm", {}},
    {19, "avg_power", K::number, 1, 0, "watts", {}},
    {20, "max_power", K::number, 1, 0, "watts", {}},
    {21, "total_ascent", K::number, 1, 0, "m", {}},
    {22, "total_descent", K::number, 1, 0, "m", {}},
    {23, "intensity", K::intensity, 1, 0, kNone, {}},
    {24, "lap_trigger", K::lap_trigger, 1, 0, kNone, {}},
    {25, "sport", K::sport, 1, 0, kNone, {}},
    {26, "event_group", K::number, 1, 0, kNone, {}},
    {27, "nec_lat", K::number, 1, 0, "semicircles", {}},
    {28, "nec_long", K::number, 1, 0, "semicircles", {}},
    {29, "swc_lat", K::number, 1, 0, "semicircles", {}},
    {30, "swc_long", K::number, 1, 0, "semicircles", {}},
    {32, "num_lengths", K::number, 1, 0, "lengths", {}},
    {33, "normalized_power", K::number, 1, 0, "watts", {}},
    {34, "left_right_balance", K::number, 1, 0, kNone, {}},
    {35, "first_length_index", K::number, 1, 0, kNone, {}},
    {37, "avg_stroke_distance", K::number, 100, 0, "m", {}},
    {38, "swim_stroke", K::swim_stroke, 1, 0, kNone, {}},
    {39, "sub_sport", K::sub_sport, 1, 0, kNone, {}},
    {40, "num_active_lengths", K::number, 1, 0, "lengths", {}},
    {41, "total_work", K::number, 1, 0, "J", {}},
    {42, "avg_altitude", K::number, 5, 500, "m", kLapAvgAltitude},
    {43, "max_altitude", K::number, 5, 500, "m", kLapMaxAltitude},
    {44, "gps_accuracy", K::number, 1, 0, "m", {}},
    {45, "avg_grade", K::number, 100, 0, "%", {}},
    {46, "avg_pos_grade", K::number, 100, 0, "%", {}},
    {47, "avg_neg_grade", K::number, 100, 0, "%", {}},
    {48, "max_pos_grade", K::number, 100, 0, "%", {}},
    {49, "max_neg_grade", K::number, 100, 0, "%", {}},
    {50, "avg_temperature", K::number, 1, 0, "C", {}},
    {51, "max_temperature", K::number, 1, 0, "C", {}},
    {52, "total_moving_time", K::number, 1000, 0, "s", {}},
    {53, "avg_pos_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {54, "avg_neg_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {55, "max_pos_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {56, "max_neg_vertical_speed", K::number, 1000, 0, "m/s", {}},
    {57, "time_in_hr_zone", K::number, 1000, 0, "s", {}},
    {58, "time_in_speed_zone", K::number, 1000, 0, "s", {}},
    {59, "time_in_cadence_zone", K::number, 1000, 0, "s", {}},
    {60, "time_in_power_zone", K::number, 1000, 0, "s", {}},
    {61, "repetition_num", K::number, 1, 0, kNone, {}},
    {62, "min_altitude", K::number, 5, 500, "m", kLapMinAltitude},
    {63, "min_heart_rate", K::number, 1, 0, "bpm", {}},
    {70, "active_time", K::number, 1000, 0, "s", {}},
    {71, "wkt_step_index", K::number, 1, 0, kNone, {}},
    {73, "avg_swolf", K::number, 1, 0, kNone, {}},
    {77, "avg_vertical_oscillation", K::number, 10, 0, "mm", {}},
    {78, "avg_stance_time_percent", K::number, 100, 0, "percent", {}},
    {79, "avg_stance_time", K::number, 10, 0, "ms", {}},
    {80, "avg_fractional_cadence", K::number, 128, 0, "rpm", {}},
    {81, "max_fractional_cadence", K::number, 128, 0, "rpm", {}},
    {82, "total_fractional_cycles", K::number, 128, 0, "cycles", {}},
    {90, "avg_strokes_per_length", K::number, 10, 0, "strokes / length", {}},
    {110, "enhanced_avg_speed", K::number, 1000, 0, "m/s", {}},
    {111, "enhanced_max_speed", K::number, 1000, 0, "m/s", {}},
    {112, "enhanced_avg_altitude", K::number, 5, 500, "m", {}},
    {113, "enhanced_min_altitude", K::number, 5, 500, "m", {}},
    {114, "enhanced_max_altitude", K::number, 5, 500, "m", {}},
    {118, "avg_vertical_ratio", K::number, 100, 0, "percent", {}},
    {119, "avg_stance_time_balance", K::number, 100, 0, "percent", {}},
    {120, "avg_step_length", K::number, 10, 0, "mm", {}},
    {121, "avg_vam", K::number, 1000, 0, "m/s", {}},
    {124, "min_temperature", K::number, 1, 0, "C", {}},
    {155, "metabolic_calories", K::number, 1, 0, "kcal", {}},
    {253, "timestamp", K::date_time, 1, 0, "s", {}},
    {254, "message_index", K::number, 1, 0, kNone, {}},
};

constexpr FieldSpec kRecordFields[] = {
    {0, "position_lat", K::number, 1, 0, "semicircles", {}},
    {1, "position_long", K::number, 1, 0, "semicircles", {}},
    {2, "altitude", K::number, 5, 500, "m", kToEnhancedAltitude},
    {3, "heart_rate", K::number, 1, 0, "bpm", {}},
    {4, "cadence", K::number, 1, 0, "rpm", {}},
    {5, "distance", K::number, 100, 0, "m", {}},
    {6, "speed", K::number, 1000, 0, "m/s", kToEnhancedSpeed},
    {7, "power", K::number, 1, 0, "watts", {}},
    {8, "compressed_speed_distance", K::bytes, 1, 0, kNone, kCompressedSpeedDistance},
    {9, "grade", K::number, 100, 0, "%", {}},
    {10, "resistance", K::number, 1, 0, kNone, {}},
    {11, "time_from_course", K::number, 1000, 0, "s", {}},
    {12, "cycle_length", K::number, 100, 0, "m", {}},
    {13, "temperature", K::number, 1, 0, "C", {}},
    {17, "speed_1s", K::number, 16, 0, "m/s", {}},
    {18, "cycles", K::number, 1, 0, "cycles", kCyclesToTotal},
    {19, "total_cycles", K::number, 1, 0, "cycles", {}},
    {28, "compressed_accumulated_power", K::number, 1, 0, "watts", kToAccumulatedPower},
    {29, "accumulated_power", K::number, 1, 0, "watts", {}},
    {30, "left_right_balance", K::number, 1, 0, kNone, {}},
    {31, "gps_accuracy", K::number, 1, 0, "m", {}},
    {32, "vertical_speed", K::number, 1000, 0, "m/s", {}},
    {33, "calories", K::number, 1, 0, "kcal", {}},
    {39, "vertical_oscillation", K::number, 10, 0, "mm", {}},
    {40, "stance_time_percent", K::number, 100, 0, "percent", {}},
    {41, "stance_time", K::number, 10, 0, "ms", {}},
    {42, "activity_type", K::activity_kind, 1, 0, kNone, {}},
    {43, "left_torque_effectiveness", K::number, 2, 0, "percent", {}},
    {44, "right_torque_effectiveness", K::number, 2, 0, "percent", {}},
    {45, "left_pedal_smoothness", K::number, 2, 0, "percent", {}},
    {46, "right_pedal_smoothness", K::number, 2, 0, "percent", {}},
    {47, "combined_pedal_smoothness", K::number, 2, 0, "percent", {}},
    {48, "time128", K::number, 128, 0, "s", {}},
    {49, "stroke_type", K::other_enum, 1, 0, kNone, {}},
    {50, "zone", K::number, 1, 0, kNone, {}},
    {51, "ball_speed", K::number, 100, 0, "m/s", {}},
    {52, "cadence256", K::number, 256, 0, "rpm", {}},
    {53, "fractional_cadence", K::number, 128, 0, "rpm", {}},
    {54, "total_hemoglobin_conc", K::number, 100, 0, "g/dL", {}},
    {57, "saturated_hemoglobin_percent", K::number, 10, 0, "%", {}},
    {62, "device_index", K::number, 1, 0, kNone, {}},
    {67, "left_pco", K::number, 1, 0, "mm", {}},
    {68, "right_pco", K::number, 1, 0, "mm", {}},
    {69, "left_power_phase", K::number, 0.7111111, 0, "degrees", {}},
    {70, "left_power_phase_peak", K::number, 0.7111111, 0, "degrees", {}},
    {71, "right_power_phase", K::number, 0.7111111, 0, "degrees", {}},
    {72, "right_power_phase_peak", K::number, 0.7111111, 0, "degrees", {}},
    {73, "enhanced_speed", K::number, 1000, 0, "m/s", {}},
    {78, "enhanced_altitude", K::number, 5, 500, "m", {}},
    {81, "battery_soc", K::number, 2, 0, "percent", {}},
    {82, "motor_power", K::number, 1, 0, "watts", {}},
    {83, "vertical_ratio", K::number, 100, 0, "percent", {}},
    {84, "stance_time_balance", K::number, 100, 0, "percent", {}},
    {85, "step_length", K::number, 10, 0, "mm", {}},
    {87, "cycle_length16", K::number, 100, 0, "m", {}},
    {91, "absolute_pressure", K::number, 1, 0, "Pa", {}},
    {92, "depth", K::number, 1000, 0, "m", {}},
    {99, "respiration_rate", K::number, 1, 0, "s", kToEnhancedRespiration},
    {108, "enhanced_respiration_rate", K::number, 100, 0, "Breaths/min", {}},
    {114, "grit", K::number, 1, 0, kNone, {}},
    {115, "flow", K::number, 1, 0, kNone, {}},
    {116, "current_stress", K::number, 100, 0, kNone, {}},
    {117, "ebike_travel_range", K::number, 1, 0, "km", {}},
    {118, "ebike_battery_level", K::number, 1, 0, "percent", {}},
    {119, "ebike_assist_mode", K::number, 1, 0, "depends on sensor", {}},
    {120, "ebike_assist_level_percent", K::number, 1, 0, "percent", {}},
    {139, "core_temperature", K::number, 100, 0, "C", {}},
    {253, "timestamp", K::date_time, 1, 0, "s", {}},
};

constexpr FieldSpec kEventFields[] = {
    {0, "event", K::event, 1, 0, kNone, {}},
    {1, "event_type", K::event_type, 1, 0, kNone, {}},
    {2, "data16", K::number, 1, 0, kNone, kEventData16},
    {3, "data", K::number, 1, 0, kNone, {}},
    {4, "event_group", K::number, 1, 0, kNone, {}},
    {7, "score", K::number, 1, 0, kNone, {}},
    {8, "opponent_score", K::number, 1, 0, kNone, {}},
    {9, "front_gear_num", K::number, 1, 0, kNone, {}},
    {10, "front_gear", K::number, 1, 0, kNone, {}},
    {11, "rear_gear_num", K::number, 1, 0, kNone, {}},
    {12, "rear_gear", K::number, 1, 0, kNone, {}},
    {13, "device_index", K::number, 1, 0, kNone, {}},
    {14, "activity_type", K::activity_kind, 1, 0, kNone, {}},
    {15, "start_timestamp", K::date_time, 1, 0, "s", {}},
    {253, "timestamp", K::date_time, 1, 0, "s", {}},
};

constexpr FieldSpec kDeviceInfoFields[] = {
    {0, "device_index", K::number, 1, 0, kNone, {}},
    {1, "device_type", K::number, 1, 0, kNone, {}},
    {2, "manufacturer", K::manufacturer, 1, 0, kNone, {}},
    {3, "serial_number", K::number, 1, 0, kNone, {}},
    {4, "product", K::product, 1, 0, kNone, {}},
    {5, "software_version", K::number, 100, 0, kNone, {}},
    {6, "hardware_version", K::number, 1, 0, kNone, {}},
    {7, "cum_operating_time", K::number, 1, 0, "s", {}},
    {10, "battery_voltage", K::number, 256, 0, "V", {}},
    {11, "battery_status", K::battery_status, 1, 0, kNone, {}},
    {18, "sensor_position", K::body_location, 1, 0, kNone, {}},
    {19, "descriptor", K::string, 1, 0, kNone, {}},
    {20, "ant_transmission_type", K::number, 1, 0, kNone, {}},
    {21, "ant_device_number", K::number, 1, 0, kNone, {}},
    {22, "ant_network", K::other_enum, 1, 0, kNone, {}},
    {25, "source_type", K::source_type, 1, 0, kNone, {}},
    {27, "product_name", K::string, 1, 0, kNone, {}},
    {32, "battery_level", K::number, 1, 0, "%", {}},
    {253, "timestamp", K::date_time, 1, 0, "s", {}},
};

constexpr FieldSpec kActivityFields[] = {
    {0, "total_timer_time", K::number, 1000, 0, "s", {}}, {1, "num_sessions", K::number, 1, 0, kNone, {}},
    {2, "type", K::activity_type, 1, 0, kNone, {}},       {3, "event", K::event, 1, 0, kNone, {}},
    {4, "event_type", K::event_type, 1, 0, kNone, {}},    {5, "local_timestamp", K::local_date_time, 1, 0, kNone, {}},
    {6, "event_group", K::number, 1, 0, kNone, {}},       {253, "timestamp", K::date_time, 1, 0, kNone, {}},
};

constexpr FieldSpec kHrvFields[] = {
    {0, "time", K::number, 1000, 0, "s", {}},
};

// developer_data_id and field_description are read raw (the SDK applies no scale to them either).
constexpr FieldSpec kFieldDescriptionFields[] = {
    {0, "developer_data_index", K::number, 1, 0, kNone, {}},
    {1, "field_definition_number", K::number, 1, 0, kNone, {}},
    {2, "fit_base_type_id", K::number, 1, 0, kNone, {}},
    {3, "field_name", K::string, 1, 0, kNone, {}},
    {4, "array", K::number, 1, 0, kNone, {}},
    {5, "components", K::string, 1, 0, kNone, {}},
    {6, "scale", K::number, 1, 0, kNone, {}},
    {7, "offset", K::number, 1, 0, kNone, {}},
    {8, "units", K::string, 1, 0, kNone, {}},
    {9, "bits", K::string, 1, 0, kNone, {}},
    {10, "accumulate", K::string, 1, 0, kNone, {}},
    {13, "fit_base_unit_id", K::number, 1, 0, kNone, {}},
    {14, "native_mesg_num", K::mesg_num, 1, 0, kNone, {}},
    {15, "native_field_num", K::number, 1, 0, kNone, {}},
};

constexpr FieldSpec kDeveloperDataIdFields[] = {
    {0, "developer_id", K::bytes, 1, 0, kNone, {}},           {1, "application_id", K::bytes, 1, 0, kNone, {}},
    {2, "manufacturer_id", K::manufacturer, 1, 0, kNone, {}}, {3, "developer_data_index", K::number, 1, 0, kNone, {}},
    {4, "application_version", K::number, 1, 0, kNone, {}},
};

// Messages with field tables, sorted by number.
constexpr MessageSpec kMessages[] = {
    {kFileId, "file_id", kFileIdFields},
    {kSport, "sport", kSportFields},
    {kSession, "session", kSessionFields},
    {kLap, "lap", kLapFields},
    {kRecord, "record", kRecordFields},
    {kEvent, "event", kEventFields},
    {kDeviceInfo, "device_info", kDeviceInfoFields},
    {kActivity, "activity", kActivityFields},
    {kHrv, "hrv", kHrvFields},
    {kFieldDescription, "field_description", kFieldDescriptionFields},
    {kDeveloperDataId, "developer_data_id", kDeveloperDataIdFields},
};

// Messages known by name only: one spec per mesg_num value, built once.
struct NameOnly {
  std::array<MessageSpec, std::size(kMesgNumNames)> specs{};
  NameOnly() {
    for (std::size_t i = 0; i < std::size(kMesgNumNames); ++i) {
      specs[i] = MessageSpec{static_cast<std::uint16_t>(kMesgNumNames[i].value), kMesgNumNames[i].name, {}};
    }
  }
};

}  // namespace

const MessageSpec* find_message(std::uint16_t number) noexcept {
  if (number >= kMfgRangeMin) return nullptr;
  const auto* end = std::end(kMessages);
  const auto* it = std::lower_bound(std::begin(kMessages), end, number,
                                    [](const MessageSpec& m, std::uint16_t n) { return m.number < n; });
  if (it != end && it->number == number) return it;
  static const NameOnly name_only;
  const auto& specs = name_only.specs;
  const auto found = std::lower_bound(specs.begin(), specs.end(), number,
                                      [](const MessageSpec& m, std::uint16_t n) { return m.number < n; });
  return found != specs.end() && found->number == number ? &*found : nullptr;
}

const FieldSpec* find_field(const MessageSpec* message, std::uint8_t number) noexcept {
  if (message == nullptr) return nullptr;
  const auto fields = message->fields;
  const auto it = std::lower_bound(fields.begin(), fields.end(), number,
                                   [](const FieldSpec& f, std::uint8_t n) { return f.number < n; });
  return it != fields.end() && it->number == number ? &*it : nullptr;
}

std::string_view enum_name(Kind kind, std::uint32_t value) noexcept {
  switch (kind) {
    case Kind::sport: return lookup(kSportNames, value);
    case Kind::sub_sport: return lookup(kSubSportNames, value);
    case Kind::manufacturer: return lookup(kManufacturerNames, value);
    case Kind::product: return lookup(kGarminProductNames, value);
    case Kind::file: return lookup(kFileNames, value);
    case Kind::event: return lookup(kEventNames, value);
    case Kind::event_type: return lookup(kEventTypeNames, value);
    case Kind::mesg_num: return lookup(kMesgNumNames, value);
    case Kind::activity_type: return lookup(kActivityTypeNames, value);
    case Kind::lap_trigger: return lookup(kLapTriggerNames, value);
    case Kind::session_trigger: return lookup(kSessionTriggerNames, value);
    case Kind::intensity: return lookup(kIntensityNames, value);
    case Kind::swim_stroke: return lookup(kSwimStrokeNames, value);
    case Kind::battery_status: return lookup(kBatteryStatusNames, value);
    case Kind::source_type: return lookup(kSourceTypeNames, value);
    case Kind::activity_kind: return lookup(kActivityKindNames, value);
    case Kind::body_location: return lookup(kBodyLocationNames, value);
    case Kind::gender: return lookup(kGenderNames, value);
    default: return {};
  }
}

}  // namespace pierre::formats::fit::profile

namespace pierre::formats::fit {

std::string_view message_name(std::uint16_t global_number) noexcept {
  if (global_number >= profile::kMfgRangeMin) return {};
  return profile::enum_name(profile::Kind::mesg_num, global_number);
}
std::string_view sport_name(std::uint8_t sport) noexcept {
  return profile::enum_name(profile::Kind::sport, sport);
}
std::string_view sub_sport_name(std::uint8_t sub_sport) noexcept {
  return profile::enum_name(profile::Kind::sub_sport, sub_sport);
}
std::string_view manufacturer_name(std::uint16_t manufacturer) noexcept {
  return profile::enum_name(profile::Kind::manufacturer, manufacturer);
}

}  // namespace pierre::formats::fit
