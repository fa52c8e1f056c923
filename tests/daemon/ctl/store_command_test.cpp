// bahectl store stats|get|history, run as bahectl runs them (argv in, exit
// code and printed text out) against a small store built in a temp dir.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/store_inspection.h"
#include "tests/store/store_test_util.h"

namespace bahed::ctl {
namespace {

using encoder::testing::TempDir;

constexpr encoder::EncoderSpec kSpec{0xABCD, 8};
constexpr encoder::EncoderSpec kOldSpec{0x1234, 4};

struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `command` with argv {name, args...}, capturing std::cout and std::cerr.
CommandOutput run(int (*command)(int, char**), const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), name);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  std::streambuf* const old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* const old_err = std::cerr.rdbuf(err.rdbuf());
  CommandOutput result;
  result.exit_code = command(static_cast<int>(args.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A store last opened for kSpec (after kOldSpec), with two behaviors that
// have texts, one without, and histories of u1 (3 entries) and u2.
class StoreCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const encoder::StoreOptions options = encoder::testing::test_options(path_);
    FakeClock clock;
    {
      auto old = encoder::testing::open_or_fail(options, kOldSpec, clock);
      ASSERT_NE(old, nullptr);
      ASSERT_TRUE(old->close().is_ok());
    }
    auto store = encoder::testing::open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    Result<std::vector<encoder::BehaviorKey>> keys = encoder::testing::put_test_behaviors(
        *store, {{"default", "Heat (1995) | Action"}, {"search", "cafe\xCC\x81  Lisbon"}});
    ASSERT_TRUE(keys.is_ok()) << keys.status().to_string();
    keys_ = *keys;
    ASSERT_TRUE(encoder::testing::put_test_vectors(*store, {no_text_key()}, 7).is_ok());
    const auto entry = [](const encoder::Hash128& h, int64_t offset, BehaviorAction action = BehaviorAction::kNone) {
      return encoder::HistoryEntry{h, 1'700'000'000'000 + offset, 3, offset, action};
    };
    const std::vector<encoder::HistoryUpdate> updates = {{"u1", entry(keys_[0].behavior, 10, BehaviorAction::kClicked)},
                                                         {"u1", entry(keys_[1].behavior, 11)},
                                                         {"u2", entry(keys_[0].behavior, 12)},
                                                         {"u1", entry(no_text_key().behavior, 13)}};
    ASSERT_TRUE(store->apply_history(updates).is_ok());
    ASSERT_TRUE(store->close().is_ok());
  }

  static encoder::BehaviorKey no_text_key() {
    return encoder::make_behavior_key(kSpec.version, "default", "vector without text");
  }

  TempDir dir_;
  const std::string path_ = dir_.path("db");
  std::vector<encoder::BehaviorKey> keys_;
};

TEST_F(StoreCommandTest, StatsPrintsFamiliesVersionsAndOffsets) {
  const CommandOutput r = run(run_store_stats, "bahectl store stats", {"--path", path_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "vectors")) << r.out;
  EXPECT_TRUE(contains(r.out, "texts")) << r.out;
  EXPECT_TRUE(contains(r.out, "0x000000000000abcd  dimension 8  (last opened)")) << r.out;
  EXPECT_TRUE(contains(r.out, "0x0000000000001234  dimension 4\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "partition 3: 14")) << r.out;
}

TEST_F(StoreCommandTest, StatsJsonIsOneObjectWithTheSameFigures) {
  const CommandOutput r = run(run_store_stats, "bahectl store stats", {"--path", path_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(r.out).get(root), simdjson::SUCCESS) << r.out;
  uint64_t n_texts = 0, n_vectors = 0;
  ASSERT_EQ(root["families"]["texts"]["keys_estimate"].get(n_texts), simdjson::SUCCESS);
  ASSERT_EQ(root["families"]["vectors"]["keys_estimate"].get(n_vectors), simdjson::SUCCESS);
  EXPECT_GE(n_texts, 2u);
  EXPECT_GE(n_vectors, 3u);
  simdjson::dom::array versions;
  ASSERT_EQ(root["encoder_versions"].get(versions), simdjson::SUCCESS);
  ASSERT_EQ(versions.size(), 2u);
  std::string_view last_version;
  bool last = false;
  ASSERT_EQ(versions.at(1)["version"].get(last_version), simdjson::SUCCESS);
  ASSERT_EQ(versions.at(1)["last_opened"].get(last), simdjson::SUCCESS);
  EXPECT_EQ(last_version, "0x000000000000abcd");
  EXPECT_TRUE(last);
  int64_t next_offset = 0;
  ASSERT_EQ(root["applied_offsets"].at(0)["next_offset"].get(next_offset), simdjson::SUCCESS);
  EXPECT_EQ(next_offset, 14);
}

TEST_F(StoreCommandTest, GetByTextNormalizesAndPrintsVectorAndText) {
  const CommandOutput r =
      run(run_store_get, "bahectl store get", {"--path", path_, "--feature", "search", "--text", " café Lisbon "});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "behavior   " + keys_[1].behavior.hex())) << r.out;
  EXPECT_TRUE(contains(r.out, "vector     found")) << r.out;
  EXPECT_TRUE(contains(r.out, "dtype      bf16")) << r.out;
  EXPECT_TRUE(contains(r.out, "dimension  8")) << r.out;
  double sum_squares = 0;
  for (const float x : encoder::testing::test_vector(kSpec.dimension, 1)) sum_squares += static_cast<double>(x) * x;
  std::ostringstream norm;
  norm << "norm       " << std::sqrt(sum_squares) << "\n";
  EXPECT_TRUE(contains(r.out, norm.str())) << r.out;
  EXPECT_TRUE(contains(r.out, "text       search: \"caf\u00E9 Lisbon\"")) << r.out;
}

TEST_F(StoreCommandTest, GetByKeyReportsAMissingTextAndAMissingVector) {
  CommandOutput r = run(run_store_get, "bahectl store get", {"--path", path_, "--key", no_text_key().behavior.hex()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "vector     found")) << r.out;
  EXPECT_TRUE(contains(r.out, "text       -")) << r.out;

  // The same behavior under the old version (a full 48-digit key): no vector.
  const encoder::BehaviorKey old_key{kOldSpec.version, keys_[0].behavior};
  r = run(run_store_get, "bahectl store get", {"--path", path_, "--key", old_key.hex()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "encoder    0x0000000000001234 (dimension 4)")) << r.out;
  EXPECT_TRUE(contains(r.out, "vector     not found")) << r.out;
  EXPECT_TRUE(contains(r.out, "text       default: \"Heat (1995) | Action\"")) << r.out;
}

TEST_F(StoreCommandTest, GetRefusesBadFlagsAndUnknownVersions) {
  EXPECT_EQ(run(run_store_get, "bahectl store get", {"--path", path_}).exit_code, 2);
  EXPECT_EQ(run(run_store_get, "bahectl store get", {"--path", path_, "--key", "xyz"}).exit_code, 2);
  EXPECT_EQ(run(run_store_get, "bahectl store get", {"--path", path_, "--key", "00", "--feature", "f"}).exit_code, 2);
  const CommandOutput r = run(run_store_get, "bahectl store get",
                              {"--path", path_, "--encoder-version", "0x99", "--key", keys_[0].behavior.hex()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "0x0000000000000099 is not recorded")) << r.err;
}

TEST_F(StoreCommandTest, HistoryPrintsEntriesOldestFirstWithTimesAndTexts) {
  const CommandOutput r = run(run_store_history, "bahectl store history", {"--path", path_, "--user", "u1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "3 entries, oldest first")) << r.out;
  const size_t first = r.out.find("2023-11-14T22:13:20.010Z");
  const size_t second = r.out.find("2023-11-14T22:13:20.011Z");
  const size_t third = r.out.find("2023-11-14T22:13:20.013Z");
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(second, std::string::npos) << r.out;
  ASSERT_NE(third, std::string::npos) << r.out;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_TRUE(contains(r.out, "clicked  " + keys_[0].behavior.hex() + "  default: \"Heat (1995) | Action\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "none     " + keys_[1].behavior.hex())) << r.out;
  EXPECT_TRUE(contains(r.out, no_text_key().behavior.hex() + "  -")) << r.out;

  const CommandOutput newest =
      run(run_store_history, "bahectl store history", {"--path", path_, "--user", "u1", "--max", "1"});
  ASSERT_EQ(newest.exit_code, 0) << newest.err;
  EXPECT_TRUE(contains(newest.out, "1 entry")) << newest.out;
  EXPECT_FALSE(contains(newest.out, "2023-11-14T22:13:20.010Z")) << newest.out;

  const CommandOutput nobody = run(run_store_history, "bahectl store history", {"--path", path_, "--user", "nobody"});
  ASSERT_EQ(nobody.exit_code, 0) << nobody.err;
  EXPECT_TRUE(contains(nobody.out, "0 entries")) << nobody.out;
}

TEST(StoreCommand, EverySubcommandHasHelp) {
  for (auto* command : {run_store_stats, run_store_get, run_store_history}) {
    const CommandOutput r = run(command, "bahectl store x", {"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "--path")) << r.out;
    EXPECT_TRUE(contains(r.out, "read-only")) << r.out;
  }
}

TEST(StoreCommand, FailsOnAMissingStore) {
  TempDir dir;
  const CommandOutput r = run(run_store_stats, "bahectl store stats", {"--path", dir.path("missing")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "opening behavior store")) << r.err;
}

TEST(StoreInspection, FormatsTimesVersionsAndParsesKeys) {
  EXPECT_EQ(iso8601_utc(1'700'000'000'000), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(version_hex(0xABCD), "0x000000000000abcd");
  EXPECT_EQ(parse_version("0xabcd"), 0xABCDu);
  EXPECT_EQ(parse_version("43981"), 0xABCDu);
  EXPECT_FALSE(parse_version("0x").has_value());
  EXPECT_FALSE(parse_version("12ab").has_value());
  EXPECT_EQ(parse_hex_bytes("00ff10", 3), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(parse_hex_bytes("00ff1", 3).has_value());
  EXPECT_FALSE(parse_hex_bytes("00fg10", 3).has_value());
}

}  // namespace
}  // namespace bahed::ctl
