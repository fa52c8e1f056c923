#include "checkpoints/publisher_options.h"

#include <gtest/gtest.h>

namespace bahed::checkpoints {
namespace {

TEST(PublisherOptions, AcceptsDefaultsWhenPublishDirIsSet) {
  PublisherOptions o;
  EXPECT_EQ(o.keep_versions, 5);
  EXPECT_TRUE(o.fsync);
  EXPECT_EQ(o.dir_mode, 0750U);
  EXPECT_EQ(o.file_mode(), 0640U);
  EXPECT_FALSE(o.validate().is_ok());  // publish_dir is required
  o.publish_dir = "/tmp/x";
  EXPECT_TRUE(o.validate().is_ok());
}

TEST(PublisherOptions, RefusesValuesWhenOutOfRange) {
  PublisherOptions o;
  o.publish_dir = "/tmp/x";
  o.keep_versions = 0;
  EXPECT_NE(o.validate().message().find("checkpoints.keep_versions"), std::string::npos);
  o.keep_versions = 1;
  o.dir_mode = 0550;  // the owner could not write versions
  EXPECT_NE(o.validate().message().find("checkpoints.dir_mode"), std::string::npos);
  o.dir_mode = 01777;
  EXPECT_FALSE(o.validate().is_ok());
}

}  // namespace
}  // namespace bahed::checkpoints
