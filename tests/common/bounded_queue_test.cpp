#include "common/bounded_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace bahed {
namespace {

TEST(BoundedQueue, RefusesPushWhenFull) {
  BoundedQueue<int> q("q", 2);
  int a = 1, b = 2, c = 3;
  EXPECT_TRUE(q.try_push_for(a, std::chrono::milliseconds(0)));
  EXPECT_TRUE(q.try_push_for(b, std::chrono::milliseconds(0)));
  EXPECT_FALSE(q.try_push_for(c, std::chrono::milliseconds(0)));
  EXPECT_EQ(c, 3);  // left for the caller to retry
  EXPECT_EQ(q.size(), 2u);
}

TEST(BoundedQueue, PopsInFifoOrder) {
  BoundedQueue<int> q("q", 4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.push(i));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q.pop_for(std::chrono::milliseconds(0)), i);
  EXPECT_FALSE(q.pop_for(std::chrono::milliseconds(0)).has_value());
}

TEST(BoundedQueue, CloseWakesBlockedProducerAndDrainsRest) {
  BoundedQueue<int> q("q", 1);
  ASSERT_TRUE(q.push(7));
  std::atomic<bool> pushed{true};
  std::thread producer([&] { pushed = q.push(8); });
  q.close();
  producer.join();
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(q.pop_for(std::chrono::milliseconds(0)), 7);
  EXPECT_FALSE(q.pop_for(std::chrono::milliseconds(0)).has_value());
}

TEST(BoundedQueue, BlockedPushCompletesWhenConsumerPops) {
  BoundedQueue<int> q("q", 1);
  ASSERT_TRUE(q.push(1));
  std::thread producer([&] { EXPECT_TRUE(q.push(2)); });
  EXPECT_EQ(q.pop_for(std::chrono::seconds(5)), 1);
  EXPECT_EQ(q.pop_for(std::chrono::seconds(5)), 2);
  producer.join();
}

}  // namespace
}  // namespace bahed
