// fit::decode: every message as a generic list of named, scaled fields (see fit.hpp for the decisions).
#include <algorithm>
#include <cmath>
#include <map>

#include "fit/profile.hpp"
#include "fit/reader.hpp"
#include "pierre/formats/fit.hpp"

namespace pierre::formats::fit {
namespace {

using detail::Definition;
using detail::kBase;

// Accumulated component values (FIT protocol "Accumulated fields"): each new value adds its difference from the
// previous one modulo 2^bits, so a 12-bit rolling distance becomes a running total.
struct Accumulator {
  std::uint64_t total = 0;
  std::uint64_t last = 0;
  std::uint64_t add(std::uint64_t value, unsigned bits) {
    const std::uint64_t mask = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    total += (value - last) & mask;
    last = value;
    return total;
  }
};

class GenericConsumer {
 public:
  GenericConsumer(FitFile& out, const DecodeOptions& options) : out_(out), options_(options) {}

  void set_dev(const detail::DevRegistry* dev) { dev_ = dev; }
  void on_file(const FileHeader& header) { out_.files.push_back(header); }
  void on_crc_mismatch() {
    if (!out_.files.empty()) out_.files.back().crc_ok = false;
  }

  void on_definition(std::uint8_t local, const Definition& def) {
    Plan& plan = plans_[local];
    plan.message = profile::find_message(def.global);
    for (std::size_t i = 0; i < def.num_fields; ++i) {
      plan.fields[i] = profile::find_field(plan.message, def.fields[i].number);
    }
  }

  void on_data(const Definition& def, const std::uint8_t* data, std::size_t record_offset, detail::RecordTime time) {
    const Plan& plan = plan_for(def);
    Message& message = out_.messages.emplace_back();
    message.global_number = def.global;
    message.name = plan.message != nullptr ? plan.message->name : std::string_view{};
    message.offset = record_offset;
    message.fields.reserve(def.num_fields);
    std::optional<std::uint32_t> manufacturer;
    pending_.clear();
    for (std::size_t i = 0; i < def.num_fields; ++i) {
      const auto& fd = def.fields[i];
      const profile::FieldSpec* spec = plan.fields[i];
      decode_field(def, fd, data + fd.offset, spec, message);
      if (spec != nullptr && spec->kind == profile::Kind::manufacturer && !message.fields.empty() &&
          message.fields.back().number == fd.number && !message.fields.back().values.empty() &&
          message.fields.back().values[0]) {
        manufacturer = detail::as_u32(*message.fields.back().values[0]);
      }
    }
    // Profile subfield: `product` is a garmin_product when the manufacturer is Garmin, Dynastream or Tacx.
    for (auto& field : message.fields) {
      const auto* spec = profile::find_field(plan.message, field.number);
      if (spec != nullptr && spec->kind == profile::Kind::product && manufacturer &&
          profile::is_garmin_family(*manufacturer) && field.values.size() == 1 && field.values[0]) {
        if (const auto product = detail::as_u32(*field.values[0])) {
          field.text = std::string(profile::enum_name(profile::Kind::product, *product));
        }
      }
    }
    if (options_.expand_components) {
      // By index: expanding a target that has components of its own queues it (speed -> enhanced_speed).
      for (std::size_t i = 0; i < pending_.size() && i < 16; ++i) expand(def.global, plan.message, i, message);
    }
    if (time.compressed && time.known && message.field(profile::kTimestampField) == nullptr) {
      Field ts;
      ts.number = profile::kTimestampField;
      ts.name = "timestamp";
      ts.units = "s";
      ts.base_type = BaseType::uint32;
      ts.expanded = true;
      ts.values.emplace_back(static_cast<double>(time.value));
      message.fields.push_back(std::move(ts));
    }
    for (const auto& dd : def.dev_span()) decode_dev_field(def, dd, data + dd.offset, message);
  }

 private:
  struct Plan {
    const profile::MessageSpec* message = nullptr;
    std::array<const profile::FieldSpec*, 255> fields{};
  };

  const Plan& plan_for(const Definition& def) const { return plans_[def.local & 0x0F]; }

  // A field with profile components, waiting for the rest of the message (accumulators restart first).
  struct Pending {
    const profile::FieldSpec* spec;
    std::uint8_t element_bits;
    std::uint8_t count;
    std::array<std::uint64_t, 8> raw;
  };

  void decode_field(const Definition& def, const detail::FieldDef& fd, const std::uint8_t* p,
                    const profile::FieldSpec* spec, Message& message) {
    const auto& base = kBase[fd.base];
    if (fd.size == 0) return;
    Field field;
    field.number = fd.number;
    field.base_type = detail::kBaseTypes[fd.base];
    if (spec != nullptr) {
      field.name = std::string(spec->name);
      field.units = std::string(spec->units);
    }
    if (base.is_string) {
      field.text = std::string(detail::read_string(p, fd.size));
      if (field.text.empty()) return;  // an empty string is the string type's invalid value
      message.fields.push_back(std::move(field));
      return;
    }
    // A size that is not a whole number of elements is invalid (the SDK reads it as null too).
    if (fd.size % base.size != 0) return;
    const std::size_t count = fd.size / base.size;
    const double scale = spec != nullptr && spec->scale != 0 ? spec->scale : 1.0;
    const double offset = spec != nullptr ? spec->offset : 0.0;
    bool any_valid = false;
    field.values.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t raw = detail::load(p + i * base.size, base.size, def.big_endian);
      const double number = detail::to_double(raw, fd.base);
      if (raw == base.invalid || std::isnan(number) || std::isinf(number)) {
        field.values.emplace_back(std::nullopt);
        continue;
      }
      any_valid = true;
      field.values.emplace_back(number / scale - offset);
    }
    if (!any_valid) return;
    if (spec != nullptr && !spec->components.empty()) {
      Pending pending{spec, static_cast<std::uint8_t>(base.size * 8), 0, {}};
      for (std::size_t i = 0; i < count && i < pending.raw.size(); ++i, ++pending.count) {
        pending.raw[i] = detail::load(p + i * base.size, base.size, def.big_endian);
      }
      pending_.push_back(pending);
    }
    if (spec != nullptr && count == 1 && field.values[0]) {
      if (const auto value = detail::as_u32(*field.values[0])) {
        field.text = std::string(profile::enum_name(spec->kind, *value));
      }
    }
    // A field that an accumulating component feeds restarts that accumulator at its own value.
    reset_accumulators(def.global, fd.number, field);
    message.fields.push_back(std::move(field));
  }

  void reset_accumulators(std::uint16_t global, std::uint8_t number, const Field& field) {
    const auto* message = profile::find_message(global);
    if (message == nullptr || field.values.empty() || !field.values[0]) return;
    for (const auto& source : message->fields) {
      for (const auto& c : source.components) {
        if (c.target != number || !c.accumulate) continue;
        const auto value = detail::as_u64((*field.values[0] + c.offset) * c.scale);
        if (value) accumulators_[key(global, number)] = Accumulator{*value, *value};
      }
    }
  }

  static std::uint32_t key(std::uint16_t global, std::uint8_t field) noexcept {
    return static_cast<std::uint32_t>(global) << 8 | field;
  }

  // Profile components: the bits of a field (elements read least significant bit first, in element order) become
  // other fields of the same message, value = bits / scale - offset. Work is bounded by the profile's component
  // lists (at most 64 bits per source field).
  void expand(std::uint16_t global, const profile::MessageSpec* spec, std::size_t index, Message& message) {
    const Pending source = pending_[index];
    std::uint64_t buffer = 0;
    unsigned available = 0;
    std::size_t element = 0;
    for (const auto& c : source.spec->components) {
      while (available < c.bits && element < source.count && available + source.element_bits <= 64) {
        const unsigned width = source.element_bits;
        const std::uint64_t raw = source.raw[element++];
        buffer |= (width >= 64 ? raw : raw & ((std::uint64_t{1} << width) - 1)) << available;
        available += width;
      }
      if (available < c.bits) break;
      std::uint64_t value = buffer & ((std::uint64_t{1} << c.bits) - 1);
      buffer = c.bits >= 64 ? 0 : buffer >> c.bits;
      available -= c.bits;
      if (c.accumulate) {
        auto [it, inserted] = accumulators_.try_emplace(key(global, c.target), Accumulator{value, value});
        value = inserted ? value : it->second.add(value, c.bits);
      }
      const auto* target = profile::find_field(spec, c.target);
      const double number = static_cast<double>(value) / c.scale - c.offset;
      if (target != nullptr && !target->components.empty()) {
        Pending next{target, 32, 1, {}};
        next.raw[0] = static_cast<std::uint64_t>(std::llround((number + target->offset) * target->scale));
        pending_.push_back(next);
      }
      // The expanded value replaces a field of the same number (the SDK does the same).
      auto existing = std::find_if(message.fields.begin(), message.fields.end(),
                                   [&](const Field& f) { return f.number == c.target; });
      if (existing != message.fields.end()) {
        existing->values.assign(1, number);
        existing->expanded = true;
        continue;
      }
      Field& out = message.fields.emplace_back();
      out.number = c.target;
      out.expanded = true;
      out.base_type = BaseType::uint32;
      if (target != nullptr) {
        out.name = std::string(target->name);
        out.units = std::string(target->units);
      }
      out.values.emplace_back(number);
    }
  }

  void decode_dev_field(const Definition& def, const detail::DevFieldDef& dd, const std::uint8_t* p, Message& message) {
    if (dev_ == nullptr || dd.size == 0) return;
    const detail::DevFieldInfo* info = dev_->find(dd.developer_data_index, dd.number);
    if (info == nullptr) return;  // no field_description: skipped, as the SDK does
    const auto& base = kBase[info->base];
    Field field;
    field.number = dd.number;
    field.developer_data_index = dd.developer_data_index;
    field.name = info->name;
    field.units = info->units;
    field.base_type = detail::kBaseTypes[info->base];
    if (base.is_string) {
      field.text = std::string(detail::read_string(p, dd.size));
      if (!field.text.empty()) message.developer_fields.push_back(std::move(field));
      return;
    }
    if (dd.size % base.size != 0) return;
    bool any_valid = false;
    for (std::size_t i = 0; i < dd.size / base.size; ++i) {
      const std::uint64_t raw = detail::load(p + i * base.size, base.size, def.big_endian);
      const double number = detail::to_double(raw, info->base);
      if (raw == base.invalid || !std::isfinite(number)) {
        field.values.emplace_back(std::nullopt);
      } else {
        any_valid = true;
        field.values.emplace_back(number / info->scale - info->offset);
      }
    }
    if (any_valid) message.developer_fields.push_back(std::move(field));
  }

  FitFile& out_;
  const DecodeOptions& options_;
  const detail::DevRegistry* dev_ = nullptr;
  std::array<Plan, 16> plans_{};
  std::map<std::uint32_t, Accumulator> accumulators_;
  std::vector<Pending> pending_;
};

}  // namespace

const Field* Message::field(std::string_view field_name) const noexcept {
  const auto it = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == field_name; });
  return it == fields.end() ? nullptr : &*it;
}

const Field* Message::field(std::uint8_t number) const noexcept {
  const auto it = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.number == number; });
  return it == fields.end() ? nullptr : &*it;
}

std::uint16_t crc16(std::span<const std::byte> bytes, std::uint16_t crc) noexcept {
  return detail::crc_update(crc, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

Result<FitFile> decode(std::span<const std::byte> bytes, const DecodeOptions& options) {
  FitFile out;
  GenericConsumer consumer(out, options);
  detail::Reader<GenericConsumer> reader(bytes, options, consumer, out.warnings);
  consumer.set_dev(&reader.developer_fields());
  auto status = reader.run();
  if (!status) return std::unexpected(std::move(status.error()));
  return out;
}

}  // namespace pierre::formats::fit
