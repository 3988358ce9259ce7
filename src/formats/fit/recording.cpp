// fit::decode_recording: the activity as formats::Recording (see fit.hpp for the decisions).
//
// The hot path is on_data for record messages: each local definition gets a plan (which bytes feed which channel,
// computed once per definition record), so a data record costs a handful of loads and no allocation besides the
// Sample it appends.
#include <algorithm>
#include <cmath>
#include <limits>

#include "fit/profile.hpp"
#include "fit/reader.hpp"
#include "pierre/formats/fit.hpp"

namespace pierre::formats::fit {
namespace {

using detail::Definition;
using detail::kBase;

constexpr double kSemicirclesToDegrees = 180.0 / 2147483648.0;  // 2^31 semicircles = 180 degrees

// Channels a plan can read. One numbering for every message kind; each kind uses its own subset.
enum Slot : std::uint8_t {
  // record (profile message 20)
  kLat,
  kLong,
  kAltitude,
  kHeartRate,
  kCadence,
  kDistance,
  kSpeed,
  kPower,
  kTemperature,
  kEnhancedSpeed,
  kEnhancedAltitude,
  kFractionalCadence,
  kCompressedSpeedDistance,
  // session (18) / lap (19)
  kStartTime = 0,
  kTotalElapsed,
  kTotalTimer,
  kTotalDistance,
  kAscent,
  kDescent,
  kAvgHr,
  kMaxHr,
  kAvgPower,
  kMaxPower,
  kNormalizedPower,
  kAvgCadence,
  kAvgFractionalCadence,
  kAvgSpeed,
  kMaxSpeed,
  kEnhancedAvgSpeed,
  kEnhancedMaxSpeed,
  kCalories,
  kSportValue,
  kSubSportValue,
  kTimestamp,
  // file_id (0) / device_info (23) / activity (34) / sport (12)
  kType = 0,
  kManufacturer,
  kProduct,
  kSerial,
  kTimeCreated,
  kDeviceIndex,
  kLocalTimestamp,
  kMiscTimestamp,
  kMiscSport,
  kMiscSubSport,
  kSlotCount = 24,
};

enum class Kind : std::uint8_t { other, record, session, lap, file_id, device_info, activity, sport };

Kind kind_of(std::uint16_t global) noexcept {
  switch (global) {
    case profile::kRecord: return Kind::record;
    case profile::kSession: return Kind::session;
    case profile::kLap: return Kind::lap;
    case profile::kFileId: return Kind::file_id;
    case profile::kDeviceInfo: return Kind::device_info;
    case profile::kActivity: return Kind::activity;
    case profile::kSport: return Kind::sport;
    default: return Kind::other;
  }
}

// Field number -> slot for each message kind (profile field numbers; -1 = not read). kStringSlot marks the
// product_name / sport name string, read separately.
constexpr int kStringSlot = 100;
int slot_for(Kind kind, std::uint8_t field) noexcept {
  switch (kind) {
    case Kind::record:
      switch (field) {
        case 0: return kLat;
        case 1: return kLong;
        case 2: return kAltitude;
        case 3: return kHeartRate;
        case 4: return kCadence;
        case 5: return kDistance;
        case 6: return kSpeed;
        case 7: return kPower;
        case 8: return kCompressedSpeedDistance;
        case 13: return kTemperature;
        case 53: return kFractionalCadence;
        case 73: return kEnhancedSpeed;
        case 78: return kEnhancedAltitude;
        default: return -1;
      }
    case Kind::session:
      switch (field) {
        case 2: return kStartTime;
        case 5: return kSportValue;
        case 6: return kSubSportValue;
        case 7: return kTotalElapsed;
        case 8: return kTotalTimer;
        case 9: return kTotalDistance;
        case 11: return kCalories;
        case 14: return kAvgSpeed;
        case 15: return kMaxSpeed;
        case 16: return kAvgHr;
        case 17: return kMaxHr;
        case 18: return kAvgCadence;
        case 20: return kAvgPower;
        case 21: return kMaxPower;
        case 22: return kAscent;
        case 23: return kDescent;
        case 34: return kNormalizedPower;
        case 92: return kAvgFractionalCadence;
        case 124: return kEnhancedAvgSpeed;
        case 125: return kEnhancedMaxSpeed;
        case 253: return kTimestamp;
        default: return -1;
      }
    case Kind::lap:
      switch (field) {
        case 2: return kStartTime;
        case 7: return kTotalElapsed;
        case 8: return kTotalTimer;
        case 9: return kTotalDistance;
        case 11: return kCalories;
        case 13: return kAvgSpeed;
        case 14: return kMaxSpeed;
        case 15: return kAvgHr;
        case 16: return kMaxHr;
        case 17: return kAvgCadence;
        case 19: return kAvgPower;
        case 20: return kMaxPower;
        case 21: return kAscent;
        case 22: return kDescent;
        case 25: return kSportValue;
        case 33: return kNormalizedPower;
        case 39: return kSubSportValue;
        case 80: return kAvgFractionalCadence;
        case 110: return kEnhancedAvgSpeed;
        case 111: return kEnhancedMaxSpeed;
        case 253: return kTimestamp;
        default: return -1;
      }
    case Kind::file_id:
      switch (field) {
        case 0: return kType;
        case 1: return kManufacturer;
        case 2: return kProduct;
        case 3: return kSerial;
        case 4: return kTimeCreated;
        case 8: return kStringSlot;
        default: return -1;
      }
    case Kind::device_info:
      switch (field) {
        case 0: return kDeviceIndex;
        case 2: return kManufacturer;
        case 3: return kSerial;
        case 4: return kProduct;
        case 27: return kStringSlot;
        default: return -1;
      }
    case Kind::activity:
      switch (field) {
        case 5: return kLocalTimestamp;
        case 253: return kMiscTimestamp;
        default: return -1;
      }
    case Kind::sport:
      switch (field) {
        case 0: return kMiscSport;
        case 1: return kMiscSubSport;
        case 3: return kStringSlot;
        default: return -1;
      }
    case Kind::other: return -1;
  }
  return -1;
}

struct Read {
  std::uint32_t offset;
  std::uint8_t size;  // of one element
  std::uint8_t base;
  std::uint8_t slot;
};

struct Plan {
  Kind kind = Kind::other;
  std::uint8_t count = 0;
  std::array<Read, kSlotCount> reads{};
  std::int64_t string_offset = -1;  // product_name / sport name
  std::uint8_t string_size = 0;
  std::int64_t csd_offset = -1;  // record.compressed_speed_distance (3 bytes)
};

// The values one data record holds for a plan; `valid` has bit s set when slot s holds a value.
struct Values {
  std::array<double, kSlotCount> v{};
  std::uint32_t valid = 0;
  [[nodiscard]] bool has(int s) const noexcept { return (valid >> s & 1u) != 0; }
  [[nodiscard]] std::optional<double> get(int s) const noexcept {
    return has(s) ? std::optional<double>(v[static_cast<std::size_t>(s)]) : std::nullopt;
  }
  [[nodiscard]] std::optional<double> scaled(int s, double scale, double offset = 0) const noexcept {
    return has(s) ? std::optional<double>(v[static_cast<std::size_t>(s)] / scale - offset) : std::nullopt;
  }
};

std::int64_t fit_to_unix_ms(double fit_seconds) noexcept {
  return detail::fit_seconds_to_unix_ms(fit_seconds);
}

std::string enum_text(profile::Kind kind, const std::optional<double>& value) {
  if (!value) return {};
  const auto number = detail::as_u32(*value);
  if (!number) return fmt::format("{}", *value);
  const auto name = profile::enum_name(kind, *number);
  return name.empty() ? std::to_string(*number) : std::string(name);
}

// "wahoo_fitness" -> "Wahoo Fitness"
std::string title_case(std::string_view name) {
  std::string out(name);
  bool start = true;
  for (char& c : out) {
    if (c == '_') {
      c = ' ';
      start = true;
    } else {
      if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      start = false;
    }
  }
  return out;
}

struct RawSession {
  Totals totals;
  std::optional<double> sport;
  std::optional<double> sub_sport;
};

struct DeviceId {
  std::optional<double> manufacturer, product, serial, time_created, type;
  std::string product_name;
  bool seen = false;
};

class RecordingConsumer {
 public:
  RecordingConsumer(Recording& out, std::size_t input_size) : out_(out) {
    // A record message is rarely under 16 bytes; reserving for that many avoids most regrowth copies.
    samples_.reserve(std::min<std::size_t>(input_size / 16, 1u << 20));
  }

  void on_file(const FileHeader&) {}
  void on_crc_mismatch() {}

  void on_definition(std::uint8_t local, const Definition& def) {
    Plan& plan = plans_[local];
    plan = Plan{};
    plan.kind = kind_of(def.global);
    if (plan.kind == Kind::other) return;
    for (const auto& f : def.field_span()) {
      const int slot = slot_for(plan.kind, f.number);
      if (slot < 0) continue;
      const auto& base = kBase[f.base];
      if (slot == kStringSlot) {
        if (base.is_string && f.size > 0) {
          plan.string_offset = f.offset;
          plan.string_size = f.size;
        }
        continue;
      }
      if (plan.kind == Kind::record && slot == kCompressedSpeedDistance) {
        if (f.size == 3) plan.csd_offset = f.offset;  // 12 + 12 bits as a byte array
        continue;
      }
      // A size that is not a whole number of elements is invalid; of an array only the first element counts.
      if (f.size == 0 || f.size % base.size != 0 || base.is_string) continue;
      if (plan.count < plan.reads.size()) {
        plan.reads[plan.count++] = Read{f.offset, base.size, f.base, static_cast<std::uint8_t>(slot)};
      }
    }
  }

  void on_data(const Definition& def, const std::uint8_t* data, std::size_t, detail::RecordTime time) {
    const Plan& plan = plans_[def.local & 0x0F];
    if (plan.kind == Kind::other) return;
    Values values;
    for (std::uint8_t i = 0; i < plan.count; ++i) {
      const Read& r = plan.reads[i];
      const std::uint64_t raw = detail::load(data + r.offset, r.size, def.big_endian);
      if (raw == kBase[r.base].invalid) continue;
      const double number = detail::to_double(raw, r.base);
      if (!std::isfinite(number)) continue;
      values.v[r.slot] = number;
      values.valid |= 1u << r.slot;
    }
    switch (plan.kind) {
      case Kind::record: return on_record(plan, data, values, time);
      case Kind::session: return on_summary(values, true);
      case Kind::lap: return on_summary(values, false);
      case Kind::file_id: {
        file_id_ = to_device(plan, data, values);
        file_type_ = values.get(kType);
        return;
      }
      case Kind::device_info:
        // The creator (device_index 0) names the device when file_id does not.
        if (values.get(kDeviceIndex).value_or(-1) == 0 && !creator_.seen) creator_ = to_device(plan, data, values);
        return;
      case Kind::activity:
        if (values.has(kLocalTimestamp) && values.has(kMiscTimestamp)) {
          const double offset = values.v[kLocalTimestamp] - values.v[kMiscTimestamp];
          if (std::abs(offset) <= 86400) utc_offset_s_ = static_cast<std::int32_t>(offset);
        }
        return;
      case Kind::sport:
        if (!sport_.sport) {
          sport_.sport = values.get(kMiscSport);
          sport_.sub_sport = values.get(kMiscSubSport);
          if (plan.string_offset >= 0) {
            sport_name_ = std::string(detail::read_string(data + plan.string_offset, plan.string_size));
          }
        }
        return;
      case Kind::other: return;
    }
  }

  void finish() {
    if (untimed_records_ > 0) {
      out_.warnings.push_back(fmt::format("{} record messages without a timestamp were skipped", untimed_records_));
    }
    out_.device = device_name();
    if (file_id_.seen && (file_id_.serial || file_id_.time_created)) {
      // Numbers, not names: profile renames must not change the de-duplication key.
      out_.source_id =
          fmt::format("fit:{}:{}:{}", file_id_.manufacturer ? fmt::format("{}", *file_id_.manufacturer) : "-",
                      file_id_.serial ? fmt::format("{}", *file_id_.serial) : "-",
                      file_id_.time_created ? std::to_string(fit_to_unix_ms(*file_id_.time_created) / 1000) : "-");
    }
    if (sessions_.empty()) {
      if (samples_.empty()) {
        const std::string type = file_type_ ? enum_text(profile::Kind::file, file_type_) : std::string("unknown");
        out_.warnings.push_back(file_type_ && *file_type_ == 4
                                    ? std::string("activity file without sessions or timestamped records")
                                    : fmt::format("not an activity file ({}): no session or record messages", type));
        return;
      }
      // Records without a session message: one session spanning them.
      RawSession synthetic;
      synthetic.totals.start_time_ms = std::min_element(samples_.begin(), samples_.end(), [](auto& a, auto& b) {
                                         return a.time_ms < b.time_ms;
                                       })->time_ms;
      synthetic.sport = sport_.sport;
      synthetic.sub_sport = sport_.sub_sport;
      if (!synthetic.sport && !laps_.empty()) synthetic.sport = lap_sport_;
      sessions_.push_back(std::move(synthetic));
      out_.warnings.push_back(
          fmt::format("no session message: one session synthesised from {} records", samples_.size()));
    }
    std::stable_sort(sessions_.begin(), sessions_.end(), [](const RawSession& a, const RawSession& b) {
      return a.totals.start_time_ms < b.totals.start_time_ms;
    });
    out_.sessions.resize(sessions_.size());
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
      Session& s = out_.sessions[i];
      s.totals = sessions_[i].totals;
      s.sport = sessions_[i].sport ? enum_text(profile::Kind::sport, sessions_[i].sport) : std::string("generic");
      s.sub_sport = sessions_[i].sub_sport ? enum_text(profile::Kind::sub_sport, sessions_[i].sub_sport) : "";
      s.utc_offset_s = utc_offset_s_;
      if (!sport_name_.empty() && sessions_.size() == 1) s.name = sport_name_;
    }
    // Session i owns [start_i, start_{i+1}); before the first start belongs to the first session.
    const auto owner = [&](std::int64_t t) -> std::size_t {
      const auto it = std::upper_bound(sessions_.begin(), sessions_.end(), t,
                                       [](std::int64_t v, const RawSession& s) { return v < s.totals.start_time_ms; });
      return it == sessions_.begin() ? 0 : static_cast<std::size_t>(it - sessions_.begin() - 1);
    };
    if (out_.sessions.size() == 1) {
      out_.sessions[0].samples = std::move(samples_);
    } else {
      std::vector<std::size_t> owners(samples_.size()), counts(sessions_.size());
      for (std::size_t i = 0; i < samples_.size(); ++i) ++counts[owners[i] = owner(samples_[i].time_ms)];
      for (std::size_t i = 0; i < counts.size(); ++i) out_.sessions[i].samples.reserve(counts[i]);
      for (std::size_t i = 0; i < samples_.size(); ++i) out_.sessions[owners[i]].samples.push_back(samples_[i]);
    }
    for (auto& session : out_.sessions) {
      auto& samples = session.samples;
      if (!std::is_sorted(samples.begin(), samples.end(),
                          [](const Sample& a, const Sample& b) { return a.time_ms < b.time_ms; })) {
        std::stable_sort(samples.begin(), samples.end(),
                         [](const Sample& a, const Sample& b) { return a.time_ms < b.time_ms; });
      }
    }
    for (auto& lap : laps_) out_.sessions[owner(lap.totals.start_time_ms)].laps.push_back(std::move(lap));
  }

 private:
  void on_record(const Plan& plan, const std::uint8_t* data, const Values& values, detail::RecordTime time) {
    if (!time.known) {
      ++untimed_records_;
      return;
    }
    Sample& s = samples_.emplace_back();
    s.time_ms = (static_cast<std::int64_t>(time.value) + kFitEpochUnixSeconds) * 1000;
    if (values.has(kLat) && values.has(kLong)) {
      s.latitude_deg = values.v[kLat] * kSemicirclesToDegrees;
      s.longitude_deg = values.v[kLong] * kSemicirclesToDegrees;
    }
    // enhanced_* (32-bit) win over their 16-bit originals; both scale 5 offset 500 m / scale 1000 m/s.
    s.altitude_m =
        values.has(kEnhancedAltitude) ? values.scaled(kEnhancedAltitude, 5, 500) : values.scaled(kAltitude, 5, 500);
    s.speed_mps = values.has(kEnhancedSpeed) ? values.scaled(kEnhancedSpeed, 1000) : values.scaled(kSpeed, 1000);
    s.heart_rate_bpm = values.get(kHeartRate);
    s.power_w = values.get(kPower);
    s.temperature_c = values.get(kTemperature);
    if (values.has(kCadence)) {
      s.cadence_rpm = values.v[kCadence] + (values.has(kFractionalCadence) ? values.v[kFractionalCadence] / 128 : 0);
    }
    if (values.has(kDistance)) {
      s.distance_m = values.v[kDistance] / 100;
      // A full distance restarts the compressed-distance accumulator (in its 1/16 m units).
      if (const auto units = detail::as_u64(values.v[kDistance] / 100 * 16)) {
        distance_acc_ = distance_last_ = *units;
        have_distance_acc_ = true;
      }
    }
    if (plan.csd_offset >= 0) {
      const std::uint8_t* p = data + plan.csd_offset;
      if (!(p[0] == 0xFF && p[1] == 0xFF && p[2] == 0xFF)) {
        // compressed_speed_distance: bits 0-11 speed (1/100 m/s), bits 12-23 distance (1/16 m, accumulated).
        const std::uint32_t bits = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                                   static_cast<std::uint32_t>(p[2]) << 16;
        const std::uint64_t speed = bits & 0xFFF;
        const std::uint64_t distance = bits >> 12 & 0xFFF;
        if (!s.speed_mps) s.speed_mps = static_cast<double>(speed) / 100;
        if (!have_distance_acc_) {
          distance_acc_ = distance;
          have_distance_acc_ = true;
        } else {
          distance_acc_ += (distance - distance_last_) & 0xFFF;
        }
        distance_last_ = distance;
        if (!s.distance_m) s.distance_m = static_cast<double>(distance_acc_) / 16;
      }
    }
  }

  void on_summary(const Values& values, bool session) {
    Totals t;
    const auto start = values.get(kStartTime);
    const auto elapsed = values.scaled(kTotalElapsed, 1000);
    if (start) {
      t.start_time_ms = fit_to_unix_ms(*start);
    } else if (values.has(kTimestamp)) {
      t.start_time_ms = fit_to_unix_ms(values.v[kTimestamp] - elapsed.value_or(0));
    }
    t.elapsed_s = elapsed;
    t.timer_s = values.scaled(kTotalTimer, 1000);
    t.distance_m = values.scaled(kTotalDistance, 100);
    t.ascent_m = values.get(kAscent);
    t.descent_m = values.get(kDescent);
    t.avg_heart_rate_bpm = values.get(kAvgHr);
    t.max_heart_rate_bpm = values.get(kMaxHr);
    t.avg_power_w = values.get(kAvgPower);
    t.max_power_w = values.get(kMaxPower);
    t.normalized_power_w = values.get(kNormalizedPower);
    if (values.has(kAvgCadence)) {
      t.avg_cadence_rpm =
          values.v[kAvgCadence] + (values.has(kAvgFractionalCadence) ? values.v[kAvgFractionalCadence] / 128 : 0);
    }
    t.avg_speed_mps =
        values.has(kEnhancedAvgSpeed) ? values.scaled(kEnhancedAvgSpeed, 1000) : values.scaled(kAvgSpeed, 1000);
    t.max_speed_mps =
        values.has(kEnhancedMaxSpeed) ? values.scaled(kEnhancedMaxSpeed, 1000) : values.scaled(kMaxSpeed, 1000);
    t.calories_kcal = values.get(kCalories);
    if (session) {
      RawSession& s = sessions_.emplace_back();
      s.totals = t;
      s.sport = values.get(kSportValue);
      s.sub_sport = values.get(kSubSportValue);
    } else {
      if (!lap_sport_) lap_sport_ = values.get(kSportValue);
      laps_.push_back(Lap{t});
    }
  }

  DeviceId to_device(const Plan& plan, const std::uint8_t* data, const Values& values) const {
    DeviceId id;
    id.seen = true;
    id.manufacturer = values.get(kManufacturer);
    id.product = values.get(kProduct);
    id.serial = values.get(kSerial);
    id.time_created = values.get(kTimeCreated);
    if (plan.string_offset >= 0) {
      id.product_name = std::string(detail::read_string(data + plan.string_offset, plan.string_size));
    }
    return id;
  }

  // "Garmin Edge 500" style: manufacturer name, then product_name, else the garmin_product name, else the number.
  std::string device_name() const {
    const DeviceId& id = file_id_.seen && file_id_.manufacturer ? file_id_ : creator_;
    if (!id.seen || !id.manufacturer) return {};
    const auto manufacturer = detail::as_u32(*id.manufacturer).value_or(0xFFFF);
    const auto m = profile::enum_name(profile::Kind::manufacturer, manufacturer);
    std::string name = m.empty() ? fmt::format("Manufacturer {}", *id.manufacturer) : title_case(m);
    std::string product = id.product_name;
    if (product.empty() && !creator_.product_name.empty() && creator_.manufacturer == id.manufacturer) {
      product = creator_.product_name;
    }
    if (product.empty() && id.product) {
      const auto number = detail::as_u32(*id.product);
      const auto p = number && profile::is_garmin_family(manufacturer)
                         ? profile::enum_name(profile::Kind::product, *number)
                         : std::string_view{};
      product = p.empty() ? fmt::format("product {}", *id.product) : title_case(p);
    }
    return product.empty() ? name : name + " " + product;
  }

  Recording& out_;
  std::array<Plan, 16> plans_{};
  std::vector<Sample> samples_;
  std::vector<RawSession> sessions_;
  std::vector<Lap> laps_;
  std::optional<double> lap_sport_;
  DeviceId file_id_, creator_;
  std::optional<double> file_type_;
  struct {
    std::optional<double> sport, sub_sport;
  } sport_;
  std::string sport_name_;
  std::optional<std::int32_t> utc_offset_s_;
  std::uint64_t distance_acc_ = 0, distance_last_ = 0;
  bool have_distance_acc_ = false;
  std::size_t untimed_records_ = 0;
};

}  // namespace

Result<Recording> decode_recording(std::span<const std::byte> bytes, const DecodeOptions& options) {
  Recording out;
  out.format = FileFormat::fit;
  RecordingConsumer consumer(out, bytes.size());
  detail::Reader<RecordingConsumer> reader(bytes, options, consumer, out.warnings);
  auto status = reader.run();
  if (!status) return std::unexpected(std::move(status.error()));
  consumer.finish();
  return out;
}

}  // namespace pierre::formats::fit
