#pragma once
// MovieLens as contract-v1 events: the 2016 "latest-small" ratings with
// titles and genres, read from the `movielens` data frame of Debian's
// r-cran-dslabs (columns movieId, title, year, genres, userId, rating,
// timestamp), each rating one impression (click = rating >= 4).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/result.h"
#include "common/status.h"
#include "daemon/ctl/r_data_reader.h"

namespace bahed::ctl {

// Where r-cran-dslabs keeps its lazy-load database, under the package root.
inline constexpr std::string_view kDslabsDataDir = "usr/lib/R/site-library/dslabs/data";
inline constexpr std::string_view kMovieLensObject = "movielens";
// A rating at or above this counts as a click (label 1).
inline constexpr double kMovieLensPositiveRating = 4.0;

struct MovieLensStats {
  int64_t n_ratings = 0;
  int64_t n_users = 0;
  int64_t n_movies = 0;
  int64_t n_positive = 0;       // ratings >= kMovieLensPositiveRating
  int64_t n_missing_year = 0;   // rows whose year is NA (text omits it)
  int64_t n_missing_title = 0;  // rows whose title is NA (text says "Movie <id>")
  int64_t first_ts_ms = 0;
  int64_t last_ts_ms = 0;

  double positive_fraction() const { return n_ratings ? double(n_positive) / double(n_ratings) : 0.0; }
};

struct MovieLensDataset {
  // Impressions sorted by (ts, numeric user id, numeric movie id), stable.
  std::vector<Event> events;
  std::vector<double> ratings;  // parallel to events, the raw 0.5..5 stars
  MovieLensStats stats;
};

// The item text: "Title (year) | Genre, Genre". The year is left out when
// NA; "(no genres listed)" or NA genres leave out the " | ..." part; an NA
// title becomes "Movie <movie_id>".
std::string movielens_item_text(const std::optional<std::string>& title, std::optional<int64_t> year,
                                int64_t movie_id, const std::optional<std::string>& genres);

// Converts the data frame. Missing user, movie, rating or timestamp values
// are Corruption (naming the row); missing columns are InvalidArgument.
Result<MovieLensDataset> movielens_from_frame(const RDataFrame& frame);

// Reads `movielens` from an extracted r-cran-dslabs (see
// ensure_debian_package) and converts it.
Result<MovieLensDataset> load_movielens(const std::string& package_root);

// The stats as one JSON object.
std::string movielens_stats_json(const MovieLensStats& stats);
// The stats as a small human-readable table (several lines).
std::string format_movielens_stats(const MovieLensStats& stats);

// Writes the events as JSON lines to `out_path` (with each rating as an
// informational field) and the stats to `<out_path>.stats.json`; both appear
// under their final names only once complete.
Status write_movielens(const MovieLensDataset& dataset, const std::string& out_path);

}  // namespace bahed::ctl
