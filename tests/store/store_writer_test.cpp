#include "encoder/store/store_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::FailingEnv;
using testing::open_or_fail;
using testing::put_test_vectors;
using testing::TempDir;
using testing::test_options;
using testing::update;

constexpr EncoderSpec kSpec{9, 4};

TEST(StoreWriter, RefusesWritesAfterAFailedWriteUntilReopened) {
  TempDir dir;
  FakeClock clock;
  FailingEnv failing;
  const StoreOptions options = test_options(dir.path("db"));
  const BehaviorKey before = make_behavior_key(kSpec.version, "default", "before");
  const BehaviorKey during = make_behavior_key(kSpec.version, "default", "during");
  const BehaviorKey after = make_behavior_key(kSpec.version, "default", "after");
  {
    auto store = open_or_fail(options, kSpec, clock, failing.env.get());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_vectors(*store, {before}).is_ok());

    failing.fs->fail_writes = true;
    const Status failed = put_test_vectors(*store, {during});
    EXPECT_EQ(failed.code(), StatusCode::kIOError);
    EXPECT_NE(failed.message().find("writing 1 vectors"), std::string::npos) << failed.message();
    failing.fs->fail_writes = false;

    // The disk works again, but the store does not trust its state.
    const Status refused = put_test_vectors(*store, {after});
    EXPECT_EQ(refused.code(), StatusCode::kIOError);
    EXPECT_NE(refused.message().find("refuses writes"), std::string::npos) << refused.message();
    EXPECT_FALSE(store->apply_history(std::vector<HistoryUpdate>{update("u", 0, 0)}).is_ok());
    EXPECT_FALSE(store->sync_wal().is_ok());
    EXPECT_TRUE(store->stats().write_failed);
    // Reads still work.
    Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&before, 1});
    ASSERT_TRUE(got.is_ok());
    EXPECT_TRUE((*got)[0].found);
    // The close may report the same failure; reopening is the recovery.
    store->close().ignore();
  }
  auto store = open_or_fail(options, kSpec, clock, failing.env.get());
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->stats().write_failed);
  ASSERT_TRUE(put_test_vectors(*store, {after}).is_ok());
  const std::vector<BehaviorKey> keys = {before, during, after};
  Result<std::vector<VectorLookup>> got = store->multi_get_vectors(keys);
  ASSERT_TRUE(got.is_ok());
  EXPECT_TRUE((*got)[0].found);
  EXPECT_FALSE((*got)[1].found);
  EXPECT_TRUE((*got)[2].found);
  EXPECT_TRUE(store->close().is_ok());
}

TEST(StoreWriter, SyncsTheWalOnRequest) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(put_test_vectors(*store, {make_behavior_key(kSpec.version, "default", "x")}).is_ok());
  EXPECT_TRUE(store->sync_wal().is_ok());
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
