#include "pierre/crypto/keyring.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "pierre/crypto/aead.hpp"

namespace pierre::crypto {
namespace {

constexpr std::string_view kWrapKeyLabel = "pierre keyring wrap v1";
constexpr std::string_view kCheckLabel = "pierre keyring check v1";
constexpr std::string_view kWrapAadLabel = "pierre keyring wrap v1";
constexpr std::string_view kDataAadLabel = "pierre keyring data v1";
constexpr std::size_t kMaxKeyIdBytes = 255;
constexpr std::size_t kHeaderFixedBytes = 1 + 1 + 4;  // format, key id length, version

// A 32-byte key that wipes itself. Lives behind unique_ptr so it is never copied or moved in memory.
struct SecretKey {
  std::array<std::uint8_t, 32> bytes{};
  SecretKey() = default;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
  std::span<const std::uint8_t> view() const noexcept { return bytes; }
};

// Moves `source` (exactly 32 bytes) into a SecretKey and wipes `source`.
std::unique_ptr<SecretKey> take_secret(Bytes& source) {
  auto key = std::make_unique<SecretKey>();
  std::copy_n(source.begin(), key->bytes.size(), key->bytes.begin());
  OPENSSL_cleanse(source.data(), source.size());
  source.clear();
  return key;
}

std::unique_ptr<SecretKey> derive_wrap_key(std::span<const std::uint8_t> master) {
  Bytes derived = hmac_sha256(master, as_bytes(kWrapKeyLabel));
  return take_secret(derived);
}

void put_u32(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_str32(Bytes& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

Bytes wrap_aad(std::string_view tenant_id, std::string_view key_id, std::uint32_t version) {
  Bytes aad(kWrapAadLabel.begin(), kWrapAadLabel.end());
  put_str32(aad, tenant_id);
  put_str32(aad, key_id);
  put_u32(aad, version);
  return aad;
}

Bytes data_aad(std::string_view tenant_id, std::span<const std::uint8_t> header, std::string_view context) {
  Bytes aad(kDataAadLabel.begin(), kDataAadLabel.end());
  put_str32(aad, tenant_id);
  aad.insert(aad.end(), header.begin(), header.end());
  put_str32(aad, context);
  return aad;
}

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Result<void> check_tenant_id(std::string_view tenant_id) {
  if (tenant_id.empty()) return fail(ErrorCode::invalid_input, "tenant id must not be empty");
  if (tenant_id.size() > 0xFFFFFFFFu) return fail(ErrorCode::invalid_input, "tenant id too long");
  return {};
}

Result<void> check_master(std::span<const std::uint8_t> master) {
  if (master.size() != kTenantKeyBytes) {
    return fail(ErrorCode::config_invalid, "PIERRE_MASTER_ENCRYPTION_KEY must be 32 bytes (base64)");
  }
  return {};
}

std::string new_key_id() {
  return "tk_" + hex_encode(random_bytes(8));
}

Result<WrappedKey> wrap_with(const SecretKey& wrap_key, std::string_view tenant_id, std::string key_id,
                             std::uint32_t version, const SecretKey& data_key) {
  auto sealed = aes256gcm_seal(wrap_key.view(), data_key.view(), wrap_aad(tenant_id, key_id, version));
  if (!sealed) return std::unexpected(std::move(sealed.error()));
  return WrappedKey{std::move(key_id), version, std::move(*sealed)};
}

Result<std::unique_ptr<SecretKey>> unwrap_with(const SecretKey& wrap_key, std::string_view tenant_id,
                                               const WrappedKey& key) {
  if (auto ok = check_tenant_id(tenant_id); !ok) return std::unexpected(std::move(ok.error()));
  if (!valid_key_id(key.key_id) || key.version == 0 || key.wrapped.size() != kAeadOverhead + kTenantKeyBytes) {
    return fail(ErrorCode::invalid_input, "malformed wrapped tenant key");
  }
  auto opened = aes256gcm_open(wrap_key.view(), key.wrapped, wrap_aad(tenant_id, key.key_id, key.version));
  if (!opened) {
    if (opened.error().code == ErrorCode::invalid_input)
      return fail(ErrorCode::invalid_input, "malformed wrapped tenant key");
    return fail(ErrorCode::permission_denied,
                "tenant key could not be unwrapped: wrong PIERRE_MASTER_ENCRYPTION_KEY, or the key record was altered "
                "or belongs to another tenant");
  }
  return take_secret(*opened);
}

using KeyRef = std::pair<std::string, std::uint32_t>;
using KeyRefView = std::pair<std::string_view, std::uint32_t>;

// Orders (key_id, version) so lookups can use a string_view without allocating.
struct KeyRefLess {
  using is_transparent = void;
  static KeyRefView view(const KeyRef& r) noexcept { return {r.first, r.second}; }
  static KeyRefView view(const KeyRefView& r) noexcept { return r; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const noexcept {
    return view(a) < view(b);
  }
};

struct TenantKeys {
  // (key_id, version) -> data key
  std::map<KeyRef, std::unique_ptr<SecretKey>, KeyRefLess> keys;
  std::string active_id;
  std::uint32_t active_version = 0;
};

struct Parsed {
  std::string_view key_id;
  std::uint32_t version = 0;
  std::span<const std::uint8_t> header;
  std::span<const std::uint8_t> blob;
};

Result<Parsed> parse(std::span<const std::uint8_t> ciphertext) {
  const auto malformed = [] { return fail(ErrorCode::invalid_input, "malformed encrypted value"); };
  if (ciphertext.size() < kHeaderFixedBytes + 1 + kAeadOverhead) return malformed();
  if (ciphertext[0] != kKeyRingFormatV1) return malformed();
  const std::size_t id_len = ciphertext[1];
  if (id_len == 0 || ciphertext.size() < kHeaderFixedBytes + id_len + kAeadOverhead) return malformed();
  Parsed p;
  p.key_id = std::string_view(reinterpret_cast<const char*>(ciphertext.data() + 2), id_len);
  if (!valid_key_id(p.key_id)) return malformed();
  const std::uint8_t* v = ciphertext.data() + 2 + id_len;
  p.version = (std::uint32_t{v[0]} << 24) | (std::uint32_t{v[1]} << 16) | (std::uint32_t{v[2]} << 8) | v[3];
  if (p.version == 0) return malformed();
  p.header = ciphertext.first(kHeaderFixedBytes + id_len);
  p.blob = ciphertext.subspan(kHeaderFixedBytes + id_len);
  return p;
}

}  // namespace

struct KeyRing::State {
  std::unique_ptr<SecretKey> wrap_key;
  Bytes check;
  mutable std::shared_mutex mutex;
  std::map<std::string, TenantKeys, std::less<>> tenants;

  // Caller holds the lock exclusively. Installs a key; sets it active when its version is the highest.
  void install(TenantKeys& t, std::string key_id, std::uint32_t version, std::unique_ptr<SecretKey> key) {
    if (version > t.active_version) {
      t.active_id = key_id;
      t.active_version = version;
    }
    t.keys.emplace(KeyRef{std::move(key_id), version}, std::move(key));
  }
};

KeyRing::KeyRing(std::unique_ptr<State> state) : state_(std::move(state)) {}
KeyRing::KeyRing(KeyRing&&) noexcept = default;
KeyRing& KeyRing::operator=(KeyRing&&) noexcept = default;
KeyRing::~KeyRing() = default;

Result<KeyRing> KeyRing::create(std::span<const std::uint8_t> master) {
  if (auto ok = check_master(master); !ok) return std::unexpected(std::move(ok.error()));
  auto state = std::make_unique<State>();
  state->wrap_key = derive_wrap_key(master);
  state->check = master_check_value(master);
  return KeyRing(std::move(state));
}

Result<KeyRing> KeyRing::create(std::span<const std::uint8_t> master,
                                std::span<const std::uint8_t> expected_check_value) {
  auto ring = create(master);
  if (!ring) return ring;
  if (auto ok = ring->verify_master(expected_check_value); !ok) return std::unexpected(std::move(ok.error()));
  return ring;
}

Bytes KeyRing::master_check_value(std::span<const std::uint8_t> master) {
  Bytes mac = hmac_sha256(master, as_bytes(kCheckLabel));
  mac.resize(kMasterCheckValueBytes);
  return mac;
}

Bytes KeyRing::check_value() const {
  return state_->check;
}

Result<void> KeyRing::verify_master(std::span<const std::uint8_t> check_value) const {
  if (!constant_time_equal(state_->check, check_value)) {
    return fail(ErrorCode::config_invalid,
                "PIERRE_MASTER_ENCRYPTION_KEY does not match the key this database was encrypted with");
  }
  return {};
}

Result<WrappedKey> KeyRing::create_tenant_key(std::string_view tenant_id) {
  if (auto ok = check_tenant_id(tenant_id); !ok) return std::unexpected(std::move(ok.error()));
  std::unique_lock lock(state_->mutex);
  if (state_->tenants.contains(tenant_id)) {
    return fail(ErrorCode::resource_already_exists, "tenant already has a data key; rotate it instead");
  }
  Bytes fresh = random_bytes(kTenantKeyBytes);
  auto data_key = take_secret(fresh);
  auto wrapped = wrap_with(*state_->wrap_key, tenant_id, new_key_id(), 1, *data_key);
  if (!wrapped) return wrapped;
  auto& tenant = state_->tenants[std::string(tenant_id)];
  state_->install(tenant, wrapped->key_id, wrapped->version, std::move(data_key));
  return wrapped;
}

Result<WrappedKey> KeyRing::rotate_tenant_key(std::string_view tenant_id) {
  std::unique_lock lock(state_->mutex);
  auto it = state_->tenants.find(tenant_id);
  if (it == state_->tenants.end()) return fail(ErrorCode::resource_not_found, "no data key loaded for tenant");
  TenantKeys& tenant = it->second;
  if (tenant.active_version == UINT32_MAX) return fail(ErrorCode::value_out_of_range, "tenant key version exhausted");
  Bytes fresh = random_bytes(kTenantKeyBytes);
  auto data_key = take_secret(fresh);
  auto wrapped = wrap_with(*state_->wrap_key, tenant_id, tenant.active_id, tenant.active_version + 1, *data_key);
  if (!wrapped) return wrapped;
  state_->install(tenant, wrapped->key_id, wrapped->version, std::move(data_key));
  return wrapped;
}

Result<void> KeyRing::load_tenant_key(std::string_view tenant_id, const WrappedKey& key) {
  // Unwrap before taking the lock: the wrap key never changes, and a failure must leave everything as it was.
  auto data_key = unwrap_with(*state_->wrap_key, tenant_id, key);
  if (!data_key) return std::unexpected(std::move(data_key.error()));

  std::unique_lock lock(state_->mutex);
  auto it = state_->tenants.find(tenant_id);
  if (it != state_->tenants.end()) {
    TenantKeys& tenant = it->second;
    if (auto existing = tenant.keys.find(KeyRefView{key.key_id, key.version}); existing != tenant.keys.end()) {
      if (constant_time_equal(existing->second->view(), (*data_key)->view())) return {};
      return fail(ErrorCode::resource_already_exists, "a different tenant key with this id and version is loaded");
    }
    for (const auto& [ref, unused] : tenant.keys) {
      if (ref.second == key.version) {
        return fail(ErrorCode::resource_already_exists, "a different tenant key with this version is loaded");
      }
    }
    state_->install(tenant, key.key_id, key.version, std::move(*data_key));
    return {};
  }
  auto& tenant = state_->tenants[std::string(tenant_id)];
  state_->install(tenant, key.key_id, key.version, std::move(*data_key));
  return {};
}

bool KeyRing::unload_tenant(std::string_view tenant_id) {
  std::unique_lock lock(state_->mutex);
  auto it = state_->tenants.find(tenant_id);
  if (it == state_->tenants.end()) return false;
  state_->tenants.erase(it);  // SecretKey destructors wipe the keys
  return true;
}

bool KeyRing::has_tenant(std::string_view tenant_id) const {
  std::shared_lock lock(state_->mutex);
  return state_->tenants.contains(tenant_id);
}

Result<CiphertextKeyRef> KeyRing::active_key(std::string_view tenant_id) const {
  std::shared_lock lock(state_->mutex);
  auto it = state_->tenants.find(tenant_id);
  if (it == state_->tenants.end()) return fail(ErrorCode::resource_not_found, "no data key loaded for tenant");
  return CiphertextKeyRef{it->second.active_id, it->second.active_version};
}

Result<Bytes> KeyRing::encrypt(std::string_view tenant_id, std::span<const std::uint8_t> plaintext,
                               std::string_view context) const {
  if (auto ok = check_tenant_id(tenant_id); !ok) return std::unexpected(std::move(ok.error()));
  if (context.size() > 0xFFFFFFFFu) return fail(ErrorCode::invalid_input, "context too long");
  std::shared_lock lock(state_->mutex);
  auto it = state_->tenants.find(tenant_id);
  if (it == state_->tenants.end()) return fail(ErrorCode::resource_not_found, "no data key loaded for tenant");
  const TenantKeys& tenant = it->second;
  const auto key = tenant.keys.find(KeyRefView{tenant.active_id, tenant.active_version});
  if (key == tenant.keys.end()) return fail(ErrorCode::internal_error, "tenant key state inconsistent");

  Bytes out;
  out.reserve(kHeaderFixedBytes + tenant.active_id.size() + kAeadOverhead + plaintext.size());
  out.push_back(kKeyRingFormatV1);
  out.push_back(static_cast<std::uint8_t>(tenant.active_id.size()));
  out.insert(out.end(), tenant.active_id.begin(), tenant.active_id.end());
  put_u32(out, tenant.active_version);
  auto sealed = aes256gcm_seal(key->second->view(), plaintext, data_aad(tenant_id, out, context));
  if (!sealed) return std::unexpected(std::move(sealed.error()));
  out.insert(out.end(), sealed->begin(), sealed->end());
  return out;
}

Result<Bytes> KeyRing::decrypt(std::string_view tenant_id, std::span<const std::uint8_t> ciphertext,
                               std::string_view context) const {
  if (auto ok = check_tenant_id(tenant_id); !ok) return std::unexpected(std::move(ok.error()));
  if (context.size() > 0xFFFFFFFFu) return fail(ErrorCode::invalid_input, "context too long");
  auto parsed = parse(ciphertext);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  std::shared_lock lock(state_->mutex);
  auto it = state_->tenants.find(tenant_id);
  if (it == state_->tenants.end()) return fail(ErrorCode::resource_not_found, "no data key loaded for tenant");
  const auto key = it->second.keys.find(KeyRefView{parsed->key_id, parsed->version});
  if (key == it->second.keys.end()) {
    return fail(ErrorCode::resource_not_found, "the tenant key version this value was encrypted with is not loaded");
  }
  return aes256gcm_open(key->second->view(), parsed->blob, data_aad(tenant_id, parsed->header, context));
}

Result<CiphertextKeyRef> KeyRing::inspect(std::span<const std::uint8_t> ciphertext) {
  auto parsed = parse(ciphertext);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return CiphertextKeyRef{std::string(parsed->key_id), parsed->version};
}

Result<WrappedKey> KeyRing::rewrap_tenant_key(std::span<const std::uint8_t> old_master,
                                              std::span<const std::uint8_t> new_master, std::string_view tenant_id,
                                              const WrappedKey& key) {
  if (auto ok = check_master(old_master); !ok) return std::unexpected(std::move(ok.error()));
  if (auto ok = check_master(new_master); !ok) return std::unexpected(std::move(ok.error()));
  const auto old_wrap = derive_wrap_key(old_master);
  auto data_key = unwrap_with(*old_wrap, tenant_id, key);
  if (!data_key) return std::unexpected(std::move(data_key.error()));
  const auto new_wrap = derive_wrap_key(new_master);
  return wrap_with(*new_wrap, tenant_id, key.key_id, key.version, **data_key);
}

}  // namespace pierre::crypto
