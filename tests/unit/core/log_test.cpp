#include "pierre/core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace pierre::logging {
namespace {

class LogTest : public testing::Test {
 protected:
  std::ostringstream out;
  void init_as(Format f, std::string_view level = "info") {
    init_with_sink(level, f, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  }
  void TearDown() override { spdlog::set_default_logger(spdlog::stderr_color_mt("restore-" + std::to_string(++n_))); }
  static inline int n_ = 0;
};

TEST_F(LogTest, TextLinesAreRedacted) {
  init_as(Format::text);
  spdlog::info("login ok for {} with {}", "runner@example.com", "Bearer abcdefghijklmnop");
  spdlog::default_logger()->flush();
  const auto text = out.str();
  EXPECT_EQ(text.find("runner@example.com"), std::string::npos) << text;
  EXPECT_EQ(text.find("abcdefghijklmnop"), std::string::npos) << text;
  EXPECT_NE(text.find("login ok for [email]"), std::string::npos) << text;
  EXPECT_NE(text.find("Z info "), std::string::npos) << text;  // UTC timestamp then level
}

TEST_F(LogTest, JsonLinesParseAndAreRedacted) {
  init_as(Format::json);
  spdlog::warn("token {} at {}", "pk_live_secretsecret", "45.123456, 7.123456");
  spdlog::error("quote \" and newline \n inside");
  spdlog::default_logger()->flush();
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ASSERT_TRUE(nlohmann::json::accept(line)) << line;
    auto entry = nlohmann::json::parse(line);
    EXPECT_TRUE(entry["ts"].get<std::string>().ends_with("Z"));
    EXPECT_EQ(entry["logger"], "pierre");
    EXPECT_TRUE(entry.contains("msg"));
    EXPECT_EQ(entry["msg"].get<std::string>().find("secretsecret"), std::string::npos);
    EXPECT_EQ(entry["msg"].get<std::string>().find("45.123456"), std::string::npos);
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST_F(LogTest, LevelFilters) {
  init_as(Format::text, "warn");
  spdlog::info("hidden");
  spdlog::warn("shown");
  spdlog::default_logger()->flush();
  EXPECT_EQ(out.str().find("hidden"), std::string::npos);
  EXPECT_NE(out.str().find("shown"), std::string::npos);
}

}  // namespace
}  // namespace pierre::logging
