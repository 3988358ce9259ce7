#pragma once
// The stored form of Streams: per channel, values quantised to a fixed precision, a run-length mask of the samples
// that have a value, then zig-zag varint deltas; the whole compressed with zstd. A one-hour ride at 1 Hz with nine
// channels (~32 k values) takes ~30–60 KB as doubles and a few KB stored.
//
// Precision (the quantum each channel is rounded to): time 1 ms, distance 1 cm, latitude/longitude 1e-7° (~1 cm),
// altitude 1 cm, heart rate 0.1 bpm, power 0.1 W, cadence 0.1 rpm, speed 1 mm/s, temperature 0.1 °C.
//
// Layout v1: "PS" 0x01, then one zstd frame of: varint n, varint channel mask, and per present channel (in the
// order of kChannels): varint run count, runs (alternating present/absent lengths, starting with present), then a
// zig-zag varint delta per present value.

#include <cstdint>
#include <span>
#include <vector>

#include "pierre/activity/model.hpp"
#include "pierre/core/error.hpp"

namespace pierre::activity {

std::vector<std::uint8_t> encode_streams(const Streams& streams);
// invalid_format for anything that is not a well-formed v1 blob (bounded: at most 20 M samples).
Result<Streams> decode_streams(std::span<const std::uint8_t> blob);

}  // namespace pierre::activity
