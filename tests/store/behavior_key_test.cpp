#include "encoder/store/behavior_key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace bahed::encoder {
namespace {

// Reference digests from the xxhsum tool (xxhsum -H2, XXH3-128), so the
// key layout is pinned to the published algorithm, not to this code.
TEST(BehaviorKey, UserHashMatchesPublishedXxh3Vectors) {
  EXPECT_EQ(hash_user_id("").hex(), "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(hash_user_id("u42").hex(), "459e51aa6260bb33005adc13735b6feb");
}

TEST(BehaviorKey, IsStableAcrossBuilds) {
  // printf '\0\0\0\6searchsearched: prison escape movies' | xxhsum -H2
  const BehaviorKey key = make_behavior_key(0x0102030405060708ull, "search", "  searched:  prison escape movies\n");
  EXPECT_EQ(key.behavior.hex(), "ea29b57263a7f387ec2134a6bdaabd4c");
  EXPECT_EQ(key.hex(), "0102030405060708ea29b57263a7f387ec2134a6bdaabd4c");
  EXPECT_EQ(key.encode().size(), BehaviorKey::kSizeBytes);
}

TEST(BehaviorKey, NormalizesTextButNotFeature) {
  EXPECT_EQ(make_behavior_key(1, "search", "cheap  flights"), make_behavior_key(1, "search", " cheap flights "));
  EXPECT_NE(make_behavior_key(1, "search", "x"), make_behavior_key(1, " search", "x"));
  EXPECT_NE(make_behavior_key(1, "search", "Cheap flights"), make_behavior_key(1, "search", "cheap flights"));
}

TEST(BehaviorKey, DistinguishesFeatureTextSplitAndVersion) {
  std::set<std::string> keys;
  keys.insert(make_behavior_key(1, "ab", "c").encode());
  keys.insert(make_behavior_key(1, "a", "bc").encode());
  keys.insert(make_behavior_key(1, "", "abc").encode());
  keys.insert(make_behavior_key(2, "ab", "c").encode());
  for (int i = 0; i < 1000; ++i) keys.insert(make_behavior_key(1, "default", "item " + std::to_string(i)).encode());
  EXPECT_EQ(keys.size(), 1004u);
}

TEST(BehaviorKey, SortsByVersionFirst) {
  const BehaviorKey a{1, Hash128{~0ull, ~0ull}};
  const BehaviorKey b{2, Hash128{0, 0}};
  EXPECT_LT(a.encode(), b.encode());
  EXPECT_LT(BehaviorKey({255, {}}).encode(), BehaviorKey({256, {}}).encode());
}

TEST(BehaviorKey, DecodesWhatItEncodes) {
  const BehaviorKey key = make_behavior_key(42, "default", "clicked: Heat (1995)");
  EXPECT_EQ(BehaviorKey::decode(key.encode()), key);
  EXPECT_FALSE(BehaviorKey::decode("short").has_value());
}

}  // namespace
}  // namespace bahed::encoder
