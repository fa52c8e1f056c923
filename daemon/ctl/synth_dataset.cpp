// The generator runs in stages, each a function below: user activity counts,
// item popularity, item catalog (genres, title, factors), user factors,
// per-user item sampling and session times, item coverage, scoring, rating by
// global rank, and the final sort by time. Every stage draws from its own
// random stream (derive_seed), so changing one stage does not reshuffle the
// others. The random draws are in synth_random.h, the titles in
// synth_titles.cpp; the stages stay together (over 400 lines) because they
// are one pipeline over one dataset; no function exceeds 60 lines.
#include "daemon/ctl/synth_dataset.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <numbers>
#include <random>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "common/atomic_file.h"
#include "common/json_writer.h"
#include "daemon/ctl/event_log_writer.h"
#include "daemon/ctl/progress_bar.h"
#include "daemon/ctl/synth_random.h"
#include "daemon/ctl/synth_titles.h"

namespace bahed::ctl {

namespace {

// ML-1M's 18 genres, with how many of its 3,883 movies carry each: the prior
// a synthetic item's genres are drawn from. Alphabetical, as ML lists them.
struct GenreInfo {
  const char* name;
  int n_movies;
};
constexpr GenreInfo kGenres[] = {
    {"Action", 503},   {"Adventure", 283}, {"Animation", 105}, {"Children's", 251}, {"Comedy", 1200},
    {"Crime", 211},    {"Documentary", 127}, {"Drama", 1603},  {"Fantasy", 68},     {"Film-Noir", 44},
    {"Horror", 343},   {"Musical", 114},   {"Mystery", 106},   {"Romance", 471},    {"Sci-Fi", 276},
    {"Thriller", 492}, {"War", 143},       {"Western", 68},
};
constexpr int kNumGenres = static_cast<int>(std::size(kGenres));
// Share of ML-1M movies with 1, 2 and 3 genres (the few with more folded in).
constexpr double kGenreCountWeights[] = {0.53, 0.33, 0.14};
// ML-1M's films date from 1919 to 2000, most from the 1990s: the year is 2000
// minus an exponential gap with this mean (57% land in 1990..2000 as in ML-1M).
constexpr int kLastYear = 2000;
constexpr int kFirstYear = 1919;
constexpr double kMeanYearsBeforeLast = 13.0;

// One random stream per (stage, index), so stages stay independent.
enum class Stream : uint64_t {
  kActivity = 1,
  kPopularity,
  kGenreVectors,
  kItem,
  kTitle,
  kUser,
  kSample,
  kCoverage,
  kNoise,
};

uint64_t derive_seed(uint64_t seed, Stream stream, uint64_t index) {
  return splitmix64(splitmix64(seed ^ (static_cast<uint64_t>(stream) << 56)) + index);
}

// Splits `total` into integers close to `share` (which sums to it up to
// rounding), each in [0, cap]: round down, then hand the remainder to the
// largest fractions (or take back from the smallest if rounding overshot).
std::vector<int64_t> round_to_total(const std::vector<double>& share, int64_t total, int64_t cap) {
  const size_t n = share.size();
  std::vector<int64_t> count(n);
  int64_t assigned = 0;
  for (size_t u = 0; u < n; ++u) assigned += count[u] = std::min(cap, static_cast<int64_t>(std::floor(share[u])));
  std::vector<uint32_t> order(n);
  for (size_t u = 0; u < n; ++u) order[u] = static_cast<uint32_t>(u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const double fa = share[a] - std::floor(share[a]), fb = share[b] - std::floor(share[b]);
    return fa != fb ? fa > fb : a < b;
  });
  for (size_t i = 0; assigned < total; i = (i + 1) % n)
    if (count[order[i]] < cap) ++count[order[i]], ++assigned;
  for (size_t i = n - 1; assigned > total; i = (i + n - 1) % n)
    if (count[order[i]] > 0) --count[order[i]], --assigned;
  return count;
}

// Ratings per user: the minimum plus a share of the rest in proportion to a
// truncated log-normal activity above its floor, capped, with the total
// exact. Capped users' excess is re-spread over the others until no one
// exceeds the cap.
std::vector<uint32_t> allocate_user_counts(const SynthOptions& o) {
  const auto n = static_cast<size_t>(o.scaled_n_users());
  const int64_t extra = o.scaled_n_ratings() - o.min_ratings_per_user * o.scaled_n_users();
  const double cap = static_cast<double>(o.max_ratings_per_user - o.min_ratings_per_user);
  SynthRng rng(derive_seed(o.seed, Stream::kActivity, 0));
  std::vector<double> weight(n);
  for (auto& w : weight) {
    double z = rng.normal();
    while (z < o.user_activity_floor_z) z = rng.normal();
    // Activity above the floor, so the least active users get the minimum;
    // the 1e-9 keeps a sigma of 0 (everyone equal) well defined.
    w = std::exp(o.user_activity_sigma * z) - std::exp(o.user_activity_sigma * o.user_activity_floor_z) + 1e-9;
  }
  std::vector<char> capped(n, 0);
  std::vector<double> share(n);
  for (bool changed = true; changed;) {
    changed = false;
    double active_weight = 0;
    int64_t n_capped = 0;
    for (size_t u = 0; u < n; ++u) {
      if (capped[u]) ++n_capped;
      else active_weight += weight[u];
    }
    const double remaining = static_cast<double>(extra) - cap * static_cast<double>(n_capped);
    for (size_t u = 0; u < n; ++u) {
      share[u] = capped[u] ? cap : remaining * weight[u] / active_weight;
      if (!capped[u] && share[u] > cap) capped[u] = 1, changed = true;
    }
  }
  const std::vector<int64_t> count = round_to_total(share, extra, static_cast<int64_t>(cap));
  std::vector<uint32_t> out(n);
  for (size_t u = 0; u < n; ++u) out[u] = static_cast<uint32_t>(o.min_ratings_per_user + count[u]);
  return out;
}

// Zipf-like popularity over a random permutation of items, as a function of
// the rank fraction so that the shape does not change with scale.
std::vector<double> make_item_popularity(const SynthOptions& o) {
  const auto n = static_cast<size_t>(o.scaled_n_items());
  std::vector<uint32_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
  SynthRng rng(derive_seed(o.seed, Stream::kPopularity, 0));
  rng.shuffle(std::span<uint32_t>(perm));
  std::vector<double> popularity(n);
  for (size_t k = 0; k < n; ++k) {
    const double x = (static_cast<double>(k) + 0.5) / static_cast<double>(n);
    const double tail = std::exp(-o.item_popularity_cutoff * std::pow(x, o.item_popularity_tail_power));
    popularity[perm[k]] = std::pow(x + o.item_popularity_offset, -o.item_popularity_exponent) * tail;
  }
  return popularity;
}

// A draw from `weights` (n entries, summing to `total`), skipping zeros.
int pick_weighted(SynthRng& rng, const double* weights, int n, double total) {
  double x = rng.uniform() * total;
  int last_nonzero = 0;
  for (int g = 0; g < n; ++g) {
    if (weights[g] <= 0) continue;
    if (x < weights[g]) return g;
    x -= weights[g];
    last_nonzero = g;
  }
  return last_nonzero;  // rounding carried x just past the end
}

// 1 to 3 distinct genres drawn from ML-1M's genre frequencies, in
// alphabetical (table) order.
std::vector<int> draw_genres(SynthRng& rng) {
  double u = rng.uniform();
  int n_genres = 1;
  while (n_genres < 3 && u >= kGenreCountWeights[n_genres - 1]) u -= kGenreCountWeights[n_genres++ - 1];
  double weights[kNumGenres];
  double total = 0;
  for (int g = 0; g < kNumGenres; ++g) total += weights[g] = kGenres[g].n_movies;
  std::vector<int> genres;
  for (int k = 0; k < n_genres; ++k) {
    const int g = pick_weighted(rng, weights, kNumGenres, total);
    genres.push_back(g);
    total -= weights[g];
    weights[g] = 0;  // without replacement
  }
  std::sort(genres.begin(), genres.end());
  return genres;
}

int draw_year(SynthRng& rng) {
  for (;;) {
    const int year = kLastYear - static_cast<int>(rng.exponential(kMeanYearsBeforeLast));
    if (year >= kFirstYear) return year;
  }
}

std::string item_text(const std::string& title, int year, const std::vector<int>& genres) {
  std::string text = title + " (" + std::to_string(year) + ") |";
  for (size_t k = 0; k < genres.size(); ++k) text += (k ? ", " : " ") + std::string(kGenres[genres[k]].name);
  return text;
}

// Scales unit-variance factors so that a user-item dot product has unit
// variance whatever the dimension.
float factor_scale(const SynthOptions& o) {
  return static_cast<float>(std::pow(static_cast<double>(o.n_latent_dims), -0.25));
}

// Items: genres first, then a factor that is partly the mean of the genres'
// vectors (so the text predicts it), a bias that favors popular items, and a
// title.
void make_items(const SynthOptions& o, const std::vector<double>& popularity, SynthDataset* ds) {
  const auto n = static_cast<size_t>(o.scaled_n_items());
  const auto d = static_cast<size_t>(o.n_latent_dims);
  SynthRng genre_rng(derive_seed(o.seed, Stream::kGenreVectors, 0));
  std::vector<double> genre_vectors(kNumGenres * d);
  for (auto& x : genre_vectors) x = genre_rng.normal();
  double log_mean = 0, log_sq = 0;
  for (double p : popularity) log_mean += std::log(p), log_sq += std::log(p) * std::log(p);
  log_mean /= static_cast<double>(n);
  const double log_std = std::sqrt(std::max(1e-12, log_sq / static_cast<double>(n) - log_mean * log_mean));
  const double genre_w = std::sqrt(o.genre_factor_share), own_w = std::sqrt(1.0 - o.genre_factor_share);
  const float scale = factor_scale(o);
  ds->item_factors.resize(n * d);
  ds->item_bias.resize(n);
  ds->item_texts.resize(n);
  TitleMaker titles;
  SynthRng title_rng(derive_seed(o.seed, Stream::kTitle, 0));
  for (size_t i = 0; i < n; ++i) {
    SynthRng rng(derive_seed(o.seed, Stream::kItem, i));
    const std::vector<int> genres = draw_genres(rng);
    const double norm = 1.0 / std::sqrt(static_cast<double>(genres.size()));
    for (size_t j = 0; j < d; ++j) {
      double g = 0;
      for (int k : genres) g += genre_vectors[static_cast<size_t>(k) * d + j];
      ds->item_factors[i * d + j] = static_cast<float>(genre_w * g * norm + own_w * rng.normal()) * scale;
    }
    const double pop_z = (std::log(popularity[i]) - log_mean) / log_std;
    ds->item_bias[i] = static_cast<float>(o.item_bias_stddev * rng.normal() + o.popularity_bias_weight * pop_z);
    ds->item_texts[i] = item_text(titles.make(title_rng), draw_year(rng), genres);
  }
}

void make_users(const SynthOptions& o, SynthDataset* ds) {
  const auto n = static_cast<size_t>(o.scaled_n_users());
  const auto d = static_cast<size_t>(o.n_latent_dims);
  const float scale = factor_scale(o);
  ds->user_factors.resize(n * d);
  ds->user_bias.resize(n);
  for (size_t u = 0; u < n; ++u) {
    SynthRng rng(derive_seed(o.seed, Stream::kUser, u));
    for (size_t j = 0; j < d; ++j) ds->user_factors[u * d + j] = static_cast<float>(rng.normal()) * scale;
    ds->user_bias[u] = static_cast<float>(o.user_bias_stddev * rng.normal());
  }
}

// Draws k distinct items by popularity without replacement. Light users (k
// small next to the catalog) use alias draws with rejection of repeats; heavy
// users, or a rejection run that stalls on an exhausted head, use
// Efraimidis-Spirakis keys (exponential / weight, k smallest) over all items.
class ItemSampler {
 public:
  explicit ItemSampler(const std::vector<double>& popularity)
      : popularity_(popularity), alias_(popularity), stamp_(popularity.size(), 0) {}

  void sample(uint32_t k, SynthRng& rng, std::vector<uint32_t>* out) {
    out->clear();
    const size_t n = popularity_.size();
    if (static_cast<size_t>(k) * 8 <= n) {
      ++stamp_id_;  // fresh "already drawn" marks without clearing the array
      const uint64_t max_draws = 64ull * k + 1024;
      for (uint64_t draws = 0; out->size() < k && draws < max_draws; ++draws) {
        const uint32_t i = alias_.sample(rng);
        if (stamp_[i] != stamp_id_) stamp_[i] = stamp_id_, out->push_back(i);
      }
      if (out->size() == k) return;
      out->clear();
    }
    keys_.resize(n);
    for (size_t i = 0; i < n; ++i) keys_[i] = {rng.exponential(1.0) / popularity_[i], static_cast<uint32_t>(i)};
    std::nth_element(keys_.begin(), keys_.begin() + (k - 1), keys_.end());
    for (uint32_t j = 0; j < k; ++j) out->push_back(keys_[j].second);
  }

 private:
  const std::vector<double>& popularity_;
  AliasTable alias_;
  std::vector<uint32_t> stamp_;
  uint32_t stamp_id_ = 0;
  std::vector<std::pair<double, uint32_t>> keys_;
};

// One user's ratings, already in time order: a first visit inside the join
// window, then short gaps inside sessions and long gaps between them. If
// that overruns the range the gaps are shrunk proportionally, keeping at
// least one second between ratings so the order survives.
void assign_times(const SynthOptions& o, SynthRng& rng, std::span<SynthRating> rs) {
  const int64_t span_s = (o.end_ts_ms - o.start_ts_ms) / 1000;
  const auto k = static_cast<int64_t>(rs.size());
  int64_t t0 = static_cast<int64_t>(rng.uniform() * o.join_window_days * 86400.0);
  t0 = std::clamp<int64_t>(t0, 0, span_s - k);
  const int64_t budget = span_s - 1 - t0 - (k - 1);  // seconds available beyond the 1 s minimum gaps
  std::vector<int64_t> gaps(static_cast<size_t>(k), 0);
  int64_t excess = 0;
  const double p_new_session = 1.0 / o.mean_ratings_per_session;
  for (int64_t j = 1; j < k; ++j) {
    const double gap_s = rng.uniform() < p_new_session
                             ? o.median_days_between_sessions * 86400.0 * std::exp(o.session_gap_sigma * rng.normal())
                             : rng.exponential(o.mean_seconds_between_ratings);
    // Capped at the range so the sum cannot overflow; compression handles the rest.
    excess += gaps[j] = static_cast<int64_t>(std::min(gap_s, static_cast<double>(span_s)));
  }
  int64_t t = t0;
  for (int64_t j = 0; j < k; ++j) {
    int64_t extra = gaps[j];
    // Both factors are below 2^29 (gaps are capped at the range), so the product fits.
    if (excess > budget) extra = extra * budget / excess;
    t += j ? 1 + extra : 0;
    rs[j].ts_offset_s = static_cast<uint32_t>(t);
  }
}

// Samples every user's items and times, appending user by user.
void sample_ratings(const SynthOptions& o, const std::vector<uint32_t>& counts,
                    const std::vector<double>& popularity, SynthDataset* ds) {
  ItemSampler sampler(popularity);
  std::vector<uint32_t> items;
  ds->ratings.reserve(static_cast<size_t>(o.scaled_n_ratings()));
  for (size_t u = 0; u < counts.size(); ++u) {
    SynthRng rng(derive_seed(o.seed, Stream::kSample, u));
    sampler.sample(counts[u], rng, &items);
    rng.shuffle(std::span<uint32_t>(items));  // popular items come out first; order must not show it
    const size_t first = ds->ratings.size();
    for (uint32_t i : items) ds->ratings.push_back(SynthRating{.user = static_cast<uint32_t>(u), .item = i});
    assign_times(o, rng, std::span<SynthRating>(ds->ratings).subspan(first));
  }
}

// ML-1M counts only rated movies, so every item gets at least one rating: an
// unrated item takes over a random rating whose item has others to spare.
// The user cannot hold the unrated item already, so no pair repeats.
void cover_every_item(const SynthOptions& o, SynthDataset* ds) {
  std::vector<uint32_t> n_rated(static_cast<size_t>(o.scaled_n_items()), 0);
  for (const auto& r : ds->ratings) ++n_rated[r.item];
  SynthRng rng(derive_seed(o.seed, Stream::kCoverage, 0));
  for (size_t i = 0; i < n_rated.size(); ++i) {
    if (n_rated[i] > 0) continue;
    for (;;) {
      SynthRating& r = ds->ratings[rng.below(ds->ratings.size())];
      if (n_rated[r.item] < 2) continue;
      --n_rated[r.item];
      r.item = static_cast<uint32_t>(i);
      ++n_rated[i];
      break;
    }
  }
}

void score_ratings(const SynthOptions& o, SynthDataset* ds) {
  SynthRng rng(derive_seed(o.seed, Stream::kNoise, 0));
  for (auto& r : ds->ratings)
    r.score = static_cast<float>(ds->latent_score(r.user, r.item) + o.noise_stddev * rng.normal());
}

// Deals ratings out by global rank of score so the histogram is met exactly:
// the lowest h1 scores get 1 star, the next h2 get 2, and so on. Ties in score
// break on (user, item), which is unique, so the split is deterministic.
void assign_ratings_by_rank(const SynthOptions& o, SynthDataset* ds) {
  auto by_score = [](const SynthRating& a, const SynthRating& b) {
    if (a.score != b.score) return a.score < b.score;
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  };
  auto& rs = ds->ratings;
  std::array<size_t, 6> cut{};  // ratings [cut[s-1], cut[s]) get s stars
  for (int s = 1; s <= 5; ++s) cut[s] = cut[s - 1] + static_cast<size_t>(o.rating_histogram[s - 1] * o.scale);
  for (int s = 4; s >= 1; --s) {
    const auto first = rs.begin();
    if (cut[s] > 0 && cut[s] < cut[s + 1]) std::nth_element(first, first + cut[s], first + cut[s + 1], by_score);
  }
  for (int s = 1; s <= 5; ++s)
    for (size_t j = cut[s - 1]; j < cut[s]; ++j) rs[j].rating = static_cast<uint32_t>(s);
}

void sort_by_time(SynthDataset* ds) {
  std::sort(ds->ratings.begin(), ds->ratings.end(), [](const SynthRating& a, const SynthRating& b) {
    if (a.ts_offset_s != b.ts_offset_s) return a.ts_offset_s < b.ts_offset_s;
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  });
}

void fill_event(const SynthDataset& ds, const SynthRating& r, Event* e) {
  e->type = EventType::kImpression;
  e->user = "s" + std::to_string(r.user + 1);
  e->ts_ms = ds.ts_ms(r);
  e->item_id = "i" + std::to_string(r.item + 1);
  e->item_text = ds.item_texts[r.item];
  e->label = r.rating >= 4 ? 1 : 0;
}

std::string iso_utc(int64_t ts_ms) {
  const std::time_t t = static_cast<std::time_t>(ts_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double median_of(std::vector<int64_t> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  if (v.size() % 2) return static_cast<double>(v[mid]);
  const int64_t below = *std::max_element(v.begin(), v.begin() + mid);
  return (static_cast<double>(below) + static_cast<double>(v[mid])) / 2.0;
}

}  // namespace

Status SynthOptions::validate() const {
  auto bad = [](const std::string& what) { return Status::invalid_argument("synth options: " + what); };
  // 32-bit user and item ids, and about 16 GB of ratings, bound the scale.
  if (scale < 1 || scale > 1000) return bad("scale must be in [1, 1000], got " + std::to_string(scale));
  if (n_users < 1 || n_items < 1 || n_ratings < 1) return bad("n_users, n_items and n_ratings must be positive");
  if (n_users > UINT32_MAX / scale || n_items > UINT32_MAX / scale || n_ratings > INT64_MAX / scale)
    return bad("users or items exceed 2^32 (or ratings 2^63) at this scale");
  int64_t hist_sum = 0;
  for (int64_t h : rating_histogram) {
    if (h < 0 || h > n_ratings) return bad("rating_histogram entries must be in [0, n_ratings]");
    hist_sum += h;
  }
  if (hist_sum != n_ratings)
    return bad("rating_histogram sums to " + std::to_string(hist_sum) + ", n_ratings is " + std::to_string(n_ratings));
  if (min_ratings_per_user < 1 || max_ratings_per_user < min_ratings_per_user)
    return bad("need 1 <= min_ratings_per_user <= max_ratings_per_user");
  if (max_ratings_per_user > n_items) return bad("max_ratings_per_user exceeds n_items (a user rates an item once)");
  // Divisions instead of products, which could overflow.
  if (min_ratings_per_user > n_ratings / n_users || max_ratings_per_user < (n_ratings + n_users - 1) / n_users)
    return bad("n_ratings must lie between n_users * min_ratings_per_user and n_users * max_ratings_per_user");
  if (n_latent_dims < 1 || n_latent_dims > 1024) return bad("n_latent_dims must be in [1, 1024]");
  if (!(genre_factor_share >= 0 && genre_factor_share <= 1)) return bad("genre_factor_share must be in [0, 1]");
  for (double v : {user_activity_sigma, user_bias_stddev, item_bias_stddev, popularity_bias_weight, noise_stddev,
                   item_popularity_exponent, item_popularity_cutoff, item_popularity_tail_power,
                   median_days_between_sessions, session_gap_sigma, join_window_days, mean_seconds_between_ratings})
    if (!(v >= 0 && std::isfinite(v))) return bad("spreads, weights, popularity shape and gaps must be finite, >= 0");
  // Keeps the redraw loop short: below 3 sigma, at least 1 draw in 740 is kept.
  if (!(user_activity_floor_z > -8 && user_activity_floor_z < 3))
    return bad("user_activity_floor_z must be in (-8, 3)");
  if (!(item_popularity_offset > 0 && std::isfinite(item_popularity_offset)))
    return bad("item_popularity_offset must be finite and > 0");
  if (!(mean_ratings_per_session >= 1 && std::isfinite(mean_ratings_per_session)) ||
      !(mean_seconds_between_ratings > 0))
    return bad("need mean_ratings_per_session >= 1 and mean_seconds_between_ratings > 0");
  if (start_ts_ms < 0 || end_ts_ms <= start_ts_ms) return bad("need 0 <= start_ts_ms < end_ts_ms");
  const int64_t span_s = (end_ts_ms - start_ts_ms) / 1000;
  if (span_s <= max_ratings_per_user) return bad("time range must hold one rating a second per user");
  if (span_s >= (int64_t{1} << 29)) return bad("time range must be shorter than 2^29 s (17 years)");
  return Status::ok();
}

double SynthDataset::latent_score(uint32_t user, uint32_t item) const {
  const auto d = static_cast<size_t>(options.n_latent_dims);
  const float* u = &user_factors[user * d];
  const float* v = &item_factors[item * d];
  double dot = 0;
  for (size_t j = 0; j < d; ++j) dot += static_cast<double>(u[j]) * v[j];
  return dot + user_bias[user] + item_bias[item];
}

Event SynthDataset::to_event(const SynthRating& r) const {
  Event e;
  fill_event(*this, r, &e);
  return e;
}

Result<SynthDataset> generate_synth_dataset(const SynthOptions& options, const SynthStageCallback& on_stage) {
  BAHED_RETURN_IF_ERROR(options.validate());
  auto stage = [&](std::string_view name) {
    if (on_stage) on_stage(name);
  };
  SynthDataset ds;
  ds.options = options;
  stage("user activity");
  const std::vector<uint32_t> counts = allocate_user_counts(options);
  stage("item catalog");
  const std::vector<double> popularity = make_item_popularity(options);
  make_items(options, popularity, &ds);
  stage("user factors");
  make_users(options, &ds);
  stage("sampling items and times");
  sample_ratings(options, counts, popularity, &ds);
  cover_every_item(options, &ds);
  stage("scoring");
  score_ratings(options, &ds);
  stage("ranking into the histogram");
  assign_ratings_by_rank(options, &ds);
  stage("sorting by time");
  sort_by_time(&ds);
  return ds;
}

SynthStats compute_synth_stats(const SynthDataset& ds) {
  SynthStats s;
  std::vector<int64_t> per_user(static_cast<size_t>(ds.options.scaled_n_users()), 0);
  std::vector<int64_t> per_item(static_cast<size_t>(ds.options.scaled_n_items()), 0);
  s.n_ratings = static_cast<int64_t>(ds.ratings.size());
  s.first_ts_ms = ds.ratings.empty() ? 0 : INT64_MAX;
  s.last_ts_ms = ds.ratings.empty() ? 0 : INT64_MIN;
  for (const auto& r : ds.ratings) {
    ++per_user[r.user];
    ++per_item[r.item];
    if (r.rating >= 1) ++s.histogram[r.rating - 1];
    s.first_ts_ms = std::min(s.first_ts_ms, ds.ts_ms(r));
    s.last_ts_ms = std::max(s.last_ts_ms, ds.ts_ms(r));
  }
  std::erase(per_user, 0);
  std::erase(per_item, 0);
  s.n_users = static_cast<int64_t>(per_user.size());
  s.n_items = static_cast<int64_t>(per_item.size());
  s.positive_fraction = s.n_ratings ? static_cast<double>(s.histogram[3] + s.histogram[4]) / s.n_ratings : 0;
  if (!per_user.empty()) {
    const auto [lo, hi] = std::minmax_element(per_user.begin(), per_user.end());
    s.min_ratings_per_user = *lo;
    s.max_ratings_per_user = *hi;
    s.mean_ratings_per_user = static_cast<double>(s.n_ratings) / static_cast<double>(per_user.size());
  }
  if (!per_item.empty()) {
    const auto [lo, hi] = std::minmax_element(per_item.begin(), per_item.end());
    s.min_ratings_per_item = *lo;
    s.max_ratings_per_item = *hi;
  }
  s.median_ratings_per_user = median_of(std::move(per_user));
  s.median_ratings_per_item = median_of(std::move(per_item));
  return s;
}

std::string format_synth_stats(const SynthStats& s) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "ratings          %lld\n"
                "users            %lld (ratings per user: min %lld, median %.1f, mean %.1f, max %lld)\n"
                "items            %lld (ratings per item: min %lld, median %.1f, max %lld)\n"
                "histogram 1..5   %lld / %lld / %lld / %lld / %lld\n"
                "positives (>=4)  %.2f%%\n"
                "time range       %s .. %s\n",
                static_cast<long long>(s.n_ratings), static_cast<long long>(s.n_users),
                static_cast<long long>(s.min_ratings_per_user), s.median_ratings_per_user, s.mean_ratings_per_user,
                static_cast<long long>(s.max_ratings_per_user), static_cast<long long>(s.n_items),
                static_cast<long long>(s.min_ratings_per_item), s.median_ratings_per_item,
                static_cast<long long>(s.max_ratings_per_item), static_cast<long long>(s.histogram[0]),
                static_cast<long long>(s.histogram[1]), static_cast<long long>(s.histogram[2]),
                static_cast<long long>(s.histogram[3]), static_cast<long long>(s.histogram[4]),
                100.0 * s.positive_fraction, iso_utc(s.first_ts_ms).c_str(), iso_utc(s.last_ts_ms).c_str());
  return buf;
}

std::string synth_stats_json(const SynthStats& s, const SynthOptions& o) {
  JsonWriter w;
  w.begin_object().key("generator").value("bahectl data synth").key("seed").value(o.seed).key("scale").value(o.scale);
  w.key("n_ratings").value(s.n_ratings).key("n_users").value(s.n_users).key("n_items").value(s.n_items);
  w.key("rating_histogram").begin_array();
  for (int64_t h : s.histogram) w.value(h);
  w.end_array().key("positive_fraction").value(s.positive_fraction);
  w.key("ratings_per_user").begin_object().key("min").value(s.min_ratings_per_user);
  w.key("median").value(s.median_ratings_per_user).key("mean").value(s.mean_ratings_per_user);
  w.key("max").value(s.max_ratings_per_user).end_object();
  w.key("ratings_per_item").begin_object().key("min").value(s.min_ratings_per_item);
  w.key("median").value(s.median_ratings_per_item).key("max").value(s.max_ratings_per_item).end_object();
  w.key("first_ts_ms").value(s.first_ts_ms).key("last_ts_ms").value(s.last_ts_ms);
  w.key("first_ts").value(iso_utc(s.first_ts_ms)).key("last_ts").value(iso_utc(s.last_ts_ms));
  w.end_object();
  return w.take();
}

Status write_synth_event_log(const SynthDataset& ds, const std::string& path, ProgressBar* progress) {
  std::unique_ptr<EventLogWriter> writer;
  BAHED_RETURN_IF_ERROR(EventLogWriter::open(path, &writer));
  Event event;  // reused so its strings keep their capacity
  for (const auto& r : ds.ratings) {
    fill_event(ds, r, &event);
    BAHED_RETURN_IF_ERROR(writer->write(event, static_cast<double>(r.rating)));
    if (progress) progress->update(writer->n_written());
  }
  BAHED_RETURN_IF_ERROR(writer->close());
  if (progress) progress->finish(writer->n_written());
  return Status::ok();
}

Status write_synth_stats(const SynthStats& stats, const SynthOptions& options, const std::string& path) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::io_error("creating " + parent.string() + ": " + ec.message());
  return write_file_atomically(path, synth_stats_json(stats, options) + "\n");
}

}  // namespace bahed::ctl
