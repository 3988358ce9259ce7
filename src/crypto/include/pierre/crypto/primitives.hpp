#pragma once
// Thin, owned wrappers over libsodium/OpenSSL primitives. Nothing here is hand-rolled crypto.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pierre::crypto {

using Bytes = std::vector<std::uint8_t>;

// Cryptographically secure random bytes (libsodium).
Bytes random_bytes(std::size_t count);

// HMAC-SHA-256 (OpenSSL), 32 bytes.
Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);

// SHA-256 (OpenSSL), 32 bytes.
Bytes sha256(std::span<const std::uint8_t> message);

// Comparison whose time does not depend on where the inputs differ (lengths are not secret).
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// Lower-case hexadecimal (libsodium), two characters per byte: for ids and stored digests.
std::string hex_encode(std::span<const std::uint8_t> bytes);

// Standard base64 with padding (RFC 4648 §4), e.g. for file contents in JSON.
std::string base64_encode(std::span<const std::uint8_t> bytes);
// URL-safe base64 without padding, for tokens and cursors that travel in URLs.
std::string base64url_encode(std::span<const std::uint8_t> bytes);
// nullopt-like: returns false when the text is not strict URL-safe unpadded base64.
bool base64url_decode(std::string_view text, Bytes& out);
// Standard alphabet with padding (RFC 4648 §4); strict: wrong padding or any other character fails.
bool base64_decode(std::string_view text, Bytes& out);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace pierre::crypto
