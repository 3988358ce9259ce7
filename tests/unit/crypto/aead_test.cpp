#include "pierre/crypto/aead.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pierre::crypto {
namespace {

Bytes unhex(std::string_view h) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

const Bytes kKey = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");

TEST(Aead, OpensKnownAnswerVector) {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV, with AAD).
  const Bytes pt = unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657"
      "ba637b39");
  const Bytes aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  Bytes blob{kAeadFormatV1};
  for (auto part : {unhex("cafebabefacedbaddecaf888"),
                    unhex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
                          "828838c5f61e6393ba7a0abcc9f662"),
                    unhex("76fc6ece0f4e1768cddf8853bb2d551b")}) {
    blob.insert(blob.end(), part.begin(), part.end());
  }
  auto opened = aes256gcm_open(kKey, blob, aad);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, pt);
}

TEST(Aead, RoundTripAndLayout) {
  const auto key = random_bytes(32);
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
    const auto pt = random_bytes(n);
    auto blob = aes256gcm_seal(key, pt, as_bytes("aad"));
    ASSERT_TRUE(blob);
    EXPECT_EQ(blob->size(), n + kAeadOverhead);
    EXPECT_EQ((*blob)[0], kAeadFormatV1);
    auto opened = aes256gcm_open(key, *blob, as_bytes("aad"));
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, pt);
  }
  auto no_aad = aes256gcm_seal(key, as_bytes("x"));
  ASSERT_TRUE(no_aad);
  EXPECT_TRUE(aes256gcm_open(key, *no_aad));
}

TEST(Aead, EveryTamperedByteFails) {
  const auto key = random_bytes(32);
  const auto blob = *aes256gcm_seal(key, as_bytes("provider token"), as_bytes("context"));
  for (std::size_t i = 0; i < blob.size(); ++i) {
    for (const int flip : {0x01, 0x80}) {
      auto bad = blob;
      bad[i] = static_cast<std::uint8_t>(bad[i] ^ flip);
      auto r = aes256gcm_open(key, bad, as_bytes("context"));
      ASSERT_FALSE(r) << "byte " << i;
      if (i == 0) {
        EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
      } else {
        EXPECT_EQ(r.error().code, ErrorCode::permission_denied);
        EXPECT_EQ(r.error().message, "decryption failed");
      }
    }
  }
}

TEST(Aead, WrongAadOrKeyFailsIdentically) {
  const auto key = random_bytes(32);
  const auto blob = *aes256gcm_seal(key, as_bytes("secret"), as_bytes("context"));
  auto wrong_aad = aes256gcm_open(key, blob, as_bytes("contexT"));
  auto missing_aad = aes256gcm_open(key, blob);
  auto longer_aad = aes256gcm_open(key, blob, as_bytes("context "));
  auto wrong_key = aes256gcm_open(random_bytes(32), blob, as_bytes("context"));
  for (const auto* r : {&wrong_aad, &missing_aad, &longer_aad, &wrong_key}) {
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().code, ErrorCode::permission_denied);
    EXPECT_EQ(r->error().message, "decryption failed");
  }
}

TEST(Aead, MalformedBlobsAreErrorsNotCrashes) {
  const auto key = random_bytes(32);
  const auto blob = *aes256gcm_seal(key, as_bytes("secret"));
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto r = aes256gcm_open(key, std::span(blob).first(n));
    EXPECT_FALSE(r) << "truncated to " << n;
  }
  EXPECT_EQ(aes256gcm_open(key, Bytes{}).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(aes256gcm_open(key, Bytes(kAeadOverhead - 1, 1)).error().code, ErrorCode::invalid_input);
  for (int i = 0; i < 200; ++i) {
    auto garbage = random_bytes(static_cast<std::size_t>(i));
    EXPECT_FALSE(aes256gcm_open(key, garbage));
  }
  // A minimal well-formed blob with garbage inside authenticates as nothing.
  Bytes empty_ct(kAeadOverhead, 0);
  empty_ct[0] = kAeadFormatV1;
  EXPECT_EQ(aes256gcm_open(key, empty_ct).error().code, ErrorCode::permission_denied);
}

TEST(Aead, RejectsWrongKeySizes) {
  for (std::size_t n : {0u, 16u, 31u, 33u, 64u}) {
    const auto key = random_bytes(n);
    EXPECT_EQ(aes256gcm_seal(key, as_bytes("x")).error().code, ErrorCode::invalid_input);
    EXPECT_EQ(aes256gcm_open(key, Bytes(40, 1)).error().code, ErrorCode::invalid_input);
  }
}

TEST(Aead, NoncesAreFresh) {
  const auto key = random_bytes(32);
  std::set<Bytes> nonces;
  for (int i = 0; i < 10000; ++i) {
    auto blob = *aes256gcm_seal(key, as_bytes("same plaintext"));
    nonces.emplace(blob.begin() + 1, blob.begin() + 1 + static_cast<std::ptrdiff_t>(kAeadNonceBytes));
  }
  EXPECT_EQ(nonces.size(), 10000u);
}

}  // namespace
}  // namespace pierre::crypto
