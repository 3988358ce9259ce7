#include "pierre/mcp_client/token_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fake_environment.hpp"
#include "temporary_directory.hpp"

namespace pierre::mcp_client {
namespace {

namespace fs = std::filesystem;

class TokenStoreTest : public ::testing::Test {
 protected:
  static StoredCredentials sample(std::string server_url) {
    StoredCredentials c;
    c.server_url = std::move(server_url);
    c.issuer = "http://localhost:8081";
    c.token_endpoint = "http://localhost:8081/oauth2/token";
    c.resource = "http://localhost:8081/mcp";
    c.client_id = "client-1";
    c.access_token = "access";
    c.refresh_token = "refresh";
    c.expires_at = 1'800'000'000;
    return c;
  }

  static unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777U;
  }

  test_support::TemporaryDirectory directory_;
  const fs::path& root_ = directory_.path();
};

TEST_F(TokenStoreTest, RoundTripsWithPrivatePermissions) {
  const TokenStore store(root_ / "pierre-mcp-client");
  ASSERT_TRUE(store.save(sample("http://localhost:8081")));
  auto loaded = store.load("http://localhost:8081");
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, sample("http://localhost:8081"));
  EXPECT_EQ(mode_of(store.path_for("http://localhost:8081")), 0600U);
  EXPECT_EQ(mode_of(root_ / "pierre-mcp-client"), 0700U);
}

TEST_F(TokenStoreTest, TightensAnExistingDirectoryAndFile) {
  const auto dir = root_ / "loose";
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all);
  const TokenStore store(dir);
  { std::ofstream(store.path_for("http://a")) << "{}"; }
  fs::permissions(store.path_for("http://a"), fs::perms::all);
  ASSERT_TRUE(store.save(sample("http://a")));
  EXPECT_EQ(mode_of(dir), 0700U);
  EXPECT_EQ(mode_of(store.path_for("http://a")), 0600U);
}

TEST_F(TokenStoreTest, OneFilePerServerUrl) {
  const TokenStore store(root_);
  EXPECT_NE(store.path_for("http://localhost:8081"), store.path_for("http://localhost:8082"));
  EXPECT_EQ(store.path_for("http://localhost:8081"), store.path_for("http://localhost:8081"));
  auto other = sample("http://localhost:8082");
  other.access_token = "other";
  ASSERT_TRUE(store.save(sample("http://localhost:8081")));
  ASSERT_TRUE(store.save(other));
  EXPECT_EQ((*store.load("http://localhost:8081"))->access_token, "access");
  EXPECT_EQ((*store.load("http://localhost:8082"))->access_token, "other");
}

TEST_F(TokenStoreTest, TheCrossProcessLockIsAPrivateFileRemovedWithTheTokens) {
  const TokenStore store(root_ / "pierre-mcp-client");
  {
    auto lock = store.lock("http://a");
    ASSERT_TRUE(lock) << lock.error().message;
    ASSERT_TRUE(store.save(sample("http://a")));  // saving under the lock does not need it again
  }
  auto lock_file = store.path_for("http://a");
  lock_file += ".lock";
  EXPECT_EQ(mode_of(lock_file), 0600U);
  ASSERT_TRUE(store.lock("http://a"));  // released when its owner went
  ASSERT_TRUE(store.remove("http://a"));
  EXPECT_FALSE(fs::exists(lock_file));
}

TEST_F(TokenStoreTest, NothingStoredIsNotAnError) {
  const TokenStore store(root_ / "absent");
  auto loaded = store.load("http://localhost:8081");
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
  auto removed = store.remove("http://localhost:8081");
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
}

TEST_F(TokenStoreTest, RemoveDeletesTheServersFileOnly) {
  const TokenStore store(root_);
  ASSERT_TRUE(store.save(sample("http://a")));
  ASSERT_TRUE(store.save(sample("http://b")));
  auto removed = store.remove("http://a");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(fs::exists(store.path_for("http://a")));
  EXPECT_TRUE(fs::exists(store.path_for("http://b")));
}

TEST_F(TokenStoreTest, ADamagedFileIsAStorageErrorWithoutItsContents) {
  const TokenStore store(root_);
  { std::ofstream(store.path_for("http://a")) << "{\"access_token\": \"secret-value\""; }
  auto loaded = store.load("http://a");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::storage_error);
  EXPECT_EQ(loaded.error().message.find("secret-value"), std::string::npos);
}

TEST_F(TokenStoreTest, AFileNamingAnotherServerIsIgnored) {
  const TokenStore store(root_);
  auto foreign = sample("http://b");
  { std::ofstream(store.path_for("http://a")) << to_json(foreign).dump(); }
  auto loaded = store.load("http://a");
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

using test_support::fake_environment;
using test_support::fake_getenv;

TEST(DefaultConfigDir, XdgConfigHomeThenHomeDotConfig) {
  fake_environment() = {{"XDG_CONFIG_HOME", "/x/cfg"}, {"HOME", "/home/u"}};
  EXPECT_EQ(*default_config_dir(fake_getenv), fs::path("/x/cfg/pierre-mcp-client"));
  fake_environment() = {{"HOME", "/home/u"}};
  EXPECT_EQ(*default_config_dir(fake_getenv), fs::path("/home/u/.config/pierre-mcp-client"));
  fake_environment() = {};
  EXPECT_FALSE(default_config_dir(fake_getenv));
}

}  // namespace
}  // namespace pierre::mcp_client
