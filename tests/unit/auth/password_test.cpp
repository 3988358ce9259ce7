#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "auth_backend.hpp"
#include "pierre/auth/password.hpp"
#include "pierre/auth/user_service.hpp"

namespace pierre::auth {
namespace {

using testing::fast_hasher;

TEST(auth_PasswordHasher, HashesWithArgon2idAndVerifiesOnlyTheRightPassword) {
  const auto& h = fast_hasher();
  auto stored = h.hash("correct horse battery staple");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->rfind("$argon2id$v=19$", 0), 0u) << *stored;
  EXPECT_TRUE(h.verify(*stored, "correct horse battery staple"));
  EXPECT_FALSE(h.verify(*stored, "correct horse battery staplE"));
  EXPECT_FALSE(h.verify(*stored, ""));
  // Salted: the same password hashes differently each time, and both verify.
  auto again = h.hash("correct horse battery staple");
  ASSERT_TRUE(again);
  EXPECT_NE(*again, *stored);
  EXPECT_TRUE(h.verify(*again, "correct horse battery staple"));
}

TEST(auth_PasswordHasher, MalformedStoredHashesNeverVerify) {
  const auto& h = fast_hasher();
  EXPECT_FALSE(h.verify("", "whatever password"));
  EXPECT_FALSE(h.verify("plaintext password", "plaintext password"));
  EXPECT_FALSE(h.verify("$argon2id$v=19$m=8,t=1,p=1$garbage", "x"));
  auto stored = h.hash("another long password");
  ASSERT_TRUE(stored);
  auto truncated = stored->substr(0, stored->size() - 4);
  EXPECT_FALSE(h.verify(truncated, "another long password"));
  h.verify_dummy("some password");  // must simply run
}

TEST(auth_PasswordHasher, RejectsEmptyAndOversizedPasswords) {
  EXPECT_EQ(fast_hasher().hash("").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(fast_hasher().hash(std::string(1025, 'a')).error().code, ErrorCode::invalid_input);
  EXPECT_TRUE(fast_hasher().hash(std::string(1024, 'a')));
}

TEST(auth_PasswordHasher, DefaultParametersAreTheDocumentedOnesAndNeedsRehashTracksThem) {
  const PasswordHasher production;
  EXPECT_EQ(production.params().opslimit, 2u);
  EXPECT_EQ(production.params().memlimit, 19u * 1024 * 1024);
  auto strong = production.hash("production strength pw");
  ASSERT_TRUE(strong);
  EXPECT_NE(strong->find("m=19456,t=2,p=1"), std::string::npos) << *strong;
  EXPECT_TRUE(production.verify(*strong, "production strength pw"));
  EXPECT_FALSE(production.needs_rehash(*strong));

  auto weak = fast_hasher().hash("production strength pw");
  ASSERT_TRUE(weak);
  EXPECT_TRUE(production.needs_rehash(*weak));
  EXPECT_FALSE(fast_hasher().needs_rehash(*weak));
  EXPECT_TRUE(fast_hasher().needs_rehash(*strong));
  EXPECT_TRUE(production.needs_rehash("not a hash"));
  // Verification works across parameter sets (the hash string carries them).
  EXPECT_TRUE(production.verify(*weak, "production strength pw"));
}

TEST(auth_PasswordHasher, RejectsParametersOutsideLibsodiumBounds) {
  EXPECT_EQ(PasswordHasher::with_params({0, 8192}).error().code, ErrorCode::config_invalid);
  EXPECT_EQ(PasswordHasher::with_params({1, 16}).error().code, ErrorCode::config_invalid);
}

TEST(auth_PasswordPolicy, EnforcesEveryRuleWithAClearMessage) {
  auto expect_rejected = [](std::string_view pw, std::string_view email, std::string_view fragment) {
    auto r = check_password_policy(pw, email);
    ASSERT_FALSE(r) << pw;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find(std::string(pw)), std::string::npos) << "message must not echo the password";
  };
  expect_rejected("short1!", "", "at least 12 characters");
  expect_rejected("elevenchars", "", "at least 12 characters");
  // 11 two-byte characters: 22 bytes but only 11 characters.
  expect_rejected("ééééééééééé", "", "at least 12 characters");
  expect_rejected(std::string(1025, 'x') + "y", "", "at most 1024 bytes");
  expect_rejected("aaaaaaaaaaaaaaaa", "", "single repeated character");
  expect_rejected("éééééééééééééé", "", "single repeated character");
  expect_rejected("Alice.Long@Example.com", " alice.long@example.com ", "same as the email");

  EXPECT_TRUE(check_password_policy("twelve chars", ""));
  EXPECT_TRUE(check_password_policy("aaaaaaaaaaab", ""));
  EXPECT_TRUE(check_password_policy("ééééééééééée", ""));
  EXPECT_TRUE(check_password_policy(std::string(1023, 'x') + "y", ""));
  EXPECT_TRUE(check_password_policy("alice.long@example.org", "alice.long@example.com"));
}

TEST(auth_Email, NormalisesAndValidates) {
  EXPECT_EQ(normalize_email("  Alice@Example.COM\t").value_or(""), "alice@example.com");
  EXPECT_EQ(normalize_email("a.b+tag@sub.example.org").value_or(""), "a.b+tag@sub.example.org");
  for (const char* bad :
       {"", "   ", "alice", "@example.com", "alice@", "alice@example", "alice@@example.com", "al ice@example.com",
        "alice@example..com", "alice@.example.com", "alice@example.com.", "a@b@example.com"}) {
    auto r = normalize_email(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << bad;
  }
  EXPECT_FALSE(normalize_email(std::string(250, 'a') + "@example.com"));
}

TEST(auth_Roles, ScopesGrowWithTheRole) {
  EXPECT_EQ(scopes_for_role("user"), (std::vector<std::string>{"mcp:read", "mcp:write"}));
  EXPECT_EQ(scopes_for_role("super_admin"),
            (std::vector<std::string>{"mcp:read", "mcp:write", "tenant:admin", "server:admin"}));
}

}  // namespace
}  // namespace pierre::auth
