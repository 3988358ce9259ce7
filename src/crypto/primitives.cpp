#include "pierre/crypto/primitives.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <stdexcept>

namespace pierre::crypto {
namespace {

void ensure_sodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) throw std::runtime_error("libsodium failed to initialise");  // unrecoverable: no randomness
}

}  // namespace

Bytes random_bytes(std::size_t count) {
  ensure_sodium();
  Bytes out(count);
  if (count > 0) randombytes_buf(out.data(), out.size());  // an empty vector's data() may be null
  return out;
}

Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(), out.data(), &len);
  out.resize(len);
  return out;
}

Bytes sha256(std::span<const std::uint8_t> message) {
  Bytes out(32);
  unsigned int len = 0;
  EVP_Digest(message.data(), message.size(), out.data(), &len, EVP_sha256(), nullptr);
  out.resize(len);
  return out;
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  ensure_sodium();
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();  // the terminating NUL sodium writes
  return out;
}

namespace {
std::string encode_base64(std::span<const std::uint8_t> bytes, int variant) {
  ensure_sodium();
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);
  return out;
}
}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  return encode_base64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  return encode_base64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

namespace {
bool decode_base64(std::string_view text, Bytes& out, int variant) {
  ensure_sodium();
  out.clear();
  if (text.empty()) return true;  // libsodium must not see a null buffer
  out.resize(text.size());
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    out.clear();
    return false;
  }
  out.resize(len);
  return true;
}
}  // namespace

bool base64url_decode(std::string_view text, Bytes& out) {
  return decode_base64(text, out, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool base64_decode(std::string_view text, Bytes& out) {
  return decode_base64(text, out, sodium_base64_VARIANT_ORIGINAL);
}

}  // namespace pierre::crypto
