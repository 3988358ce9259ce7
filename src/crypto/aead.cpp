#include "pierre/crypto/aead.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>

namespace pierre::crypto {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

constexpr std::size_t kMaxLength = static_cast<std::size_t>(INT_MAX) - kAeadOverhead;

std::unexpected<Error> openssl_failure() {
  return fail(ErrorCode::internal_error, "encryption backend failure");
}

std::unexpected<Error> auth_failure() {
  return fail(ErrorCode::permission_denied, "decryption failed");
}

}  // namespace

Result<Bytes> aes256gcm_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> plaintext,
                             std::span<const std::uint8_t> aad) {
  if (key.size() != kAeadKeyBytes) return fail(ErrorCode::invalid_input, "AES-256-GCM key must be 32 bytes");
  if (plaintext.size() > kMaxLength || aad.size() > kMaxLength) {
    return fail(ErrorCode::invalid_input, "AES-256-GCM input too large");
  }

  Bytes out(kAeadOverhead + plaintext.size());
  out[0] = kAeadFormatV1;
  const Bytes nonce = random_bytes(kAeadNonceBytes);
  std::copy(nonce.begin(), nonce.end(), out.begin() + 1);
  std::uint8_t* ct = out.data() + 1 + kAeadNonceBytes;
  std::uint8_t* tag = ct + plaintext.size();

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return openssl_failure();
  int len = 0;
  // The GCM default IV length is 12 bytes, which is what we pass.
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data() + 1) != 1) {
    return openssl_failure();
  }
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return openssl_failure();
  }
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), ct, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1) {
    return openssl_failure();
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &len) != 1) return openssl_failure();
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes), tag) != 1) {
    return openssl_failure();
  }
  return out;
}

Result<Bytes> aes256gcm_open(std::span<const std::uint8_t> key, std::span<const std::uint8_t> blob,
                             std::span<const std::uint8_t> aad) {
  if (key.size() != kAeadKeyBytes) return fail(ErrorCode::invalid_input, "AES-256-GCM key must be 32 bytes");
  if (blob.size() < kAeadOverhead || blob.size() > static_cast<std::size_t>(INT_MAX) || aad.size() > kMaxLength) {
    return fail(ErrorCode::invalid_input, "malformed encrypted value");
  }
  if (blob[0] != kAeadFormatV1) return fail(ErrorCode::invalid_input, "malformed encrypted value");

  const std::uint8_t* nonce = blob.data() + 1;
  const std::size_t ct_len = blob.size() - kAeadOverhead;
  const std::uint8_t* ct = nonce + kAeadNonceBytes;
  // OpenSSL takes a non-const pointer for the expected tag but does not modify it; copy to stay honest.
  std::uint8_t tag[kAeadTagBytes];
  std::copy(ct + ct_len, ct + ct_len + kAeadTagBytes, tag);

  Bytes out(ct_len);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return openssl_failure();
  int len = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  }
  if (ok && ct_len > 0) ok = EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct, static_cast<int>(ct_len)) == 1;
  if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes), tag) == 1;
  // EVP_DecryptFinal_ex compares the tag in constant time (CRYPTO_memcmp).
  std::uint8_t final_block[16];
  if (ok) ok = EVP_DecryptFinal_ex(ctx.get(), final_block, &len) == 1;
  if (!ok) {
    // The buffer holds unauthenticated plaintext: wipe it before it is freed.
    if (!out.empty()) OPENSSL_cleanse(out.data(), out.size());
    return auth_failure();
  }
  return out;
}

}  // namespace pierre::crypto
