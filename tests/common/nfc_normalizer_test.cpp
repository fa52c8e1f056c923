// nfc_normalize against cases with known NFC forms (Unicode's
// NormalizationTest.txt, part 1 examples and Hangul).
#include "common/nfc_normalizer.h"

#include <gtest/gtest.h>

namespace bahed {
namespace {

TEST(NfcNormalizer, LeavesAsciiAndComposedTextAlone) {
  EXPECT_EQ(nfc_normalize("hello world"), "hello world");
  EXPECT_EQ(nfc_normalize("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(nfc_normalize(""), "");
}

TEST(NfcNormalizer, ComposesBaseAndCombiningMark) {
  EXPECT_EQ(nfc_normalize("cafe\xCC\x81"), "caf\xC3\xA9");  // e + U+0301 -> U+00E9
}

TEST(NfcNormalizer, ReordersMarksBeforeComposing) {
  // a + U+0323 (below, ccc 220) + U+0302 (above, ccc 230) and the reverse
  // order both become U+1EAD (a with circumflex and dot below).
  EXPECT_EQ(nfc_normalize("a\xCC\xA3\xCC\x82"), "\xE1\xBA\xAD");
  EXPECT_EQ(nfc_normalize("a\xCC\x82\xCC\xA3"), "\xE1\xBA\xAD");
}

TEST(NfcNormalizer, ReplacesSingletonsAndKeepsExclusionsDecomposed) {
  EXPECT_EQ(nfc_normalize("\xE2\x84\xA6"), "\xCE\xA9");  // OHM SIGN -> GREEK CAPITAL OMEGA
  // U+0958 (DEVANAGARI QA) is a composition exclusion: NFC keeps KA + NUKTA.
  EXPECT_EQ(nfc_normalize("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC");
}

TEST(NfcNormalizer, ComposesHangulJamo) {
  // U+1100 U+1161 U+11A8 -> U+AC01
  EXPECT_EQ(nfc_normalize("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");
}

TEST(NfcNormalizer, PassesInvalidBytesThrough) {
  EXPECT_EQ(nfc_normalize("e\xFF\xCC\x81"), "e\xFF\xCC\x81");
}

}  // namespace
}  // namespace bahed
