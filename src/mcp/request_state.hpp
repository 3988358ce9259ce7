#pragma once
// MRTR requestState travels through the client, so it is attacker-controlled (SEP-2322): we seal it with
// HMAC-SHA-256 and bind it to the caller, the method, the tool or prompt name and an expiry. Any instance holding the
// same key can open it, so stateless scale-out keeps working.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pierre/crypto/primitives.hpp"

namespace pierre::mcp {

class RequestStateSealer {
 public:
  explicit RequestStateSealer(crypto::Bytes key, std::chrono::seconds lifetime = std::chrono::minutes(15))
      : key_(std::move(key)), lifetime_(lifetime) {}

  // `subject` is the caller the state was minted for; another caller cannot replay it.
  [[nodiscard]] std::string seal(std::string_view subject, std::string_view method, std::string_view name,
                                 const nlohmann::json& state) const;
  // nullopt when tampered with, expired, malformed, or minted for another caller, method or name.
  [[nodiscard]] std::optional<nlohmann::json> open(std::string_view subject, std::string_view method,
                                                   std::string_view name, std::string_view sealed) const;

 private:
  crypto::Bytes key_;
  std::chrono::seconds lifetime_;
};

}  // namespace pierre::mcp
