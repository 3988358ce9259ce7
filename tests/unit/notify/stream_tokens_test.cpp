// notify::StreamTokens: signed, short-lived, single-use.

#include <gtest/gtest.h>

#include "pierre/notify/stream_tokens.hpp"

namespace pierre::notify {
namespace {

using namespace std::chrono_literals;

class StreamTokensTest : public ::testing::Test {
 protected:
  std::int64_t now_ms = 1'700'000'000'000;
  StreamTokens tokens{std::vector<std::uint8_t>(32, 7), 60s, [this] { return now_ms; }};
};

TEST_F(StreamTokensTest, RedeemsOnceForTheOwnerItWasIssuedTo) {
  const auto issued = tokens.issue({"tenant-1", "user-1"});
  EXPECT_EQ(issued.expires_at_ms, now_ms + 60'000);
  auto owner = tokens.redeem(issued.token);
  ASSERT_TRUE(owner.has_value()) << owner.error().message;
  EXPECT_EQ(owner->tenant_id, "tenant-1");
  EXPECT_EQ(owner->user_id, "user-1");
  auto again = tokens.redeem(issued.token);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::auth_invalid);
}

TEST_F(StreamTokensTest, ExpiresAfterItsLifetime) {
  const auto issued = tokens.issue({"tenant-1", "user-1"});
  now_ms += 60'000;
  auto late = tokens.redeem(issued.token);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::auth_expired);
}

TEST_F(StreamTokensTest, RefusesTamperedForeignAndMalformedTokens) {
  const auto issued = tokens.issue({"tenant-1", "user-1"});
  const auto dot = issued.token.find('.');
  ASSERT_NE(dot, std::string::npos);
  // Another payload under the original signature: claims to be someone else.
  StreamTokens other_key{std::vector<std::uint8_t>(32, 8), 60s, [this] { return now_ms; }};
  const auto forged = other_key.issue({"tenant-1", "user-2"});
  const auto swapped = forged.token.substr(0, forged.token.find('.')) + issued.token.substr(dot);
  for (const auto& bad : {swapped, forged.token, std::string("no-dot"), std::string("a.b"), std::string(".")}) {
    auto r = tokens.redeem(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::auth_invalid);
    EXPECT_EQ(r.error().message.find(issued.token), std::string::npos);
  }
  EXPECT_TRUE(tokens.redeem(issued.token).has_value());  // the genuine one is still unused
}

TEST_F(StreamTokensTest, TwoTokensForTheSameUserAreIndependent) {
  const auto a = tokens.issue({"t", "u"});
  const auto b = tokens.issue({"t", "u"});
  EXPECT_NE(a.token, b.token);
  EXPECT_TRUE(tokens.redeem(a.token).has_value());
  EXPECT_TRUE(tokens.redeem(b.token).has_value());
}

}  // namespace
}  // namespace pierre::notify
