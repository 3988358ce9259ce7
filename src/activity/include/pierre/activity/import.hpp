#pragma once
// From activity files to activities: format detection, decoding (formats::), and the mapping of a decoded recording
// onto the model — one activity per session, totals the device did not record derived from the samples.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/activity/model.hpp"
#include "pierre/core/error.hpp"
#include "pierre/formats/recording.hpp"

namespace pierre::activity {

struct NewActivity {
  Activity activity;  // id empty: the store assigns it
  Streams streams;
};

enum class FileKind { fit, gpx, tcx, unknown };
// FIT by its header signature, GPX/TCX by their root element; the file name's extension only when the content says
// nothing (e.g. an empty file).
FileKind detect_file_kind(std::span<const std::uint8_t> bytes, std::string_view filename);

// invalid_format (details: offset or line, reason) for a file that is none of the three or does not decode.
Result<formats::Recording> decode_activity_file(std::span<const std::uint8_t> bytes, std::string_view filename);

// One NewActivity per session with samples or totals, source "file". `content_id` (e.g. a SHA-256 of the bytes)
// names the file when it carries no id of its own; several sessions share a group id.
std::vector<NewActivity> activities_from_recording(const formats::Recording& recording, std::string_view content_id);

// Totals from samples alone (what a GPX file needs): elapsed and moving time, distance, ascent/descent (2 m
// hysteresis against GPS/barometer noise), HR, power (with normalised power: 30 s rolling mean, 4th-power mean —
// Coggan, "Training and Racing with a Power Meter", 2010), cadence, speed.
Summary summarize_streams(const Streams& streams, std::int64_t start_time_ms);

}  // namespace pierre::activity
