#pragma once
// What the GPX and TCX suites share: the sample directory (../shared/samples, PIERRE_SAMPLES_DIR), reading a file
// whole, gtest-safe names for parameterised tests over file names, and epoch ms of an ISO-8601 time.

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "xml/xml_document.hpp"

namespace pierre::formats::testing {

inline const std::filesystem::path kSamples = std::filesystem::path(PIERRE_SAMPLES_DIR);

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

inline std::int64_t ms(std::string_view iso) {
  return xml::parse_datetime(iso).value().epoch_ms;
}

}  // namespace pierre::formats::testing
