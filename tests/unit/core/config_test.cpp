#include "pierre/core/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pierre::config {
namespace {

struct FakeEnv {
  std::map<std::string, std::string> vars;
  EnvLookup lookup() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

Result<ParseOutcome> parse_with(std::vector<const char*> args, const FakeEnv& env) {
  args.insert(args.begin(), "pierre-mcp-server");
  return parse(args, env.lookup());
}

TEST(Config, DefaultsMatchPierre) {
  auto out = parse_with({}, {});
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(out->config.has_value());
  EXPECT_EQ(out->config->http_port, 8081);
  EXPECT_EQ(out->config->database_url, "sqlite:./data/pierre.db");
  EXPECT_EQ(out->config->jwt_expiry_hours, 24u);
  EXPECT_EQ(out->config->rsa_key_size, 4096u);
  EXPECT_EQ(out->config->http.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(out->config->environment, Environment::production);
  EXPECT_GE(out->config->threads, 1u);
}

TEST(Config, EnvironmentIsReadAndFlagsOverrideIt) {
  FakeEnv env{{{"HTTP_PORT", "9000"}, {"DATABASE_URL", "sqlite::memory:"}, {"LOG_LEVEL", "debug"}}};
  auto from_env = parse_with({}, env);
  ASSERT_TRUE(from_env && from_env->config);
  EXPECT_EQ(from_env->config->http_port, 9000);
  EXPECT_EQ(from_env->config->database_url, "sqlite::memory:");
  EXPECT_EQ(from_env->config->log_level, "debug");

  auto flags = parse_with({"--port", "9100", "--log-level", "warn", "--database-url", "postgresql://u@h/db"}, env);
  ASSERT_TRUE(flags && flags->config);
  EXPECT_EQ(flags->config->http_port, 9100);
  EXPECT_EQ(flags->config->log_level, "warn");
  EXPECT_EQ(flags->config->database_url, "postgresql://u@h/db");
}

TEST(Config, RustLogIsAcceptedAndLogLevelWins) {
  auto rust = parse_with({}, FakeEnv{{{"RUST_LOG", "debug,hyper=warn"}}});
  ASSERT_TRUE(rust && rust->config);
  EXPECT_EQ(rust->config->log_level, "debug");
  auto both = parse_with({}, FakeEnv{{{"RUST_LOG", "debug"}, {"LOG_LEVEL", "error"}}});
  ASSERT_TRUE(both && both->config);
  EXPECT_EQ(both->config->log_level, "error");
}

struct BadSetting {
  std::string env;
  std::string value;
};

class ConfigRejects : public testing::TestWithParam<BadSetting> {};

TEST_P(ConfigRejects, InvalidValueNamesTheSetting) {
  const auto& bad = GetParam();
  auto out = parse_with({}, FakeEnv{{{bad.env, bad.value}}});
  ASSERT_FALSE(out.has_value()) << bad.env << "=" << bad.value;
  EXPECT_EQ(out.error().code, ErrorCode::config_invalid);
  EXPECT_TRUE(out.error().message.starts_with(bad.env + ":")) << out.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    All, ConfigRejects,
    testing::Values(
        BadSetting{"HTTP_PORT", "80x"}, BadSetting{"HTTP_PORT", "70000"}, BadSetting{"HTTP_PORT", "-1"},
        BadSetting{"HTTP_PORT", ""}, BadSetting{"DATABASE_URL", "mysql://x"}, BadSetting{"DATABASE_URL", "sqlite:"},
        BadSetting{"DATABASE_URL", "postgresql://"}, BadSetting{"PIERRE_MASTER_ENCRYPTION_KEY", "short"},
        BadSetting{"PIERRE_MASTER_ENCRYPTION_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} /* 30 bytes */,
        BadSetting{"PIERRE_MASTER_ENCRYPTION_KEY", "not base64 at all!!"}, BadSetting{"JWT_EXPIRY_HOURS", "0"},
        BadSetting{"PIERRE_RSA_KEY_SIZE", "1024"}, BadSetting{"LOG_LEVEL", "loud"}, BadSetting{"LOG_FORMAT", "xml"},
        BadSetting{"HTTP_MAX_BODY_BYTES", "12"}, BadSetting{"PIERRE_ENV", "staging"},
        BadSetting{"PIERRE_PUBLIC_URL", "ftp://x"}, BadSetting{"HTTP_IDLE_TIMEOUT_SECS", "0"}));

TEST(Config, MasterKeyMustBe32BytesAndIsNeverEchoed) {
  const std::string secretish = "c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0";  // valid base64, 24 bytes
  auto out = parse_with({}, FakeEnv{{{"PIERRE_MASTER_ENCRYPTION_KEY", secretish}}});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message.find(secretish), std::string::npos);

  const std::string good = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";  // "0123456789abcdef" * 2
  auto ok = parse_with({}, FakeEnv{{{"PIERRE_MASTER_ENCRYPTION_KEY", good}}});
  ASSERT_TRUE(ok && ok->config);
  EXPECT_EQ(ok->config->master_key.size(), 32u);
  EXPECT_EQ(ok->config->master_key[0], '0');
}

TEST(Config, DatabaseUrlWithPasswordIsNotEchoedInErrors) {
  auto out = parse_with({"--database-url", "mysql://admin:hunter2@db/x"}, {});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message.find("hunter2"), std::string::npos);
  EXPECT_TRUE(out.error().message.starts_with("--database-url:"));
}

TEST(Config, FlagErrorsNameTheFlag) {
  auto out = parse_with({"--port", "abc"}, {});
  ASSERT_FALSE(out.has_value());
  EXPECT_TRUE(out.error().message.starts_with("--port:")) << out.error().message;
  auto unknown = parse_with({"--no-such-flag"}, {});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::config_invalid);
}

TEST(Config, HelpAndVersionAskToExit) {
  auto help = parse_with({"--help"}, {});
  ASSERT_TRUE(help.has_value());
  EXPECT_FALSE(help->config.has_value());
  EXPECT_NE(help->message.find("--database-url"), std::string::npos);
  EXPECT_NE(help->message.find("DATABASE_URL"), std::string::npos);
  auto version = parse_with({"--version"}, {});
  ASSERT_TRUE(version.has_value());
  EXPECT_NE(version->message.find(PIERRE_VERSION), std::string::npos);
}

TEST(Config, DevFlagAndPublicUrlNormalisation) {
  auto out = parse_with({"--dev", "--public-url", "https://pierre.example.com/"}, {});
  ASSERT_TRUE(out && out->config);
  EXPECT_EQ(out->config->environment, Environment::development);
  EXPECT_EQ(out->config->public_url, "https://pierre.example.com");
}

TEST(Config, WeatherAndCacheSettings) {
  auto defaults = parse_with({}, {});
  ASSERT_TRUE(defaults && defaults->config);
  EXPECT_TRUE(defaults->config->openweather_api_key.empty());
  EXPECT_EQ(defaults->config->openweather_api_base_url, "https://api.openweathermap.org");
  EXPECT_EQ(defaults->config->cache_max_entries, 10'000u);
  EXPECT_EQ(defaults->config->cache_cleanup_interval, std::chrono::seconds(300));

  auto set = parse_with({}, FakeEnv{{{"OPENWEATHER_API_KEY", "abc123"},
                                     {"OPENWEATHER_API_BASE_URL", "http://127.0.0.1:9999/"},
                                     {"CACHE_MAX_ENTRIES", "50"},
                                     {"CACHE_CLEANUP_INTERVAL_SECS", "10"}}});
  ASSERT_TRUE(set && set->config);
  EXPECT_EQ(set->config->openweather_api_key, "abc123");
  EXPECT_EQ(set->config->openweather_api_base_url, "http://127.0.0.1:9999");
  EXPECT_EQ(set->config->cache_max_entries, 50u);
  EXPECT_EQ(set->config->cache_cleanup_interval, std::chrono::seconds(10));

  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"OPENWEATHER_API_BASE_URL", "http://api.openweathermap.org"},
                                                        {"OPENWEATHER_API_BASE_URL", "ftp://example.com"},
                                                        {"CACHE_MAX_ENTRIES", "0"},
                                                        {"CACHE_CLEANUP_INTERVAL_SECS", "86401"}}) {
    auto bad = parse_with({}, FakeEnv{{{name, value}}});
    ASSERT_FALSE(bad) << name << "=" << value;
    EXPECT_TRUE(bad.error().message.starts_with(name)) << bad.error().message;
  }
  // A malformed key is refused without being echoed.
  auto key = parse_with({}, FakeEnv{{{"OPENWEATHER_API_KEY", "secret with spaces"}}});
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().message.find("secret"), std::string::npos);
}

TEST(Config, NotificationStreamSettings) {
  auto defaults = parse_with({}, FakeEnv{{}});
  ASSERT_TRUE(defaults && defaults->config);
  EXPECT_EQ(defaults->config->notifications.heartbeat, std::chrono::seconds(15));
  EXPECT_EQ(defaults->config->notifications.max_streams_per_user, 8u);

  auto set = parse_with({}, FakeEnv{{{"PIERRE_SSE_HEARTBEAT_SECS", "1"},
                                     {"PIERRE_SSE_MAX_LIFETIME_SECS", "60"},
                                     {"PIERRE_SSE_MAX_STREAMS_PER_USER", "3"},
                                     {"PIERRE_SSE_MAX_STREAMS", "20000"}}});
  ASSERT_TRUE(set && set->config);
  EXPECT_EQ(set->config->notifications.heartbeat, std::chrono::seconds(1));
  EXPECT_EQ(set->config->notifications.max_lifetime, std::chrono::seconds(60));
  EXPECT_EQ(set->config->notifications.max_streams_per_user, 3u);
  EXPECT_EQ(set->config->notifications.max_streams, 20'000u);

  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"PIERRE_SSE_HEARTBEAT_SECS", "0"},
                                                        {"PIERRE_SSE_MAX_LIFETIME_SECS", "1"},
                                                        {"PIERRE_SSE_MAX_STREAMS_PER_USER", "0"},
                                                        {"PIERRE_SSE_MAX_STREAMS", "many"}}) {
    auto bad = parse_with({}, FakeEnv{{{name, value}}});
    ASSERT_FALSE(bad) << name << "=" << value;
    EXPECT_TRUE(bad.error().message.starts_with(name)) << bad.error().message;
  }
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
  std::vector<std::uint8_t> bytes{0, 1, 2, 250, 251, 252, 253, 254, 255};
  auto text = encode_base64(bytes);
  auto back = decode_base64(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(decode_base64("@@@@").has_value());
  EXPECT_FALSE(decode_base64("AAAA trailing").has_value());
}

}  // namespace
}  // namespace pierre::config
