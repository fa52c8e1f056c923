#include "encoder/store/history_codec.h"

#include <gtest/gtest.h>

#include <vector>

namespace bahed::encoder {
namespace {

TEST(HistoryCodec, RoundTripsEntriesInOrder) {
  const std::vector<HistoryEntry> entries = {
      {Hash128{1, 2}, 1'700'000'000'123, 0, 5},
      {Hash128{~0ull, 7}, -1, 2'147'483'647, (1ll << 40) + 3},
  };
  const std::string value = encode_history(entries);
  EXPECT_EQ(value.size(), 1 + 2 * kHistoryEntryBytes);
  Result<std::vector<HistoryEntry>> decoded = decode_history(value, "u");
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, entries);
}

TEST(HistoryCodec, RefusesBadLengthNamingTheUser) {
  std::string value = encode_history(std::vector<HistoryEntry>(1));
  value.pop_back();
  const auto decoded = decode_history(value, "abcd");
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("abcd"), std::string::npos);
}

}  // namespace
}  // namespace bahed::encoder
