#include "pierre/notify/stream_tokens.hpp"

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "pierre/core/time.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::notify {

namespace {

constexpr std::size_t kMaxTokenLength = 1024;

Error invalid_token() {
  return Error{ErrorCode::auth_invalid, "the stream token is not valid (tokens are single-use: request a new one)"};
}

}  // namespace

struct StreamTokens::Impl {
  std::vector<std::uint8_t> key;
  std::chrono::seconds lifetime;
  Clock clock;
  std::mutex mutex;
  // Nonces of redeemed tokens → their expiry; a nonce leaves once its token could not be accepted anyway.
  std::map<std::string, std::int64_t, std::less<>> used;

  void forget_expired_locked(std::int64_t now) {
    std::erase_if(used, [now](const auto& entry) { return entry.second <= now; });
  }
};

StreamTokens::StreamTokens(std::vector<std::uint8_t> key, std::chrono::seconds lifetime, Clock clock)
    : impl_(std::make_unique<Impl>()) {
  impl_->key = std::move(key);
  impl_->lifetime = lifetime;
  impl_->clock = clock ? std::move(clock) : Clock(now_epoch_ms);
}

StreamTokens::~StreamTokens() = default;

IssuedStreamToken StreamTokens::issue(const StreamOwner& owner) {
  const auto expires_at =
      impl_->clock() + std::chrono::duration_cast<std::chrono::milliseconds>(impl_->lifetime).count();
  const nlohmann::json payload{{"t", owner.tenant_id},
                               {"u", owner.user_id},
                               {"exp", expires_at},
                               {"n", crypto::hex_encode(crypto::random_bytes(16))}};
  const auto text = payload.dump();
  const auto mac = crypto::hmac_sha256(impl_->key, crypto::as_bytes(text));
  return {crypto::base64url_encode(crypto::as_bytes(text)) + "." + crypto::base64url_encode(mac), expires_at};
}

Result<StreamOwner> StreamTokens::redeem(std::string_view token) {
  if (token.size() > kMaxTokenLength) return std::unexpected(invalid_token());
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::unexpected(invalid_token());
  crypto::Bytes payload_bytes;
  crypto::Bytes mac;
  if (!crypto::base64url_decode(token.substr(0, dot), payload_bytes) ||
      !crypto::base64url_decode(token.substr(dot + 1), mac)) {
    return std::unexpected(invalid_token());
  }
  const auto expected = crypto::hmac_sha256(impl_->key, payload_bytes);
  if (!crypto::constant_time_equal(expected, mac)) return std::unexpected(invalid_token());

  // Signed by us: the payload has the shape issue() gave it.
  const auto payload = nlohmann::json::parse(payload_bytes.begin(), payload_bytes.end(), nullptr, false);
  if (!payload.is_object() || !payload.contains("exp") || !payload["exp"].is_number_integer() ||
      !payload.contains("n") || !payload["n"].is_string() || !payload.contains("t") || !payload["t"].is_string() ||
      !payload.contains("u") || !payload["u"].is_string()) {
    return std::unexpected(invalid_token());
  }
  const auto expires_at = payload["exp"].get<std::int64_t>();
  const auto now = impl_->clock();
  if (now >= expires_at) return fail(ErrorCode::auth_expired, "the stream token has expired; request a new one");

  const std::lock_guard lock(impl_->mutex);
  impl_->forget_expired_locked(now);
  const auto [it, fresh] = impl_->used.emplace(payload["n"].get<std::string>(), expires_at);
  if (!fresh) return std::unexpected(invalid_token());
  return StreamOwner{payload["t"].get<std::string>(), payload["u"].get<std::string>()};
}

}  // namespace pierre::notify
