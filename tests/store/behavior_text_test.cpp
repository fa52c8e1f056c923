#include "encoder/store/behavior_text.h"

#include <gtest/gtest.h>

#include <string>

#include "encoder/store/behavior_key.h"

namespace bahed::encoder {
namespace {

TEST(NormalizeBehaviorText, TrimsAndCollapsesWhitespace) {
  EXPECT_EQ(normalize_behavior_text("  searched:\t cheap \n\n flights  "), "searched: cheap flights");
  EXPECT_EQ(normalize_behavior_text("a\r\nb\vc\fd"), "a b c d");
  EXPECT_EQ(normalize_behavior_text(""), "");
  EXPECT_EQ(normalize_behavior_text(" \t\n "), "");
}

TEST(NormalizeBehaviorText, TreatsUnicodeSpacesAsWhitespace) {
  // NBSP, EN QUAD, IDEOGRAPHIC SPACE, LINE SEPARATOR, NEL.
  EXPECT_EQ(normalize_behavior_text("a\u00A0\u2000b\u3000c\u2028d\u0085e"), "a b c d e");
}

TEST(NormalizeBehaviorText, StripsControlCharacters) {
  EXPECT_EQ(normalize_behavior_text(std::string("a\x01"
                                                "b\x7f"
                                                "c\x1b[0m",
                                                9)),
            "abc[0m");
  EXPECT_EQ(normalize_behavior_text("\uFEFFtitle\u200B"), "title");
  EXPECT_EQ(normalize_behavior_text("x\u0080\u009Fy"), "xy");  // C1 controls
  EXPECT_EQ(normalize_behavior_text(std::string("a \0 b", 5)), "a b");
}

TEST(NormalizeBehaviorText, KeepsCaseAndNonAsciiText) {
  EXPECT_EQ(normalize_behavior_text("Amélie (2001) | Comedy"), "Amélie (2001) | Comedy");
  EXPECT_EQ(normalize_behavior_text("千と千尋の神隠し 🎬"), "千と千尋の神隠し 🎬");
}

TEST(NormalizeBehaviorText, ReplacesInvalidUtf8WithReplacementCharacter) {
  EXPECT_EQ(normalize_behavior_text("a\xff"
                                    "b"),
            "a\uFFFD"
            "b");
  EXPECT_EQ(normalize_behavior_text("\xc0\xaf"), "\uFFFD\uFFFD");            // overlong '/'
  EXPECT_EQ(normalize_behavior_text("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // surrogate
  EXPECT_EQ(normalize_behavior_text("tail\xe2\x82"), "tail\uFFFD\uFFFD");    // truncated
}

TEST(NormalizeBehaviorText, ComposesDecomposedAccentsToNfc) {
  const std::string decomposed = "Ame\xCC\x81lie (2001)";  // e + U+0301 COMBINING ACUTE ACCENT
  const std::string precomposed = "Am\u00E9lie (2001)";    // U+00E9
  ASSERT_NE(decomposed, precomposed);
  EXPECT_EQ(normalize_behavior_text(decomposed), precomposed);
  EXPECT_EQ(normalize_behavior_text(precomposed), precomposed);
  // A removed control between base and mark does not keep them apart.
  EXPECT_EQ(normalize_behavior_text("Ame\u200B\xCC\x81lie (2001)"), precomposed);
}

TEST(NormalizeBehaviorText, GivesDecomposedAndPrecomposedTextTheSameKey) {
  const std::string decomposed = "e\xCC\x81";
  const std::string precomposed = "\u00E9";
  EXPECT_EQ(normalize_behavior_text(decomposed), normalize_behavior_text(precomposed));
  EXPECT_EQ(make_behavior_key(7, "default", decomposed), make_behavior_key(7, "default", precomposed));
  EXPECT_EQ(make_behavior_key(7, "default", " caf" + decomposed + "  "), make_behavior_key(7, "default", "caf\u00E9"));
}

TEST(NormalizeBehaviorText, IsIdempotent) {
  for (const char* s : {"  a  b ", "x\xff\x01 y\u3000z", "\u00A0\u00A0", "plain", "a\xCC\x82\xCC\xA3 \xCC\x81"}) {
    const std::string once = normalize_behavior_text(s);
    EXPECT_EQ(normalize_behavior_text(once), once) << s;
  }
}

}  // namespace
}  // namespace bahed::encoder
