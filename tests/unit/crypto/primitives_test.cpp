#include "pierre/crypto/primitives.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "pierre/crypto/master_key.hpp"

namespace pierre::crypto {
namespace {

TEST(Primitives, HmacSha256MatchesRfc4231Case2) {
  auto mac = hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
  EXPECT_EQ(hex_encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Primitives, Sha256OfAbc) {
  EXPECT_EQ(hex_encode(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Primitives, HexEncodeIsLowerCaseTwoCharactersPerByte) {
  EXPECT_EQ(hex_encode(Bytes{0x00, 0x0f, 0xa5, 0xff}), "000fa5ff");
  EXPECT_EQ(hex_encode(Bytes{}), "");
  EXPECT_EQ(hex_encode(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Primitives, RandomBytesDiffer) {
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(Primitives, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal(as_bytes("same"), as_bytes("same")));
  EXPECT_FALSE(constant_time_equal(as_bytes("same"), as_bytes("sane")));
  EXPECT_FALSE(constant_time_equal(as_bytes("same"), as_bytes("same+")));
  EXPECT_TRUE(constant_time_equal(as_bytes(""), as_bytes("")));
}

TEST(Primitives, Base64UrlRoundTripAndStrictness) {
  Bytes data{0xfb, 0xff, 0x00, 0x10};
  auto text = base64url_encode(data);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  Bytes back;
  ASSERT_TRUE(base64url_decode(text, back));
  EXPECT_EQ(back, data);
  EXPECT_FALSE(base64url_decode("+/+/", back));
  EXPECT_FALSE(base64url_decode("AAAA==", back));
  EXPECT_FALSE(base64url_decode("A", back));
}

class DevMasterKeyTest : public testing::Test {
 protected:
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("pierre-key-" + std::to_string(::getpid()) + "-" +
                                                testing::UnitTest::GetInstance()->current_test_info()->name());
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(DevMasterKeyTest, CreatesOnceWith0600AndReloadsTheSameKey) {
  auto path = dir / "master.key";
  auto first = load_or_create_dev_master_key(path);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->key.size(), kMasterKeyBytes);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = load_or_create_dev_master_key(path);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->key, first->key);
}

TEST_F(DevMasterKeyTest, CorruptFileIsAnErrorNotAReplacement) {
  std::filesystem::create_directories(dir);
  auto path = dir / "master.key";
  std::ofstream(path) << "garbage\n";
  auto loaded = load_or_create_dev_master_key(path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, ErrorCode::config_invalid);
  std::ifstream in(path);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "garbage");
}

}  // namespace
}  // namespace pierre::crypto
