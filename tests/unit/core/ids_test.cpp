#include "pierre/core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

#include "pierre/core/error.hpp"

namespace pierre {
namespace {

TEST(RequestIds, AreUniqueAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = ids::new_request_id();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(ids::is_acceptable_request_id(id));
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(RequestIds, ClientSuppliedIdsAreFiltered) {
  EXPECT_TRUE(ids::is_acceptable_request_id("abc-123_X.y"));
  EXPECT_FALSE(ids::is_acceptable_request_id(""));
  EXPECT_FALSE(ids::is_acceptable_request_id("has space"));
  EXPECT_FALSE(ids::is_acceptable_request_id("line\r\nbreak"));
  EXPECT_FALSE(ids::is_acceptable_request_id(std::string(65, 'a')));
}

TEST(ErrorCodes, HaveStableDistinctNames) {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(ErrorCode::serialization_error); ++c) {
    auto name = code_name(static_cast<ErrorCode>(c));
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(code_name(ErrorCode::resource_not_found), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(code_name(ErrorCode::invalid_input), "INVALID_INPUT");
}

TEST(ErrorCodes, FailBuildsAnUnexpected) {
  auto f = []() -> Result<int> { return fail(ErrorCode::invalid_input, "bad", {{"field", "x"}}); };
  auto r = f();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(r.error().details["field"], "x");
}

}  // namespace
}  // namespace pierre
