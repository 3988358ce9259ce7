// Which addresses an outbound request may reach when private targets are not allowed. Ranges from the IANA IPv4 and
// IPv6 Special-Purpose Address Registries (RFC 6890 and updates): everything not marked "globally reachable", plus
// the forwardable-but-internal ones (CGNAT 100.64/10, ULA fc00::/7). Embedded IPv4 forms are judged by their IPv4.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "pierre/net/http_client.hpp"

namespace pierre::net {
namespace {

struct V4Range {
  std::uint32_t network;
  int prefix;
};

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24U) | (b << 16U) | (c << 8U) | d;
}

constexpr std::array<V4Range, 16> kNonPublicV4{{
    {v4(0, 0, 0, 0), 8},        // "this network"
    {v4(10, 0, 0, 0), 8},       // RFC 1918
    {v4(100, 64, 0, 0), 10},    // shared address space (CGNAT), RFC 6598
    {v4(127, 0, 0, 0), 8},      // loopback
    {v4(169, 254, 0, 0), 16},   // link-local (cloud metadata services live here)
    {v4(172, 16, 0, 0), 12},    // RFC 1918
    {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {v4(192, 0, 2, 0), 24},     // TEST-NET-1
    {v4(192, 88, 99, 0), 24},   // 6to4 relay anycast (deprecated)
    {v4(192, 168, 0, 0), 16},   // RFC 1918
    {v4(198, 18, 0, 0), 15},    // benchmarking
    {v4(198, 51, 100, 0), 24},  // TEST-NET-2
    {v4(203, 0, 113, 0), 24},   // TEST-NET-3
    {v4(224, 0, 0, 0), 4},      // multicast
    {v4(240, 0, 0, 0), 4},      // reserved, includes 255.255.255.255
    {v4(255, 255, 255, 255), 32},
}};

bool public_v4(std::uint32_t host_order) {
  for (const auto& r : kNonPublicV4) {
    const std::uint32_t mask = r.prefix == 0 ? 0 : ~std::uint32_t{0} << static_cast<unsigned>(32 - r.prefix);
    if ((host_order & mask) == r.network) return false;
  }
  return true;
}

std::uint32_t v4_at(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24U) | (std::uint32_t{p[1]} << 16U) | (std::uint32_t{p[2]} << 8U) | p[3];
}

bool public_v6(const std::uint8_t (&a)[16]) {
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr std::uint8_t kNat64Prefix[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, kMappedPrefix, 12) == 0) return public_v4(v4_at(a + 12));  // ::ffff:a.b.c.d
  if (std::memcmp(a, kNat64Prefix, 12) == 0) return public_v4(v4_at(a + 12));   // 64:ff9b::/96
  if (a[0] == 0x20 && a[1] == 0x02) return public_v4(v4_at(a + 2));             // 6to4 2002:V4ADDR::/48
  // Only global unicast 2000::/3 can be public; this also excludes ::, ::1, the deprecated IPv4-compatible ::/96,
  // 100::/64 (discard), fc00::/7 (ULA), fe80::/10 and fec0::/10 (link/site-local) and ff00::/8 (multicast).
  if ((a[0] & 0xe0) != 0x20) return false;
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02) return false;  // 2001::/23 IETF protocol (Teredo…)
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return false;  // 2001:db8::/32 documentation
  if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0) return false;            // 3fff::/20 documentation (RFC 9637)
  return true;
}

}  // namespace

bool is_public_address(const sockaddr* address) noexcept {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    return public_v4(ntohl(in.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    std::uint8_t bytes[16];
    std::memcpy(bytes, &in6.sin6_addr, 16);
    return public_v6(bytes);
  }
  return false;
}

bool is_public_address(std::string_view text) noexcept {
  const std::string s(text);
  sockaddr_in in{};
  if (::inet_pton(AF_INET, s.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    sockaddr_storage storage{};
    std::memcpy(&storage, &in, sizeof in);
    return is_public_address(reinterpret_cast<const sockaddr*>(&storage));
  }
  sockaddr_in6 in6{};
  if (::inet_pton(AF_INET6, s.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    sockaddr_storage storage{};
    std::memcpy(&storage, &in6, sizeof in6);
    return is_public_address(reinterpret_cast<const sockaddr*>(&storage));
  }
  return false;
}

}  // namespace pierre::net
