#include "encoder/store/history_codec.h"

#include <gtest/gtest.h>

#include <vector>

namespace bahed::encoder {
namespace {

TEST(HistoryCodec, RoundTripsEntriesInOrder) {
  const std::vector<HistoryEntry> entries = {
      {Hash128{1, 2}, 1'700'000'000'123, 0, 5, BehaviorAction::kClicked},
      {Hash128{~0ull, 7}, -1, 2'147'483'647, (1ll << 40) + 3, BehaviorAction::kSkipped},
      {Hash128{3, 4}, 9, 1, 6, BehaviorAction::kNone},
  };
  const std::string value = encode_history(entries);
  EXPECT_EQ(value.size(), 1 + 3 * kHistoryEntryBytes);
  Result<std::vector<HistoryEntry>> decoded = decode_history(value, "u");
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, entries);
}

TEST(HistoryCodec, ReadsFormatOneEntriesAsActionNone) {
  // A format-1 value: 36-byte entries without the action byte.
  std::string value = encode_history(std::vector<HistoryEntry>{{Hash128{1, 2}, 3, 4, 5, BehaviorAction::kClicked}});
  value[0] = static_cast<char>(kHistoryFormatV1);
  value.pop_back();
  Result<std::vector<HistoryEntry>> decoded = decode_history(value, "u");
  ASSERT_TRUE(decoded.is_ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].offset, 5);
  EXPECT_EQ((*decoded)[0].action, BehaviorAction::kNone);
}

TEST(HistoryCodec, RefusesAnUnknownAction) {
  std::string value = encode_history(std::vector<HistoryEntry>(1));
  value.back() = 7;
  const auto decoded = decode_history(value, "u");
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
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
