#pragma once
// PKCE (RFC 7636) with S256, the only method the MCP authorization spec allows, and the random `state`.

#include <string>
#include <string_view>

namespace pierre::mcp_client {

struct Pkce {
  std::string verifier;   // 43 characters of base64url (32 random bytes), kept until the code is redeemed
  std::string challenge;  // base64url(SHA-256(verifier)), sent with the authorization request
};

// A fresh verifier from libsodium's random source and its S256 challenge.
[[nodiscard]] Pkce make_pkce();
// The S256 challenge of a verifier (RFC 7636 §4.2); deterministic, so tests can check it against the RFC's example.
[[nodiscard]] std::string s256_challenge(std::string_view verifier);
// An unguessable `state` value (base64url of 24 random bytes).
[[nodiscard]] std::string random_state();

}  // namespace pierre::mcp_client
