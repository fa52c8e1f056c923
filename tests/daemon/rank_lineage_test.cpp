#include "daemon/rank_lineage.h"

#include <gtest/gtest.h>

namespace bahed::daemon {
namespace {

RankLineage lineage_of(int64_t targets, int64_t event_time, std::map<int32_t, int64_t> offsets) {
  RankLineage l;
  l.targets_trained = targets;
  l.event_time_ms = event_time;
  l.offsets = std::move(offsets);
  for (const auto& [partition, offset] : l.offsets) {
    for (int64_t o = 0; o < offset; ++o) l.audit.add(SourcePosition{partition, o});
  }
  return l;
}

TEST(RankLineageTest, DecodesWhatItEncodes) {
  const RankLineage l = lineage_of(12, 1700000000123, {{0, 5}, {3, 7}});
  auto decoded = RankLineage::decode(l.encode());
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, l);
  // The largest checksums survive (unsigned 64-bit, not parsed as signed).
  RankLineage big = l;
  big.audit.partitions[3].offset_checksum = 0xfedcba9876543210ULL;
  EXPECT_EQ(*RankLineage::decode(big.encode()), big);
}

TEST(RankLineageTest, RefusesWhatItDoesNotUnderstand) {
  for (const std::string text : {std::string(""),                  // no totals
                                 std::string("o 0 5\n"),            // no totals
                                 std::string("t 1 2\nt 1 2\n"),     // totals twice
                                 std::string("t 1 2\nx 0 5\n"),     // unknown tag
                                 std::string("t 1 2\no 0\n"),       // missing field
                                 std::string("t 1 2\no 0 5 9\n"),   // extra field
                                 std::string("t 1 2\no 0 5\no 0 6\n"),  // partition twice
                                 std::string("t 1 two\n")}) {
    auto decoded = RankLineage::decode(text);
    EXPECT_FALSE(decoded.is_ok()) << "accepted: " << text;
    if (!decoded.is_ok()) EXPECT_NE(decoded.status().to_string().find("same bahed build"), std::string::npos);
  }
}

TEST(RankLineageTest, MergeAddsCountsAndKeepsTheFurthestOffsets) {
  // Restored version: partitions 0 and 1; rank 0 trained on from 0, rank 1
  // took partition 1 over and read partition 2 too.
  RankLineage all = lineage_of(0, 100, {{0, 10}, {1, 20}});
  all.audit = {};
  const RankLineage rank0 = lineage_of(10, 300, {{0, 10}});
  const RankLineage rank1 = lineage_of(25, 200, {{1, 20}, {2, 5}});
  all.merge(rank0);
  all.merge(rank1);
  EXPECT_EQ(all.targets_trained, 35);
  EXPECT_EQ(all.event_time_ms, 300);
  EXPECT_EQ(all.offsets, (std::map<int32_t, int64_t>{{0, 10}, {1, 20}, {2, 5}}));
  EXPECT_EQ(all.audit.n_targets(), 35);
  // Checksums add: the merge equals one lineage that trained all of it.
  EXPECT_EQ(all.audit, lineage_of(35, 0, {{0, 10}, {1, 20}, {2, 5}}).audit);
  RankLineage later = rank0;
  later.offsets[0] = 4;  // an older offset never moves a partition back
  all.merge(later);
  EXPECT_EQ(all.offsets[0], 10);
}

}  // namespace
}  // namespace bahed::daemon
