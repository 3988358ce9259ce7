// Any bytes through the FIT decoder (both entry points): no crash, hang or sanitizer report; an error always names
// an offset inside the input and a reason; output stays proportional to the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "pierre/formats/fit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fit = pierre::formats::fit;
  const auto bytes = std::as_bytes(std::span(data, size));
  const auto check_error = [size](const pierre::Error& e) {
    if (e.code != pierre::ErrorCode::invalid_format) std::abort();
    if (!e.details.contains("offset") || !e.details.contains("reason")) std::abort();
    if (e.details["offset"].get<std::size_t>() > size) std::abort();
  };
  if (auto file = fit::decode(bytes); !file) {
    check_error(file.error());
  } else if (file->messages.size() > size) {
    std::abort();  // every message consumes at least one byte
  }
  if (auto rec = fit::decode_recording(bytes); !rec) {
    check_error(rec.error());
  } else {
    std::size_t samples = 0;
    for (const auto& s : rec->sessions) samples += s.samples.size();
    if (samples > size) std::abort();
  }
  (void)fit::decode(bytes, {.reject_crc_mismatch = true, .reject_damage = true, .expand_components = false});
  return 0;
}
