#pragma once
// AES-256-GCM (OpenSSL EVP) with a random 96-bit nonce per call and a 128-bit tag, packed into one
// self-describing blob:
//
//   offset  size  field
//   0       1     format = 0x01 (kAeadFormatV1); any other value is rejected as malformed
//   1       12    nonce (random per seal, libsodium randombytes)
//   13      n     ciphertext (same length as the plaintext)
//   13+n    16    GCM tag over (aad, ciphertext)
//
// The caller's `aad` is authenticated but not stored. Random 96-bit nonces keep the collision probability below
// 2^-32 for up to 2^32 seals under one key (NIST SP 800-38D §8.3); rotate keys long before that.
// Every authentication failure (wrong key, wrong aad, any altered byte) yields one and the same error, decided by
// OpenSSL's constant-time tag check; no unauthenticated plaintext ever leaves aes256gcm_open.

#include <cstdint>
#include <span>

#include "pierre/core/error.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::crypto {

inline constexpr std::uint8_t kAeadFormatV1 = 0x01;
inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 12;
inline constexpr std::size_t kAeadTagBytes = 16;
inline constexpr std::size_t kAeadOverhead = 1 + kAeadNonceBytes + kAeadTagBytes;

// Errors: invalid_input for a key that is not 32 bytes or a plaintext/aad too large for OpenSSL's int lengths;
// internal_error if OpenSSL itself fails.
Result<Bytes> aes256gcm_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> plaintext,
                             std::span<const std::uint8_t> aad = {});

// Errors: invalid_input for a wrong-size key or a blob that is too short / has an unknown format byte;
// permission_denied ("decryption failed", no detail) when authentication fails.
Result<Bytes> aes256gcm_open(std::span<const std::uint8_t> key, std::span<const std::uint8_t> blob,
                             std::span<const std::uint8_t> aad = {});

}  // namespace pierre::crypto
