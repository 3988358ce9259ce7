// pierre-fit-dump: a FIT file as JSON on stdout.
//   pierre-fit-dump [--messages] [--recording] [--strict] [--bench N] FILE
// --messages prints every message (fit::decode), --recording the formats::Recording (fit::decode_recording); with
// neither flag both are printed. --strict turns CRC mismatches and damage into errors. --bench N decodes N times
// (decode_recording) and prints the throughput instead.
//
// Exit codes: 0 decoded; 1 the file was refused (the JSON has "error" with code, message and details); 2 usage or
// I/O error.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/formats/fit.hpp"

namespace {

using nlohmann::json;
namespace fit = pierre::formats::fit;

json opt(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

json field_json(const fit::Field& f) {
  if (f.values.empty()) return f.text;
  if (!f.text.empty() && f.values.size() == 1) return f.text;  // an enum value the profile names
  if (f.values.size() == 1) return opt(f.values[0]);
  json array = json::array();
  for (const auto& v : f.values) array.push_back(opt(v));
  return array;
}

json messages_json(const fit::FitFile& file) {
  json out = json::array();
  for (const auto& m : file.messages) {
    json fields = json::object();
    for (const auto& f : m.fields) fields[f.name.empty() ? std::to_string(f.number) : f.name] = field_json(f);
    json entry{{"num", m.global_number}, {"offset", m.offset}, {"fields", std::move(fields)}};
    if (!m.name.empty()) entry["name"] = std::string(m.name);
    if (!m.developer_fields.empty()) {
      json dev = json::object();
      for (const auto& f : m.developer_fields) {
        dev[f.name.empty() ? std::to_string(*f.developer_data_index) + ":" + std::to_string(f.number) : f.name] =
            json{{"value", field_json(f)}, {"units", f.units}};
      }
      entry["developer_fields"] = std::move(dev);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

json totals_json(const pierre::formats::Totals& t) {
  return json{{"start_time_ms", t.start_time_ms},
              {"elapsed_s", opt(t.elapsed_s)},
              {"timer_s", opt(t.timer_s)},
              {"distance_m", opt(t.distance_m)},
              {"ascent_m", opt(t.ascent_m)},
              {"descent_m", opt(t.descent_m)},
              {"avg_heart_rate_bpm", opt(t.avg_heart_rate_bpm)},
              {"max_heart_rate_bpm", opt(t.max_heart_rate_bpm)},
              {"avg_power_w", opt(t.avg_power_w)},
              {"max_power_w", opt(t.max_power_w)},
              {"normalized_power_w", opt(t.normalized_power_w)},
              {"avg_cadence_rpm", opt(t.avg_cadence_rpm)},
              {"avg_speed_mps", opt(t.avg_speed_mps)},
              {"max_speed_mps", opt(t.max_speed_mps)},
              {"calories_kcal", opt(t.calories_kcal)}};
}

json recording_json(const pierre::formats::Recording& r) {
  json sessions = json::array();
  for (const auto& s : r.sessions) {
    json laps = json::array();
    for (const auto& l : s.laps) laps.push_back(totals_json(l.totals));
    // Samples as columns: compact, and easy to compare element by element.
    json t = json::array(), lat = json::array(), lon = json::array(), alt = json::array(), dist = json::array(),
         speed = json::array(), hr = json::array(), power = json::array(), cad = json::array(), temp = json::array();
    for (const auto& p : s.samples) {
      t.push_back(p.time_ms);
      lat.push_back(opt(p.latitude_deg));
      lon.push_back(opt(p.longitude_deg));
      alt.push_back(opt(p.altitude_m));
      dist.push_back(opt(p.distance_m));
      speed.push_back(opt(p.speed_mps));
      hr.push_back(opt(p.heart_rate_bpm));
      power.push_back(opt(p.power_w));
      cad.push_back(opt(p.cadence_rpm));
      temp.push_back(opt(p.temperature_c));
    }
    sessions.push_back(json{{"sport", s.sport},
                            {"sub_sport", s.sub_sport},
                            {"name", s.name},
                            {"utc_offset_s", s.utc_offset_s ? json(*s.utc_offset_s) : json(nullptr)},
                            {"totals", totals_json(s.totals)},
                            {"laps", std::move(laps)},
                            {"samples",
                             {{"time_ms", std::move(t)},
                              {"latitude_deg", std::move(lat)},
                              {"longitude_deg", std::move(lon)},
                              {"altitude_m", std::move(alt)},
                              {"distance_m", std::move(dist)},
                              {"speed_mps", std::move(speed)},
                              {"heart_rate_bpm", std::move(hr)},
                              {"power_w", std::move(power)},
                              {"cadence_rpm", std::move(cad)},
                              {"temperature_c", std::move(temp)}}}});
  }
  return json{{"device", r.device},
              {"source_id", r.source_id ? json(*r.source_id) : json(nullptr)},
              {"sessions", std::move(sessions)},
              {"warnings", r.warnings}};
}

json error_json(const pierre::Error& e) {
  return json{{"code", std::string(pierre::code_name(e.code))}, {"message", e.message}, {"details", e.details}};
}

}  // namespace

int main(int argc, char** argv) {
  bool messages = false, recording = false;
  long bench = 0;
  fit::DecodeOptions options;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--messages") {
      messages = true;
    } else if (arg == "--recording") {
      recording = true;
    } else if (arg == "--strict") {
      options.reject_crc_mismatch = options.reject_damage = true;
    } else if (arg == "--bench" && i + 1 < argc) {
      bench = std::strtol(argv[++i], nullptr, 10);
    } else if (!arg.empty() && arg[0] != '-' && path.empty()) {
      path = arg;
    } else {
      std::cerr << "usage: pierre-fit-dump [--messages] [--recording] [--strict] [--bench N] FILE\n";
      return 2;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: pierre-fit-dump [--messages] [--recording] [--strict] [--bench N] FILE\n";
    return 2;
  }
  if (!messages && !recording) messages = recording = true;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "pierre-fit-dump: cannot read " << path << "\n";
    return 2;
  }
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(chars.data()), chars.size());

  if (bench > 0) {
    std::size_t samples = 0;
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < bench; ++i) {
      auto r = fit::decode_recording(bytes, options);
      if (!r) return 1;
      for (const auto& s : r->sessions) samples += s.samples.size();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << json{{"bytes", bytes.size()},
                      {"iterations", bench},
                      {"seconds", seconds},
                      {"mb_per_s", static_cast<double>(bytes.size()) * static_cast<double>(bench) / seconds / 1e6},
                      {"records_per_s", static_cast<double>(samples) / seconds}}
                     .dump()
              << "\n";
    return 0;
  }

  json out = json::object();
  int status = 0;
  if (messages) {
    auto file = fit::decode(bytes, options);
    if (file) {
      json files = json::array();
      for (const auto& h : file->files) {
        files.push_back(json{{"offset", h.offset},
                             {"header_size", h.header_size},
                             {"protocol_version", h.protocol_version},
                             {"profile_version", h.profile_version},
                             {"data_size", h.data_size},
                             {"header_crc_present", h.header_crc_present},
                             {"crc_ok", h.crc_ok}});
      }
      out["files"] = std::move(files);
      out["warnings"] = file->warnings;
      out["messages"] = messages_json(*file);
    } else {
      out["error"] = error_json(file.error());
      status = 1;
    }
  }
  if (recording) {
    auto rec = fit::decode_recording(bytes, options);
    if (rec) {
      out["recording"] = recording_json(*rec);
    } else {
      out["recording_error"] = error_json(rec.error());
      status = 1;
    }
  }
  std::cout << out.dump() << "\n";
  return status;
}
