#include "encoder/store/encoder_version_registry.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::open_or_fail;
using testing::put_test_vectors;
using testing::TempDir;
using testing::test_options;

constexpr EncoderSpec kV1{0x1111, 8};
constexpr EncoderSpec kV2{0x2222, 8};

TEST(EncoderVersionRegistry, ReportsNothingForANewStore) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kV1, clock);
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->open_report().previous.has_value());
  EXPECT_FALSE(store->open_report().encoder_changed());
  EXPECT_TRUE(store->open_report().other_versions.empty());
  EXPECT_EQ(store->open_report().current, (EncoderVersionInfo{kV1.version, kV1.dimension}));
  EXPECT_TRUE(store->close().is_ok());
}

TEST(EncoderVersionRegistry, ReportsOldVersionWhenEncoderChangesAndDropRemovesIt) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  const BehaviorKey old_key = make_behavior_key(kV1.version, "default", "x");
  {
    auto store = open_or_fail(options, kV1, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_vectors(*store, {old_key}).is_ok());
    EXPECT_TRUE(store->close().is_ok());
  }
  {
    auto store = open_or_fail(options, kV2, clock);
    ASSERT_NE(store, nullptr);
    const OpenReport& report = store->open_report();
    EXPECT_TRUE(report.encoder_changed());
    EXPECT_EQ(report.previous, (EncoderVersionInfo{kV1.version, 8}));
    EXPECT_EQ(report.other_versions, (std::vector<EncoderVersionInfo>{{kV1.version, 8}}));
    // The same behavior under the new encoder is not found: never mixed.
    const BehaviorKey new_key = make_behavior_key(kV2.version, "default", "x");
    Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&new_key, 1});
    ASSERT_TRUE(got.is_ok());
    EXPECT_FALSE((*got)[0].found);

    EXPECT_EQ(store->drop_encoder_version(kV2.version).code(), StatusCode::kInvalidArgument);  // its own
    ASSERT_TRUE(store->drop_encoder_version(kV1.version).is_ok());
    Result<std::vector<EncoderVersionInfo>> versions = store->encoder_versions();
    ASSERT_TRUE(versions.is_ok());
    EXPECT_EQ(*versions, (std::vector<EncoderVersionInfo>{{kV2.version, 8}}));
    EXPECT_TRUE(store->close().is_ok());
  }
  // Back to v1: its vectors are gone.
  auto store = open_or_fail(options, kV1, clock);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->open_report().other_versions, (std::vector<EncoderVersionInfo>{{kV2.version, 8}}));
  Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&old_key, 1});
  ASSERT_TRUE(got.is_ok());
  EXPECT_FALSE((*got)[0].found);
  EXPECT_TRUE(store->close().is_ok());
}

TEST(EncoderVersionRegistry, RefusesSameVersionWithAnotherDimension) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  {
    auto store = open_or_fail(options, kV1, clock);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->close().is_ok());
  }
  {
    // v1 is no longer current, but its record still refuses a new dimension.
    auto store = open_or_fail(options, kV2, clock);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->close().is_ok());
  }
  const Result<std::unique_ptr<BehaviorStore>> refused =
      BehaviorStore::open(options, EncoderSpec{kV1.version, 16}, clock);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("dimension 8"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("dimension 16"), std::string::npos);
  // The refused open left the store usable.
  auto store = open_or_fail(options, kV1, clock);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->close().is_ok());
}

TEST(EncoderVersionRegistry, DropsTheLargestVersionToo) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  const EncoderSpec max_spec{UINT64_MAX, 8};
  const BehaviorKey key = make_behavior_key(max_spec.version, "default", "x");
  {
    auto store = open_or_fail(options, max_spec, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_vectors(*store, {key}).is_ok());
    EXPECT_TRUE(store->close().is_ok());
  }
  {
    auto store = open_or_fail(options, kV1, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->drop_encoder_version(UINT64_MAX).is_ok());
    EXPECT_TRUE(store->close().is_ok());
  }
  auto store = open_or_fail(options, max_spec, clock);
  ASSERT_NE(store, nullptr);
  Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&key, 1});
  ASSERT_TRUE(got.is_ok());
  EXPECT_FALSE((*got)[0].found);
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
