#pragma once
// SynthDataset: a seeded synthetic rating log shaped like MovieLens-1M, for
// load tests and benchmarks bigger than the real data we can ship.
//
// Contract, for every valid SynthOptions:
// - exactly scaled_n_ratings() ratings, the rating histogram met exactly,
//   every user has at least min_ratings_per_user ratings, every item at least
//   one, and no (user, item) pair occurs twice;
// - ratings per user are long-tailed (log-normal, capped) and item popularity
//   is Zipf-like, as in ML-1M;
// - ratings carry learnable signal: each pair is scored by user and item latent
//   factors plus biases plus noise, and the ratings are dealt out by global rank
//   of that score, so label = (rating >= 4) follows the factors. Item genres
//   (in the item text) are drawn first and make up part of the item factors,
//   so the text carries signal too;
// - each user's ratings come in sessions of increasing time inside
//   [start_ts_ms, end_ts_ms);
// - the result depends only on the options: the same seed gives the same
//   dataset on every platform (std::mt19937_64 with our own distributions; the
//   std:: distributions differ between standard libraries).
//
// Memory: 16 bytes per rating plus O(users + items); 100M ratings (scale 100)
// take about 1.7 GB. Not thread-safe; nothing here starts threads.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/result.h"
#include "common/status.h"

namespace bahed::ctl {

class ProgressBar;

struct SynthOptions {
  // Seed of every random draw. Default: 42.
  uint64_t seed = 42;
  // Multiplies users, items, ratings and each histogram bucket, so the shape
  // (ratings per user, histogram fractions) stays the same at any size.
  // Default: 1.
  int64_t scale = 1;
  // Users at scale 1 (ML-1M). Default: 6040.
  int64_t n_users = 6040;
  // Items at scale 1 (ML-1M's rated movies). Default: 3706.
  int64_t n_items = 3706;
  // Ratings at scale 1; must equal the histogram's sum. Default: 1000209.
  int64_t n_ratings = 1000209;
  // Ratings for 1..5 stars at scale 1 (ML-1M's; 57.5% are >= 4).
  // Default: {56174, 107557, 261197, 348971, 226310}.
  std::array<int64_t, 5> rating_histogram = {56174, 107557, 261197, 348971, 226310};
  // Fewest ratings a user has (ML-1M kept only users with 20 or more).
  // Default: 20.
  int64_t min_ratings_per_user = 20;
  // Most ratings a user has, at any scale (ML-1M's most active user). Bounds
  // the long tail; must not exceed n_items. Default: 2314.
  int64_t max_ratings_per_user = 2314;
  // A user's activity is log-normal with this sigma: larger gives a longer
  // tail and a lower median. With the floor below it gives quartiles 49, 96,
  // 192 (ML-1M: 44, 96, 208). Default: 1.0.
  double user_activity_sigma = 1.0;
  // ML-1M dropped users with fewer than 20 ratings, so activity is a
  // truncated log-normal: draws below this many sigmas are redrawn, and the
  // truncation point maps to min_ratings_per_user. Default: 0.0.
  double user_activity_floor_z = 0.0;
  // Item popularity is (x + offset)^-exponent * exp(-cutoff * x^tail_power)
  // at popularity rank fraction x in (0, 1): Zipf over most of the range, with
  // a steeper last stretch, and the same shape at every scale. A larger
  // exponent concentrates ratings on the head. Default: 1.0.
  double item_popularity_exponent = 1.0;
  // Flattens the head of the popularity curve, so the most popular item is
  // rated by about half the users as in ML-1M. Default: 0.01.
  double item_popularity_offset = 0.01;
  // Strength of the tail cutoff: ML-1M's least rated films have one rating,
  // a pure power law would leave them dozens. Default: 4.0.
  double item_popularity_cutoff = 4.0;
  // How late the cutoff sets in: higher confines it to the last few percent.
  // Default: 4.0.
  double item_popularity_tail_power = 4.0;
  // Dimension of the user and item latent factors. Default: 16.
  int64_t n_latent_dims = 16;
  // Share of an item's factor variance explained by its genres (the rest is
  // item-specific); higher makes the item text more predictive. Default: 0.5.
  double genre_factor_share = 0.5;
  // Spread of per-user rating offsets (harsh vs generous raters), in units of
  // the unit-variance factor score. Default: 0.4.
  double user_bias_stddev = 0.4;
  // Spread of per-item quality offsets. Default: 0.4.
  double item_bias_stddev = 0.4;
  // How much more popular items are liked (ML-1M's popular films rate
  // higher), per standard deviation of log popularity. Default: 0.3.
  double popularity_bias_weight = 0.3;
  // Spread of per-rating noise: what no model can learn. Larger lowers the
  // attainable AUC: 1.0 lets the noise-free score reach about 0.86.
  // Default: 1.0.
  double noise_stddev = 1.0;
  // Start of the time range, ms since the epoch. Default: 956620800000
  // (2000-04-25T00:00:00Z, ML-1M's first day).
  int64_t start_ts_ms = 956620800000;
  // End of the time range, exclusive. Default: 1046476800000
  // (2003-03-01T00:00:00Z, the day after ML-1M's last).
  int64_t end_ts_ms = 1046476800000;
  // A user's first rating falls uniformly in this many days from the start:
  // ML-1M's users all joined in 2000, and most of their ratings came soon
  // after. Default: 251 (2000-04-25 to 2000-12-31).
  double join_window_days = 251.0;
  // Mean ratings per session (one visit). Default: 30.
  double mean_ratings_per_session = 30.0;
  // Mean gap between ratings inside a session, seconds. Default: 40.
  double mean_seconds_between_ratings = 40.0;
  // Median gap between a user's sessions, days. Gaps are log-normal: most
  // returns come within days, a few after months or years (ML-1M's log runs
  // into 2003 though 90% of it is from 2000). Default: 0.5.
  double median_days_between_sessions = 0.5;
  // Log-normal sigma of the gap between sessions: larger makes long absences
  // likelier. Default: 2.0.
  double session_gap_sigma = 2.0;

  Status validate() const;

  int64_t scaled_n_users() const { return n_users * scale; }
  int64_t scaled_n_items() const { return n_items * scale; }
  int64_t scaled_n_ratings() const { return n_ratings * scale; }
};

// One rating, packed to 16 bytes so that 100M fit in memory.
struct SynthRating {
  uint32_t user = 0;             // 0-based; written as "s<user + 1>"
  uint32_t item = 0;             // 0-based; written as "i<item + 1>"
  uint32_t ts_offset_s : 29 = 0; // seconds after SynthOptions::start_ts_ms
  uint32_t rating : 3 = 0;       // 1..5 stars
  float score = 0;               // latent score plus noise: what ratings are ranked by
};
static_assert(sizeof(SynthRating) == 16);

struct SynthDataset {
  SynthOptions options;
  // "Title (year) | Genre, Genre", distinct per item, indexed by item.
  std::vector<std::string> item_texts;
  // Sorted by (ts, user, item).
  std::vector<SynthRating> ratings;
  // The model behind the ratings, kept so tests can measure how much signal
  // the labels carry. Factors are row-major [n, n_latent_dims].
  std::vector<float> user_factors;
  std::vector<float> item_factors;
  std::vector<float> user_bias;
  std::vector<float> item_bias;

  // The noise-free score of a pair: factor dot product plus both biases.
  double latent_score(uint32_t user, uint32_t item) const;
  int64_t ts_ms(const SynthRating& r) const { return options.start_ts_ms + int64_t{r.ts_offset_s} * 1000; }
  // The contract-v1 impression for one rating (label = rating >= 4).
  Event to_event(const SynthRating& r) const;
};

// Called at the start of each generation stage with its name, so a caller
// can report progress on the minute-long scale-100 run.
using SynthStageCallback = std::function<void(std::string_view stage)>;

// Generates the dataset. Fails only if the options are invalid.
Result<SynthDataset> generate_synth_dataset(const SynthOptions& options,
                                            const SynthStageCallback& on_stage = nullptr);

struct SynthStats {
  int64_t n_ratings = 0;
  int64_t n_users = 0;  // users with at least one rating
  int64_t n_items = 0;  // items with at least one rating
  std::array<int64_t, 5> histogram = {};
  double positive_fraction = 0;  // rating >= 4
  int64_t min_ratings_per_user = 0;
  double median_ratings_per_user = 0;
  double mean_ratings_per_user = 0;
  int64_t max_ratings_per_user = 0;
  int64_t min_ratings_per_item = 0;
  double median_ratings_per_item = 0;
  int64_t max_ratings_per_item = 0;
  int64_t first_ts_ms = 0;
  int64_t last_ts_ms = 0;

  bool operator==(const SynthStats&) const = default;
};

SynthStats compute_synth_stats(const SynthDataset& dataset);
// Human-readable, several lines, each ending in '\n'.
std::string format_synth_stats(const SynthStats& stats);
// One JSON object holding the stats and the seed and scale that made them.
std::string synth_stats_json(const SynthStats& stats, const SynthOptions& options);

// Writes every rating as an impression, in order, with its rating as an
// informational field, through EventLogWriter (atomic rename on success).
// `progress` may be null.
Status write_synth_event_log(const SynthDataset& dataset, const std::string& path, ProgressBar* progress);
// Writes synth_stats_json to `path` via a temporary file and rename.
Status write_synth_stats(const SynthStats& stats, const SynthOptions& options, const std::string& path);

}  // namespace bahed::ctl
