#pragma once
// Short-lived, single-use tokens that open one notification stream. A browser's EventSource cannot set an
// Authorization header, so a signed-in page asks for one of these (POST /api/notifications/stream-token) and puts it
// in the stream URL instead of its long-lived JWT.
//
// Format: base64url(payload JSON) "." base64url(HMAC-SHA-256(key, payload)); the payload names tenant, user, expiry
// (epoch ms) and a random nonce. The key comes from the master key, so every server process that shares it accepts
// the same tokens. Redeeming marks the nonce as used until the token would have expired anyway.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/core/error.hpp"
#include "pierre/notify/broker.hpp"

namespace pierre::notify {

struct IssuedStreamToken {
  std::string token;
  std::int64_t expires_at_ms = 0;
};

class StreamTokens {
 public:
  using Clock = std::function<std::int64_t()>;  // epoch milliseconds

  // `key`: 32 secret bytes. `lifetime`: how long a token may wait before it is used.
  StreamTokens(std::vector<std::uint8_t> key, std::chrono::seconds lifetime = std::chrono::seconds(60),
               Clock clock = {});
  ~StreamTokens();
  StreamTokens(const StreamTokens&) = delete;
  StreamTokens& operator=(const StreamTokens&) = delete;

  IssuedStreamToken issue(const StreamOwner& owner);
  // The owner the token was issued to. AUTH_INVALID for a token that is malformed, not ours or already used;
  // AUTH_EXPIRED once it is past its lifetime. The messages never echo the token.
  Result<StreamOwner> redeem(std::string_view token);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::notify
