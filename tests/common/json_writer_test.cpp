#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace bahed {
namespace {

TEST(JsonWriter, EscapesStringsAndNestsContainers) {
  JsonWriter w;
  w.begin_object().key("s").value("a\"b\\c\n\x01").key("n").value(int64_t{-5}).key("arr").begin_array();
  w.value(true).null().value(1.5).end_array().key("o").begin_object().end_object().end_object();
  EXPECT_EQ(w.str(), R"({"s":"a\"b\\c\n\u0001","n":-5,"arr":[true,null,1.5],"o":{}})");
}

TEST(JsonWriter, WritesNonFiniteAsNull) {
  JsonWriter w;
  w.begin_array().value(std::numeric_limits<double>::quiet_NaN()).end_array();
  EXPECT_EQ(w.str(), "[null]");
}

}  // namespace
}  // namespace bahed
