#include "pierre/mcp_client/pkce.hpp"

#include "pierre/crypto/primitives.hpp"

namespace pierre::mcp_client {

std::string s256_challenge(std::string_view verifier) {
  return crypto::base64url_encode(crypto::sha256(crypto::as_bytes(verifier)));
}

Pkce make_pkce() {
  Pkce pkce;
  pkce.verifier = crypto::base64url_encode(crypto::random_bytes(32));
  pkce.challenge = s256_challenge(pkce.verifier);
  return pkce;
}

std::string random_state() {
  return crypto::base64url_encode(crypto::random_bytes(24));
}

}  // namespace pierre::mcp_client
