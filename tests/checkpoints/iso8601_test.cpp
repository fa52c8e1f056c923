#include "checkpoints/iso8601.h"

#include <gtest/gtest.h>

namespace bahed::checkpoints {
namespace {

TEST(Iso8601, FormatsUtcWithMillisecondsWhenGivenEpochMs) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_utc_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Iso8601, RoundTripsWhenParsingWhatItFormats) {
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{1'700'000'000'123}, int64_t{4'102'444'799'999},
                     int64_t{-62'167'219'200'000}}) {
    EXPECT_EQ(parse_utc_ms(format_utc_ms(ms)), ms) << ms;
  }
}

TEST(Iso8601, RefusesTextWhenNotTheExactForm) {
  EXPECT_FALSE(parse_utc_ms("2023-11-14T22:13:20Z"));
  EXPECT_FALSE(parse_utc_ms("2023-11-14T22:13:20.123+00:00"));
  EXPECT_FALSE(parse_utc_ms("2023-11-14 22:13:20.123Z"));
  EXPECT_FALSE(parse_utc_ms("2023-02-29T00:00:00.000Z"));  // not a leap year
  EXPECT_FALSE(parse_utc_ms("2023-13-01T00:00:00.000Z"));
  EXPECT_FALSE(parse_utc_ms("2023-11-14T24:00:00.000Z"));
  EXPECT_FALSE(parse_utc_ms("2023-11-14T22:60:00.000Z"));
  EXPECT_FALSE(parse_utc_ms("2023-1a-14T22:13:20.123Z"));
  EXPECT_FALSE(parse_utc_ms(""));
}

}  // namespace
}  // namespace bahed::checkpoints
