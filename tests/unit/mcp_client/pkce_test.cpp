#include "pierre/mcp_client/pkce.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace pierre::mcp_client {
namespace {

bool is_base64url(std::string_view s) {
  return std::ranges::all_of(s, [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

TEST(Pkce, ChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, FreshVerifierIsLongEnoughUnreservedAndPairedWithItsChallenge) {
  const auto pkce = make_pkce();
  EXPECT_EQ(pkce.verifier.size(), 43U);  // RFC 7636 §4.1: 43..128 characters
  EXPECT_TRUE(is_base64url(pkce.verifier));
  EXPECT_EQ(pkce.challenge, s256_challenge(pkce.verifier));
  EXPECT_NE(make_pkce().verifier, pkce.verifier);
}

TEST(Pkce, StateIsRandomBase64url) {
  const auto state = random_state();
  EXPECT_EQ(state.size(), 32U);
  EXPECT_TRUE(is_base64url(state));
  EXPECT_NE(random_state(), state);
}

}  // namespace
}  // namespace pierre::mcp_client
