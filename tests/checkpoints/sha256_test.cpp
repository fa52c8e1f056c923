#include "checkpoints/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace bahed::checkpoints {
namespace {

// FIPS 180-2 appendix B vectors and the empty message.
TEST(Sha256, MatchesNistVectorWhenHashingAbc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesKnownDigestWhenHashingEmptyInput) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, MatchesNistVectorWhenHashingTwoBlockMessage) {
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MatchesNistVectorWhenHashingOneMillionAs) {
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, GivesSameDigestWhenFedInUnevenPieces) {
  std::string message;
  for (int i = 0; i < 1000; ++i) message.push_back(static_cast<char>(i * 7 + 3));
  const std::string expected = sha256_hex(message);
  for (size_t piece : {1, 3, 55, 56, 63, 64, 65, 127}) {
    Sha256 hash;
    for (size_t at = 0; at < message.size(); at += piece) hash.update(std::string_view(message).substr(at, piece));
    EXPECT_EQ(to_hex(hash.finish()), expected) << "piece size " << piece;
  }
}

TEST(Sha256, StartsOverWhenReset) {
  Sha256 hash;
  hash.update("something else");
  hash.finish();
  hash.reset();
  hash.update("abc");
  EXPECT_EQ(to_hex(hash.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace bahed::checkpoints
