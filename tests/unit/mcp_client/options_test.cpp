#include "pierre/mcp_client/options.hpp"

#include "fake_environment.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace pierre::mcp_client {
namespace {

using test_support::fake_environment;
using test_support::fake_getenv;

Result<Options> parse(std::vector<std::string_view> args, std::map<std::string, std::string> env = {}) {
  fake_environment() = std::move(env);
  return parse_arguments(args, fake_getenv);
}

TEST(ParseArguments, ServerUrlGetsTheMcpPathWhenItHasNone) {
  auto options = parse({"--server", "http://localhost:8081/"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->command, Command::run);
  EXPECT_EQ(options->server_url, "http://localhost:8081");
  EXPECT_EQ(options->mcp_url, "http://localhost:8081/mcp");
  auto explicit_endpoint = parse({"--server=https://pierre.example/custom/mcp"});
  ASSERT_TRUE(explicit_endpoint);
  EXPECT_EQ(explicit_endpoint->mcp_url, "https://pierre.example/custom/mcp");
}

TEST(ParseArguments, EveryFlag) {
  auto options = parse({"--server", "http://h:1", "--token", "t", "--verbose", "--browser", "firefox --new-window",
                        "--callback-port", "33418", "--config-dir", "/tmp/c", "--client-metadata-url",
                        "https://app.example/client.json", "--retry-seconds", "5", "--auth-timeout=60"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->token, "t");
  EXPECT_TRUE(options->verbose);
  EXPECT_EQ(options->browser, "firefox --new-window");
  EXPECT_EQ(options->callback_port, 33418);
  EXPECT_EQ(options->config_dir, "/tmp/c");
  EXPECT_EQ(options->client_metadata_url, "https://app.example/client.json");
  EXPECT_EQ(options->retry_budget, std::chrono::seconds(5));
  EXPECT_EQ(options->auth_timeout, std::chrono::seconds(60));
}

TEST(ParseArguments, LogoutSubcommand) {
  auto options = parse({"logout", "--server", "http://h:1"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->command, Command::logout);
}

TEST(ParseArguments, EnvironmentDefaultsAndFlagsWin) {
  auto from_env =
      parse({}, {{"PIERRE_SERVER_URL", "http://env:1"}, {"PIERRE_API_KEY", "pk_env"}, {"PIERRE_BROWSER", "none"}});
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->server_url, "http://env:1");
  EXPECT_EQ(from_env->api_key, "pk_env");
  EXPECT_EQ(from_env->browser, "none");
  auto flag_wins = parse({"--server", "http://flag:2", "--api-key", "pk_flag"},
                         {{"PIERRE_SERVER_URL", "http://env:1"}, {"PIERRE_API_KEY", "pk_env"}});
  ASSERT_TRUE(flag_wins);
  EXPECT_EQ(flag_wins->server_url, "http://flag:2");
  EXPECT_EQ(flag_wins->api_key, "pk_flag");
}

TEST(ParseArguments, HelpAndVersionNeedNothingElse) {
  EXPECT_EQ(parse({"--help"})->command, Command::help);
  EXPECT_EQ(parse({"--version"})->command, Command::version);
}

TEST(ParseArguments, Mistakes) {
  for (const auto& args : std::vector<std::vector<std::string_view>>{
           {},                                                         // no server
           {"--server"},                                               // no value
           {"--server", "ftp://h"},                                    // scheme
           {"--server", "not a url"},                                  //
           {"--server", "http://h", "--bogus", "1"},                   // unknown flag
           {"--server", "http://h", "--callback-port", "70000"},       // range
           {"--server", "http://h", "--retry-seconds", "3s"},          // not a number
           {"--server", "http://h", "--api-key", "k", "--token", "t"}  // two credentials
       }) {
    auto options = parse(args);
    ASSERT_FALSE(options) << (args.empty() ? "" : args.back());
    EXPECT_EQ(options.error().code, ErrorCode::invalid_input);
  }
}

}  // namespace
}  // namespace pierre::mcp_client
