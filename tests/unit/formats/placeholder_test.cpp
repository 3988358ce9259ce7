#include <gtest/gtest.h>
#include <pierre/formats/recording.hpp>
TEST(FormatsPlaceholder, RecordingDefaultsToFit) { EXPECT_EQ(pierre::formats::Recording{}.format, pierre::formats::FileFormat::fit); }
