#include "pierre/core/ids.hpp"

#include <atomic>
#include <fmt/format.h>
#include <random>

namespace pierre::ids {

std::string new_request_id() {
  // A random 32-bit process prefix keeps ids from different runs apart; the counter keeps them unique within a run.
  static const std::uint32_t prefix = std::random_device{}();
  static std::atomic<std::uint32_t> counter{0};
  return fmt::format("{:08x}{:08x}", prefix, counter.fetch_add(1, std::memory_order_relaxed));
}

bool is_acceptable_request_id(std::string_view candidate) noexcept {
  if (candidate.empty() || candidate.size() > 64) return false;
  for (char c : candidate) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace pierre::ids
