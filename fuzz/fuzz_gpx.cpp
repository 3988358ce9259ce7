// Fuzzes the GPX decoder (pugixml underneath): any bytes must give a Recording or an error, never a crash, hang or
// sanitizer report; a Recording must keep the invariants the decoder documents.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "pierre/formats/gpx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto rec = pierre::formats::decode_gpx(std::span<const std::uint8_t>(data, size));
  if (!rec) return 0;
  if (rec->sessions.empty() && rec->warnings.empty()) std::abort();  // an empty Recording always says why
  for (const auto& session : rec->sessions) {
    for (std::size_t i = 1; i < session.samples.size(); ++i) {
      if (session.samples[i].time_ms < session.samples[i - 1].time_ms) std::abort();  // samples are in time order
    }
  }
  return 0;
}
