#include "daemon/ctl/synth_dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/ctl/event_log_writer.h"

namespace bahed::ctl {
namespace {

// Rank-based AUC (ties share their mean rank).
double auc(std::vector<std::pair<double, int>> scored) {
  std::sort(scored.begin(), scored.end());
  double positive_rank_sum = 0;
  double n_pos = 0, n_neg = 0;
  for (size_t i = 0; i < scored.size();) {
    size_t j = i;
    while (j < scored.size() && scored[j].first == scored[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + j - 1) / 2.0) + 1.0;
    for (size_t k = i; k < j; ++k) {
      if (scored[k].second) {
        positive_rank_sum += mean_rank;
        ++n_pos;
      } else {
        ++n_neg;
      }
    }
    i = j;
  }
  return (positive_rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg);
}

// "Title (year) | A, B" -> {A, B}.
std::vector<std::string> genres_of(const std::string& text) {
  std::vector<std::string> out;
  const size_t bar = text.rfind(" | ");
  if (bar == std::string::npos) return out;
  size_t start = bar + 3;
  for (size_t comma; (comma = text.find(", ", start)) != std::string::npos; start = comma + 2)
    out.push_back(text.substr(start, comma - start));
  out.push_back(text.substr(start));
  return out;
}

// A small configuration for the paths that write files or vary options.
SynthOptions small_options() {
  SynthOptions o;
  o.n_users = 50;
  o.n_items = 200;
  o.n_ratings = 2000;
  o.rating_histogram = {100, 200, 500, 700, 500};
  o.min_ratings_per_user = 20;
  o.max_ratings_per_user = 150;
  return o;
}

class SynthDatasetTest : public ::testing::Test {
 protected:
  // Scale 1 is about a second to generate; every test reads the same one.
  static void SetUpTestSuite() {
    auto d = generate_synth_dataset(SynthOptions{});
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    dataset_ = new SynthDataset(std::move(d).value());
    stats_ = new SynthStats(compute_synth_stats(*dataset_));
  }
  static void TearDownTestSuite() {
    delete dataset_;
    delete stats_;
    dataset_ = nullptr;
    stats_ = nullptr;
  }
  static const SynthDataset& ds() { return *dataset_; }
  static const SynthStats& stats() { return *stats_; }

 private:
  static inline SynthDataset* dataset_ = nullptr;
  static inline SynthStats* stats_ = nullptr;
};

TEST_F(SynthDatasetTest, MatchesMovieLens1MCountsAndHistogramExactlyAtScaleOne) {
  EXPECT_EQ(stats().n_ratings, 1000209);
  EXPECT_EQ(ds().ratings.size(), 1000209u);
  EXPECT_EQ(stats().n_users, 6040);
  EXPECT_EQ(stats().n_items, 3706);
  const std::array<int64_t, 5> ml1m = {56174, 107557, 261197, 348971, 226310};
  EXPECT_EQ(stats().histogram, ml1m);
  EXPECT_NEAR(stats().positive_fraction, 0.5752, 0.0001);
}

TEST_F(SynthDatasetTest, GivesEveryUserTwentyRatingsAndALongTailWhenDefault) {
  EXPECT_GE(stats().min_ratings_per_user, 20);
  EXPECT_LE(stats().max_ratings_per_user, 2314);
  // ML-1M: median 96, mean 165.6, max 2314.
  EXPECT_GT(stats().median_ratings_per_user, 80);
  EXPECT_LT(stats().median_ratings_per_user, 115);
  EXPECT_NEAR(stats().mean_ratings_per_user, 165.6, 0.1);
  EXPECT_GT(stats().max_ratings_per_user, 15 * stats().median_ratings_per_user);
  // Zipf-like items: a head far above the median, a tail of rarely rated ones.
  EXPECT_GT(stats().max_ratings_per_item, 10 * stats().median_ratings_per_item);
  EXPECT_LT(stats().min_ratings_per_item, 5);
}

TEST_F(SynthDatasetTest, NeverRepeatsAUserItemPair) {
  std::vector<uint64_t> pairs;
  pairs.reserve(ds().ratings.size());
  for (const auto& r : ds().ratings) pairs.push_back(uint64_t{r.user} << 32 | r.item);
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end());
}

TEST_F(SynthDatasetTest, SortsByTimeUserItemWithinTheRange) {
  const auto key = [](const SynthRating& r) { return std::make_tuple(uint32_t{r.ts_offset_s}, r.user, r.item); };
  EXPECT_TRUE(std::is_sorted(ds().ratings.begin(), ds().ratings.end(),
                             [&](const SynthRating& a, const SynthRating& b) { return key(a) < key(b); }));
  EXPECT_GE(stats().first_ts_ms, ds().options.start_ts_ms);
  EXPECT_LT(stats().last_ts_ms, ds().options.end_ts_ms);
  // Like ML-1M (users joined in 2000), most ratings fall in 2000, some later.
  const int64_t year_2001_ms = 978307200000;
  const auto n_2000 = std::count_if(ds().ratings.begin(), ds().ratings.end(),
                                    [&](const SynthRating& r) { return ds().ts_ms(r) < year_2001_ms; });
  EXPECT_GT(n_2000, 800000);
  EXPECT_LT(n_2000, 1000209);
}

TEST_F(SynthDatasetTest, GivesEachUserStrictlyIncreasingTimes) {
  std::vector<int64_t> last(static_cast<size_t>(stats().n_users), -1);
  for (const auto& r : ds().ratings) {
    ASSERT_LT(last[r.user], int64_t{r.ts_offset_s}) << "user " << r.user;
    last[r.user] = r.ts_offset_s;
  }
}

TEST_F(SynthDatasetTest, LabelFollowsTheLatentScore) {
  std::vector<std::pair<double, int>> scored;
  scored.reserve(ds().ratings.size());
  for (const auto& r : ds().ratings) scored.emplace_back(ds().latent_score(r.user, r.item), r.rating >= 4);
  EXPECT_GT(auc(scored), 0.8);
}

// The text alone carries signal: a user's liking for genres, learned from the
// first half of their ratings, ranks the second half better than chance.
TEST_F(SynthDatasetTest, ItemGenresPredictLabelWhenProfiledFromEarlierRatings) {
  const auto& rs = ds().ratings;
  std::vector<std::vector<size_t>> by_user(static_cast<size_t>(stats().n_users));
  for (size_t j = 0; j < rs.size(); ++j) by_user[rs[j].user].push_back(j);
  std::vector<std::pair<double, int>> scored;
  for (const auto& idx : by_user) {
    const size_t half = idx.size() / 2;
    double mean = 0;
    for (size_t k = 0; k < half; ++k) mean += rs[idx[k]].rating >= 4;
    mean /= static_cast<double>(half);
    std::unordered_map<std::string, std::pair<double, double>> profile;  // genre -> (sum of centered labels, n)
    for (size_t k = 0; k < half; ++k)
      for (const auto& g : genres_of(ds().item_texts[rs[idx[k]].item])) {
        profile[g].first += (rs[idx[k]].rating >= 4) - mean;
        profile[g].second += 1;
      }
    for (size_t k = half; k < idx.size(); ++k) {
      double score = 0;
      for (const auto& g : genres_of(ds().item_texts[rs[idx[k]].item]))
        if (auto it = profile.find(g); it != profile.end()) score += it->second.first / (it->second.second + 5.0);
      scored.emplace_back(score, rs[idx[k]].rating >= 4);
    }
  }
  EXPECT_GT(auc(scored), 0.55);
}

TEST_F(SynthDatasetTest, WritesDistinctPlausibleItemTexts) {
  const std::set<std::string> ml_genres = {"Action",   "Adventure", "Animation", "Children's", "Comedy",  "Crime",
                                           "Documentary", "Drama",  "Fantasy",   "Film-Noir",  "Horror",  "Musical",
                                           "Mystery",  "Romance",   "Sci-Fi",    "Thriller",   "War",     "Western"};
  const std::regex shape(R"((.+) \((\d{4})\) \| (.+))");
  std::unordered_set<std::string> titles;
  ASSERT_EQ(ds().item_texts.size(), 3706u);
  for (const auto& text : ds().item_texts) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(text, m, shape)) << text;
    EXPECT_TRUE(titles.insert(m[1].str()).second) << "repeated title: " << text;
    const int year = std::stoi(m[2].str());
    EXPECT_GE(year, 1919) << text;
    EXPECT_LE(year, 2000) << text;
    const auto genres = genres_of(text);
    EXPECT_GE(genres.size(), 1u) << text;
    EXPECT_LE(genres.size(), 3u) << text;
    for (const auto& g : genres) EXPECT_TRUE(ml_genres.count(g)) << text;
  }
}

TEST_F(SynthDatasetTest, RepeatsTheLogWhenSeedRepeatsAndChangesItOtherwise) {
  auto again = generate_synth_dataset(SynthOptions{});
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(compute_synth_stats(*again), stats());
  for (size_t j = 0; j < 10000; ++j) {
    const auto& a = ds().ratings[j];
    const auto& b = again->ratings[j];
    ASSERT_EQ(event_to_json(ds().to_event(a), a.rating), event_to_json(again->to_event(b), b.rating)) << j;
  }
  EXPECT_EQ(ds().item_texts, again->item_texts);

  SynthOptions other;
  other.seed = 43;
  auto different = generate_synth_dataset(other);
  ASSERT_TRUE(different.is_ok());
  EXPECT_NE(compute_synth_stats(*different), stats());
  EXPECT_NE(ds().item_texts, different->item_texts);
  size_t n_same = 0;
  for (size_t j = 0; j < 1000; ++j)
    n_same += ds().ratings[j].user == different->ratings[j].user && ds().ratings[j].item == different->ratings[j].item;
  EXPECT_LT(n_same, 10u);
}

TEST(SynthDataset, ConvertsARatingToAnImpression) {
  auto d = generate_synth_dataset(small_options());
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  const SynthRating& r = d->ratings.front();
  const Event e = d->to_event(r);
  EXPECT_EQ(e.type, EventType::kImpression);
  // Ids are 1-based on the wire, like MovieLens's.
  EXPECT_EQ(e.user, std::string("s").append(std::to_string(r.user + 1)));
  EXPECT_EQ(e.item_id, std::string("i").append(std::to_string(r.item + 1)));
  EXPECT_EQ(e.item_text, d->item_texts[r.item]);
  EXPECT_EQ(e.ts_ms, d->options.start_ts_ms + int64_t{r.ts_offset_s} * 1000);
  EXPECT_EQ(e.label, r.rating >= 4 ? 1 : 0);
}

TEST(SynthDataset, MultipliesCountsAndHistogramWhenScaled) {
  SynthOptions o = small_options();
  o.scale = 3;
  auto d = generate_synth_dataset(o);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  const SynthStats s = compute_synth_stats(*d);
  EXPECT_EQ(s.n_ratings, 6000);
  EXPECT_EQ(s.n_users, 150);
  EXPECT_EQ(s.n_items, 600);
  const std::array<int64_t, 5> tripled = {300, 600, 1500, 2100, 1500};
  EXPECT_EQ(s.histogram, tripled);
  EXPECT_GE(s.min_ratings_per_user, 20);
}

TEST(SynthDataset, RejectsOptionsThatCannotBeMet) {
  auto expect_invalid = [](SynthOptions o) {
    EXPECT_EQ(o.validate().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(generate_synth_dataset(o).status().code(), StatusCode::kInvalidArgument);
  };
  EXPECT_TRUE(SynthOptions{}.validate().is_ok());
  SynthOptions o = small_options();
  o.rating_histogram[0] += 1;  // no longer sums to n_ratings
  expect_invalid(o);
  o = small_options();
  o.scale = 0;
  expect_invalid(o);
  o = small_options();
  o.max_ratings_per_user = 201;  // more than there are items
  expect_invalid(o);
  o = small_options();
  o.min_ratings_per_user = 41;  // 50 users * 41 > 2000 ratings
  expect_invalid(o);
  o = small_options();
  o.noise_stddev = -1;
  expect_invalid(o);
  o = small_options();
  o.end_ts_ms = o.start_ts_ms;
  expect_invalid(o);
}

TEST(SynthDataset, WritesEventLogAndStatsWhenGivenAPath) {
  auto d = generate_synth_dataset(small_options());
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  const auto dir = std::filesystem::temp_directory_path() / ("synth_dataset_test_" + std::to_string(::getpid()));
  const std::string path = (dir / "sub" / "events.jsonl").string();
  ASSERT_TRUE(write_synth_event_log(*d, path, nullptr).is_ok());
  const SynthStats s = compute_synth_stats(*d);
  ASSERT_TRUE(write_synth_stats(s, d->options, path + ".stats.json").is_ok());

  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ASSERT_LT(n, d->ratings.size());
    const SynthRating& r = d->ratings[n];
    EXPECT_EQ(line, event_to_json(d->to_event(r), r.rating)) << n;
    EXPECT_NE(line.find("\"rating\":"), std::string::npos);
    ++n;
  }
  EXPECT_EQ(n, 2000u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  std::ifstream stats_in(path + ".stats.json");
  const std::string json((std::istreambuf_iterator<char>(stats_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(json, synth_stats_json(s, d->options) + "\n");
  EXPECT_NE(json.find("\"n_ratings\":2000"), std::string::npos);
  EXPECT_NE(json.find("\"rating_histogram\":[100,200,500,700,500]"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bahed::ctl
