#include "pierre/crypto/keyring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pierre/crypto/aead.hpp"

namespace pierre::crypto {
namespace {

KeyRing make_ring(const Bytes& master) {
  auto ring = KeyRing::create(master);
  EXPECT_TRUE(ring) << ring.error().message;
  return std::move(*ring);
}

std::string text(const Bytes& b) {
  return {b.begin(), b.end()};
}

constexpr std::string_view kCtx = "provider_token:strava:user42";

TEST(KeyRing, RoundTrip) {
  auto ring = make_ring(random_bytes(32));
  auto wrapped = ring.create_tenant_key("tenant-a");
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_EQ(wrapped->version, 1u);
  EXPECT_TRUE(wrapped->key_id.starts_with("tk_"));
  EXPECT_EQ(wrapped->wrapped.size(), kAeadOverhead + kTenantKeyBytes);

  for (std::string_view pt : {"", "x", "a refresh token that is somewhat longer than one AES block"}) {
    auto ct = ring.encrypt("tenant-a", as_bytes(pt), kCtx);
    ASSERT_TRUE(ct) << ct.error().message;
    EXPECT_EQ(ct->size(), 6 + wrapped->key_id.size() + kAeadOverhead + pt.size());
    auto ref = KeyRing::inspect(*ct);
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref->key_id, wrapped->key_id);
    EXPECT_EQ(ref->version, 1u);
    auto back = ring.decrypt("tenant-a", *ct, kCtx);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(text(*back), pt);
  }
}

TEST(KeyRing, RejectsBadMasterAndArguments) {
  for (std::size_t n : {0u, 16u, 31u, 33u}) {
    auto r = KeyRing::create(random_bytes(n));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::config_invalid);
  }
  auto ring = make_ring(random_bytes(32));
  EXPECT_EQ(ring.create_tenant_key("").error().code, ErrorCode::invalid_input);
  ASSERT_TRUE(ring.create_tenant_key("t"));
  EXPECT_EQ(ring.create_tenant_key("t").error().code, ErrorCode::resource_already_exists);
  EXPECT_EQ(ring.encrypt("nobody", as_bytes("x"), kCtx).error().code, ErrorCode::resource_not_found);
  EXPECT_EQ(ring.rotate_tenant_key("nobody").error().code, ErrorCode::resource_not_found);
}

TEST(KeyRing, EveryTamperedByteFails) {
  auto ring = make_ring(random_bytes(32));
  ASSERT_TRUE(ring.create_tenant_key("tenant-a"));
  const auto ct = *ring.encrypt("tenant-a", as_bytes("secret"), kCtx);
  for (std::size_t i = 0; i < ct.size(); ++i) {
    auto bad = ct;
    bad[i] ^= 0x01;
    EXPECT_FALSE(ring.decrypt("tenant-a", bad, kCtx)) << "byte " << i;
  }
}

TEST(KeyRing, WrongTenantOrContextFails) {
  auto ring = make_ring(random_bytes(32));
  ASSERT_TRUE(ring.create_tenant_key("tenant-a"));
  ASSERT_TRUE(ring.create_tenant_key("tenant-b"));
  const auto ct = *ring.encrypt("tenant-a", as_bytes("secret"), kCtx);
  EXPECT_FALSE(ring.decrypt("tenant-b", ct, kCtx));
  EXPECT_FALSE(ring.decrypt("tenant-c", ct, kCtx));
  auto wrong_ctx = ring.decrypt("tenant-a", ct, "provider_token:strava:user43");
  ASSERT_FALSE(wrong_ctx);
  EXPECT_EQ(wrong_ctx.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(wrong_ctx.error().message, "decryption failed");
  EXPECT_FALSE(ring.decrypt("tenant-a", ct, ""));
}

TEST(KeyRing, RewrapRefusesAnotherTenantsRecord) {
  // Master rotation cannot be used to launder a record into another tenant: the wrap AAD names the tenant.
  const auto master = random_bytes(32);
  auto a = make_ring(master);
  const auto wrapped = *a.create_tenant_key("tenant-a");
  auto rewrapped_for_b = KeyRing::rewrap_tenant_key(master, master, "tenant-b", wrapped);
  EXPECT_FALSE(rewrapped_for_b);
}

TEST(KeyRing, WrappedKeyCannotMoveBetweenTenants) {
  const auto master = random_bytes(32);
  auto creator = make_ring(master);
  const auto wrapped = *creator.create_tenant_key("tenant-a");

  auto ring = make_ring(master);
  auto moved = ring.load_tenant_key("tenant-b", wrapped);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::permission_denied);
  EXPECT_FALSE(ring.has_tenant("tenant-b"));

  auto renumbered = wrapped;
  renumbered.version = 2;
  EXPECT_FALSE(ring.load_tenant_key("tenant-a", renumbered));
  auto renamed = wrapped;
  renamed.key_id = "tk_0000000000000000";
  EXPECT_FALSE(ring.load_tenant_key("tenant-a", renamed));
  for (std::size_t i = 0; i < wrapped.wrapped.size(); ++i) {
    auto bad = wrapped;
    bad.wrapped[i] ^= 0x04;
    EXPECT_FALSE(ring.load_tenant_key("tenant-a", bad)) << "byte " << i;
  }
  EXPECT_FALSE(ring.has_tenant("tenant-a"));
  ASSERT_TRUE(ring.load_tenant_key("tenant-a", wrapped));
}

TEST(KeyRing, LoadedKeyDecryptsWhatTheCreatorEncrypted) {
  const auto master = random_bytes(32);
  auto creator = make_ring(master);
  const auto wrapped = *creator.create_tenant_key("tenant-a");
  const auto ct = *creator.encrypt("tenant-a", as_bytes("token"), kCtx);

  auto restarted = make_ring(master);
  ASSERT_TRUE(restarted.load_tenant_key("tenant-a", wrapped));
  ASSERT_TRUE(restarted.load_tenant_key("tenant-a", wrapped));  // idempotent
  EXPECT_EQ(text(*restarted.decrypt("tenant-a", ct, kCtx)), "token");
}

TEST(KeyRing, WrongMasterKeyIsClearAndChangesNothing) {
  const auto master = random_bytes(32);
  const auto check = KeyRing::master_check_value(master);
  EXPECT_EQ(check.size(), kMasterCheckValueBytes);
  auto creator = make_ring(master);
  EXPECT_EQ(creator.check_value(), check);
  EXPECT_TRUE(creator.verify_master(check));
  const auto wrapped_a = *creator.create_tenant_key("tenant-a");
  const auto wrapped_b = *creator.create_tenant_key("tenant-b");
  const auto ct = *creator.encrypt("tenant-a", as_bytes("token"), kCtx);

  const auto wrong = random_bytes(32);
  auto refused = KeyRing::create(wrong, check);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::config_invalid);
  EXPECT_EQ(refused.error().message,
            "PIERRE_MASTER_ENCRYPTION_KEY does not match the key this database was encrypted with");
  EXPECT_TRUE(KeyRing::create(master, check));

  // Skipping the check: loading with the wrong master fails and leaves the ring as it was.
  auto ring = make_ring(wrong);
  EXPECT_FALSE(ring.verify_master(check));
  ASSERT_TRUE(ring.create_tenant_key("tenant-b"));  // tenant-b now has an unrelated key
  const auto before = *ring.active_key("tenant-b");
  auto failed = ring.load_tenant_key("tenant-a", wrapped_a);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::permission_denied);
  EXPECT_NE(failed.error().message.find("PIERRE_MASTER_ENCRYPTION_KEY"), std::string::npos);
  EXPECT_FALSE(ring.has_tenant("tenant-a"));
  EXPECT_FALSE(ring.load_tenant_key("tenant-b", wrapped_b));
  auto after = *ring.active_key("tenant-b");
  EXPECT_EQ(after.key_id, before.key_id);
  EXPECT_EQ(after.version, before.version);

  // The stored record and data are untouched: the right master still reads them.
  auto fixed = make_ring(master);
  ASSERT_TRUE(fixed.load_tenant_key("tenant-a", wrapped_a));
  EXPECT_EQ(text(*fixed.decrypt("tenant-a", ct, kCtx)), "token");
}

TEST(KeyRing, MasterRotationRewrapsWithoutTouchingData) {
  const auto old_master = random_bytes(32);
  const auto new_master = random_bytes(32);
  auto before = make_ring(old_master);
  const auto v1 = *before.create_tenant_key("tenant-a");
  const auto ct1 = *before.encrypt("tenant-a", as_bytes("old data"), kCtx);
  const auto v2 = *before.rotate_tenant_key("tenant-a");
  const auto ct2 = *before.encrypt("tenant-a", as_bytes("newer data"), kCtx);

  auto r1 = KeyRing::rewrap_tenant_key(old_master, new_master, "tenant-a", v1);
  auto r2 = KeyRing::rewrap_tenant_key(old_master, new_master, "tenant-a", v2);
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->key_id, v1.key_id);
  EXPECT_EQ(r1->version, v1.version);
  EXPECT_NE(r1->wrapped, v1.wrapped);

  auto after = make_ring(new_master);
  ASSERT_TRUE(after.verify_master(KeyRing::master_check_value(new_master)));
  EXPECT_FALSE(after.load_tenant_key("tenant-a", v1));  // old record no longer opens
  ASSERT_TRUE(after.load_tenant_key("tenant-a", *r1));
  ASSERT_TRUE(after.load_tenant_key("tenant-a", *r2));
  EXPECT_EQ(text(*after.decrypt("tenant-a", ct1, kCtx)), "old data");
  EXPECT_EQ(text(*after.decrypt("tenant-a", ct2, kCtx)), "newer data");
  EXPECT_EQ(after.active_key("tenant-a")->version, 2u);

  // Rewrapping with the wrong "old" master fails cleanly.
  auto bad = KeyRing::rewrap_tenant_key(new_master, old_master, "tenant-a", v1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(KeyRing::rewrap_tenant_key(Bytes(31), new_master, "tenant-a", v1).error().code, ErrorCode::config_invalid);
}

TEST(KeyRing, TenantKeyRotationKeepsOldCiphertextsReadable) {
  const auto master = random_bytes(32);
  auto ring = make_ring(master);
  const auto v1 = *ring.create_tenant_key("tenant-a");
  const auto old_ct = *ring.encrypt("tenant-a", as_bytes("before"), kCtx);
  const auto v2 = *ring.rotate_tenant_key("tenant-a");
  EXPECT_EQ(v2.key_id, v1.key_id);
  EXPECT_EQ(v2.version, 2u);
  const auto new_ct = *ring.encrypt("tenant-a", as_bytes("after"), kCtx);
  EXPECT_EQ(KeyRing::inspect(old_ct)->version, 1u);
  EXPECT_EQ(KeyRing::inspect(new_ct)->version, 2u);
  EXPECT_EQ(text(*ring.decrypt("tenant-a", old_ct, kCtx)), "before");
  EXPECT_EQ(text(*ring.decrypt("tenant-a", new_ct, kCtx)), "after");

  // After a restart, loading order does not matter: the highest version encrypts.
  auto restarted = make_ring(master);
  ASSERT_TRUE(restarted.load_tenant_key("tenant-a", v2));
  ASSERT_TRUE(restarted.load_tenant_key("tenant-a", v1));
  EXPECT_EQ(restarted.active_key("tenant-a")->version, 2u);
  EXPECT_EQ(text(*restarted.decrypt("tenant-a", old_ct, kCtx)), "before");
  EXPECT_EQ(KeyRing::inspect(*restarted.encrypt("tenant-a", as_bytes("x"), kCtx))->version, 2u);

  // Without the old version loaded, old ciphertexts report which key is missing.
  auto partial = make_ring(master);
  ASSERT_TRUE(partial.load_tenant_key("tenant-a", v2));
  EXPECT_EQ(partial.decrypt("tenant-a", old_ct, kCtx).error().code, ErrorCode::resource_not_found);

  // Changing the version in a ciphertext's header to the other loaded key fails authentication.
  auto relabelled = old_ct;
  relabelled[2 + v1.key_id.size() + 3] = 2;
  EXPECT_EQ(ring.decrypt("tenant-a", relabelled, kCtx).error().code, ErrorCode::permission_denied);
}

TEST(KeyRing, UnloadForgetsTenant) {
  auto ring = make_ring(random_bytes(32));
  ASSERT_TRUE(ring.create_tenant_key("t"));
  EXPECT_TRUE(ring.unload_tenant("t"));
  EXPECT_FALSE(ring.unload_tenant("t"));
  EXPECT_FALSE(ring.has_tenant("t"));
}

TEST(KeyRing, NoncesDifferAcrossEncryptions) {
  auto ring = make_ring(random_bytes(32));
  const auto wrapped = *ring.create_tenant_key("tenant-a");
  const std::size_t nonce_at = 6 + wrapped.key_id.size() + 1;
  std::set<Bytes> nonces;
  std::set<Bytes> ciphertexts;
  for (int i = 0; i < 10000; ++i) {
    auto ct = *ring.encrypt("tenant-a", as_bytes("same plaintext"), kCtx);
    nonces.emplace(ct.begin() + static_cast<std::ptrdiff_t>(nonce_at),
                   ct.begin() + static_cast<std::ptrdiff_t>(nonce_at + kAeadNonceBytes));
    ciphertexts.insert(std::move(ct));
  }
  EXPECT_EQ(nonces.size(), 10000u);
  EXPECT_EQ(ciphertexts.size(), 10000u);
}

TEST(KeyRing, MalformedCiphertextsAreErrorsNotCrashes) {
  auto ring = make_ring(random_bytes(32));
  ASSERT_TRUE(ring.create_tenant_key("tenant-a"));
  const auto ct = *ring.encrypt("tenant-a", as_bytes("secret"), kCtx);
  for (std::size_t n = 0; n < ct.size(); ++n) {
    EXPECT_FALSE(ring.decrypt("tenant-a", std::span(ct).first(n), kCtx)) << "truncated to " << n;
    if (n < ct.size() - 6) {  // 6 = plaintext size: shorter than header + AEAD overhead
      EXPECT_FALSE(KeyRing::inspect(std::span(ct).first(n))) << n;
    }
  }
  EXPECT_EQ(ring.decrypt("tenant-a", Bytes{}, kCtx).error().code, ErrorCode::invalid_input);
  for (int i = 0; i < 500; ++i) {
    auto garbage = random_bytes(static_cast<std::size_t>(i % 100));
    if (!garbage.empty() && i % 2 == 0) garbage[0] = kKeyRingFormatV1;
    EXPECT_FALSE(ring.decrypt("tenant-a", garbage, kCtx));
  }
  // Header claiming a key id longer than the value.
  Bytes lying{kKeyRingFormatV1, 200, 'a', 'b'};
  lying.resize(60, 'a');
  EXPECT_EQ(ring.decrypt("tenant-a", lying, kCtx).error().code, ErrorCode::invalid_input);
  // Zero-length key id, version 0, characters outside the key id alphabet.
  Bytes zero_id = ct;
  zero_id[1] = 0;
  EXPECT_FALSE(ring.decrypt("tenant-a", zero_id, kCtx));
  Bytes odd_id = ct;
  odd_id[2] = '\n';
  EXPECT_EQ(ring.decrypt("tenant-a", odd_id, kCtx).error().code, ErrorCode::invalid_input);

  WrappedKey junk{"tk_x", 1, random_bytes(10)};
  EXPECT_EQ(ring.load_tenant_key("tenant-b", junk).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(ring.load_tenant_key("tenant-b", WrappedKey{}).error().code, ErrorCode::invalid_input);
  EXPECT_FALSE(ring.has_tenant("tenant-b"));
}

TEST(KeyRing, ConcurrentEncryptDecrypt) {
  const auto master = random_bytes(32);
  auto ring = make_ring(master);
  for (int t = 0; t < 4; ++t) ASSERT_TRUE(ring.create_tenant_key("tenant-" + std::to_string(t)));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const std::string tenant = "tenant-" + std::to_string(i % 4);
      for (int n = 0; n < 500; ++n) {
        const std::string pt = "value " + std::to_string(i) + "/" + std::to_string(n);
        auto ct = ring.encrypt(tenant, as_bytes(pt), kCtx);
        if (!ct) {
          ++failures;
          continue;
        }
        auto back = ring.decrypt(tenant, *ct, kCtx);
        if (!back || text(*back) != pt) ++failures;
        // Writers interleave with readers: one thread keeps rotating and adding tenants.
        if (i == 0 && n % 50 == 0) {
          if (!ring.rotate_tenant_key(tenant)) ++failures;
          if (!ring.create_tenant_key("extra-" + std::to_string(n))) ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ring.active_key("tenant-0")->version, 11u);
}

TEST(KeyRing, IsMovable) {
  auto ring = make_ring(random_bytes(32));
  ASSERT_TRUE(ring.create_tenant_key("t"));
  const auto ct = *ring.encrypt("t", as_bytes("v"), kCtx);
  KeyRing moved = std::move(ring);
  EXPECT_EQ(text(*moved.decrypt("t", ct, kCtx)), "v");
}

}  // namespace
}  // namespace pierre::crypto
