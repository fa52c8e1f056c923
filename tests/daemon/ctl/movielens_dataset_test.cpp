#include "daemon/ctl/movielens_dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/ctl/debian_package.h"
#include "daemon/ctl/r_data_reader.h"

namespace bahed::ctl {
namespace {

TEST(MovieLensItemText, JoinsGenresWhenTitleAndYearPresent) {
  EXPECT_EQ(movielens_item_text("Heat", 1995, 6, "Action|Crime|Thriller"), "Heat (1995) | Action, Crime, Thriller");
  EXPECT_EQ(movielens_item_text("Heat", std::nullopt, 6, "Action"), "Heat | Action");
  EXPECT_EQ(movielens_item_text("Heat", 1995, 6, "(no genres listed)"), "Heat (1995)");
  EXPECT_EQ(movielens_item_text(std::nullopt, std::nullopt, 108583, "Comedy"), "Movie 108583 | Comedy");
  EXPECT_EQ(movielens_item_text("Heat", 1995, 6, std::nullopt), "Heat (1995)");
}

RColumn int_column(std::string name, std::vector<int32_t> values) {
  RColumn c;
  c.name = std::move(name);
  c.type = RType::kInteger;
  c.ints = std::move(values);
  return c;
}

RDataFrame small_frame() {
  RDataFrame f;
  f.n_rows = 3;
  f.columns.push_back(int_column("movieId", {5, 3, 4}));
  RColumn title;
  title.name = "title";
  title.type = RType::kString;
  title.strings = {"E", "C", std::nullopt};
  f.columns.push_back(title);
  f.columns.push_back(int_column("year", {2001, kRNaInteger, 1999}));
  RColumn genres = title;
  genres.name = "genres";
  genres.strings = {"Drama", "Comedy|Drama", "(no genres listed)"};
  f.columns.push_back(genres);
  f.columns.push_back(int_column("userId", {10, 9, 10}));
  RColumn rating;
  rating.name = "rating";
  rating.type = RType::kReal;
  rating.doubles = {4.0, 3.5, 5.0};
  f.columns.push_back(rating);
  f.columns.push_back(int_column("timestamp", {200, 100, 100}));
  return f;
}

TEST(MovieLensDataset, SortsByTimeUserItemAndLabelsWhenGivenFrame) {
  auto d = movielens_from_frame(small_frame());
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->events.size(), 3u);
  // ts 100: u9 before u10 (numeric, not lexicographic); then ts 200.
  EXPECT_EQ(d->events[0].user, "u9");
  EXPECT_EQ(d->events[0].item_id, "m3");
  EXPECT_EQ(d->events[0].item_text, "C | Comedy, Drama");
  EXPECT_EQ(d->events[0].ts_ms, 100000);
  EXPECT_EQ(d->events[0].label, 0);
  EXPECT_EQ(d->events[1].user, "u10");
  EXPECT_EQ(d->events[1].item_text, "Movie 4 (1999)");
  EXPECT_EQ(d->events[2].item_text, "E (2001) | Drama");
  EXPECT_EQ(d->events[2].label, 1);
  EXPECT_EQ(d->ratings, (std::vector<double>{3.5, 5.0, 4.0}));
  EXPECT_EQ(d->stats.n_users, 2);
  EXPECT_EQ(d->stats.n_movies, 3);
  EXPECT_EQ(d->stats.n_positive, 2);
  EXPECT_EQ(d->stats.n_missing_year, 1);
  EXPECT_EQ(d->stats.n_missing_title, 1);
  EXPECT_EQ(d->stats.first_ts_ms, 100000);
  EXPECT_EQ(d->stats.last_ts_ms, 200000);
}

TEST(MovieLensDataset, RejectsFrameWhenUserIsMissing) {
  RDataFrame f = small_frame();
  f.columns[4].ints[1] = kRNaInteger;
  auto d = movielens_from_frame(f);
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("row 2"), std::string::npos) << d.status().to_string();
  f.columns.pop_back();
  EXPECT_EQ(movielens_from_frame(f).status().code(), StatusCode::kInvalidArgument);
}

class MovieLensDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bahed_movielens_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(MovieLensDatasetTest, WritesLogAndStatsWhenDatasetIsSmall) {
  auto d = movielens_from_frame(small_frame());
  ASSERT_TRUE(d.is_ok());
  const std::string out = (dir_ / "ml" / "events.jsonl").string();
  ASSERT_TRUE(write_movielens(*d, out).is_ok());
  std::ifstream log(out);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(log, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"user\":\"u9\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"rating\":3.5"), std::string::npos) << lines[0];
  std::ifstream stats(out + ".stats.json");
  std::string json((std::istreambuf_iterator<char>(stats)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("\"n_ratings\":3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"n_positive\":2"), std::string::npos) << json;
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

TEST_F(MovieLensDatasetTest, ReturnsExistingDirWhenPackageAlreadyExtracted) {
  std::filesystem::create_directories(dir_ / "pkgs" / "r-cran-example");
  auto root = ensure_debian_package("r-cran-example", dir_.string());
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_EQ(*root, (dir_ / "pkgs" / "r-cran-example").string());
}

TEST_F(MovieLensDatasetTest, SuggestsAptUpdateWhenDownloadFails) {
  auto root = ensure_debian_package("r-cran-no-such-package-for-bahed", dir_.string());
  ASSERT_FALSE(root.is_ok());
  EXPECT_EQ(root.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(root.status().message().find("apt-get update"), std::string::npos) << root.status().to_string();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pkgs" / "r-cran-no-such-package-for-bahed"));
}

TEST(DebianPackage, RejectsNameWhenItCouldBeAnOption) {
  for (const char* bad : {"-oDebug=1", "R-cran", "a", "pkg name", "../x"})
    EXPECT_EQ(ensure_debian_package(bad, "unused").status().code(), StatusCode::kInvalidArgument) << bad;
}

// The real data: Debian's r-cran-dslabs, fetched (once) into the test data
// directory.
TEST(MovieLensDataset, MatchesPublishedCountsWhenReadingRealPackage) {
  auto root = ensure_debian_package("r-cran-dslabs", BAHED_TEST_DATA_DIR);
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  auto d = load_movielens(*root);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  const MovieLensStats& s = d->stats;
  EXPECT_EQ(s.n_ratings, 100004);
  EXPECT_EQ(s.n_users, 671);
  EXPECT_EQ(s.n_movies, 9066);
  EXPECT_EQ(s.n_positive, 51568);  // 51.57%
  EXPECT_NEAR(s.positive_fraction(), 0.516, 0.001);
  EXPECT_EQ(s.n_missing_title, 7);
  EXPECT_EQ(s.first_ts_ms, 789652009000);
  EXPECT_EQ(s.last_ts_ms, 1476640644000);

  const auto& ev = d->events;
  ASSERT_EQ(ev.size(), 100004u);
  EXPECT_TRUE(std::is_sorted(ev.begin(), ev.end(), [](const Event& a, const Event& b) { return a.ts_ms < b.ts_ms; }));
  EXPECT_EQ(ev[0].user, "u383");
  EXPECT_EQ(ev[0].item_id, "m21");
  EXPECT_EQ(ev[0].item_text, "Get Shorty (1995) | Comedy, Crime, Thriller");
  EXPECT_EQ(ev[1].item_id, "m47");  // same second and user: by movie id
  EXPECT_EQ(ev.back().item_text, "Good Will Hunting (1997) | Drama, Romance");

  // Row 1 of the R data frame: user 1 gave Dangerous Minds 2.5 stars.
  const auto it = std::find_if(ev.begin(), ev.end(), [](const Event& e) { return e.user == "u1" && e.item_id == "m31"; });
  ASSERT_NE(it, ev.end());
  EXPECT_EQ(it->item_text, "Dangerous Minds (1995) | Drama");
  EXPECT_EQ(it->ts_ms, 1260759144000);
  EXPECT_EQ(it->label, 0);
  EXPECT_EQ(d->ratings[static_cast<size_t>(it - ev.begin())], 2.5);
  for (const Event& e : ev) {
    ASSERT_EQ(e.type, EventType::kImpression);
    ASSERT_FALSE(e.item_text.empty());
  }
}

TEST(JaneAusten, ReadsNovelLinesWhenReadingRealPackage) {
  auto root = ensure_debian_package("r-cran-janeaustenr", BAHED_TEST_DATA_DIR);
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  auto db = LazyLoadDb::open(*root + "/usr/lib/R/site-library/janeaustenr/data");
  ASSERT_TRUE(db.is_ok()) << db.status().to_string();
  EXPECT_EQ(db->names(), (std::vector<std::string>{"emma", "mansfieldpark", "northangerabbey", "persuasion",
                                                    "prideprejudice", "sensesensibility"}));
  for (const std::string& name : db->names()) {
    auto v = db->read(name);
    ASSERT_TRUE(v.is_ok()) << name << ": " << v.status().to_string();
    auto lines = r_strings(**v);
    ASSERT_TRUE(lines.is_ok()) << name;
    EXPECT_GT(lines->size(), 5000u) << name;
  }
  auto pride = db->read("prideprejudice");
  ASSERT_TRUE(pride.is_ok());
  auto lines = r_strings(**pride);
  ASSERT_TRUE(lines.is_ok());
  ASSERT_EQ(lines->size(), 13030u);
  EXPECT_EQ((*lines)[0], "PRIDE AND PREJUDICE");
  EXPECT_EQ((*lines)[9], "It is a truth universally acknowledged, that a single man in possession");
  auto emma = db->read("emma");
  ASSERT_TRUE(emma.is_ok());
  EXPECT_EQ((*emma)->strings.size(), 16235u);
  EXPECT_EQ((*emma)->strings[0], "EMMA");
}

}  // namespace
}  // namespace bahed::ctl
