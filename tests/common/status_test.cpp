#include "common/status.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace bahed {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return Status::invalid_argument("x must be positive");
  return x;
}

Status doubled(int x, int* out) {
  BAHED_ASSIGN_OR_RETURN(int v, parse_positive(x));
  *out = 2 * v;
  return Status::ok();
}

TEST(Status, CarriesCodeMessageAndContext) {
  const Status s = Status::io_error("disk full").with_context("writing v000001");
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ(s.to_string(), "IOError: writing v000001: disk full");
  EXPECT_EQ(Status::ok().to_string(), "OK");
}

TEST(Result, PropagatesErrorThroughAssignOrReturn) {
  int out = 0;
  EXPECT_TRUE(doubled(21, &out).is_ok());
  EXPECT_EQ(out, 42);
  const Status s = doubled(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "x must be positive");
}

}  // namespace
}  // namespace bahed
