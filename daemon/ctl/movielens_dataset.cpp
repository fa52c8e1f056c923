#include "daemon/ctl/movielens_dataset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <numeric>
#include <unordered_set>

#include "common/atomic_file.h"
#include "common/json_writer.h"
#include "daemon/ctl/event_log_writer.h"

namespace bahed::ctl {
namespace {

// A numeric column as doubles (NA as NaN), whether R stored it as integer or
// double; dslabs uses integers for ids and times but other builds may not.
Result<std::vector<double>> numeric_column(const RDataFrame& frame, std::string_view name) {
  const RColumn* c = frame.column(name);
  if (!c) return Status::invalid_argument("movielens has no column '" + std::string(name) + "'");
  if (c->type == RType::kReal) return c->doubles;
  if (c->type != RType::kInteger)
    return Status::invalid_argument("movielens column '" + std::string(name) + "' is not numeric");
  std::vector<double> out;
  out.reserve(c->ints.size());
  for (int32_t v : c->ints) out.push_back(v == kRNaInteger ? std::nan("") : double(v));
  return out;
}

Result<std::vector<std::optional<std::string>>> string_column(const RDataFrame& frame, std::string_view name) {
  const RColumn* c = frame.column(name);
  if (!c) return Status::invalid_argument("movielens has no column '" + std::string(name) + "'");
  if (c->type != RType::kString)
    return Status::invalid_argument("movielens column '" + std::string(name) + "' is not character or factor");
  return c->strings;
}

// An id or time that must be present and integral.
Status require_integral(const std::vector<double>& values, std::string_view name) {
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9e15)
      return Status::corruption("movielens row " + std::to_string(i + 1) + ": " + std::string(name) +
                                " is missing or not an integer");
  }
  return Status::ok();
}

std::string format_count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

std::string format_utc_date(int64_t ts_ms) {
  const std::time_t t = static_cast<std::time_t>(ts_ms / 1000);
  std::tm tm{};
  if (!::gmtime_r(&t, &tm)) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

std::string movielens_item_text(const std::optional<std::string>& title, std::optional<int64_t> year,
                                int64_t movie_id, const std::optional<std::string>& genres) {
  std::string text = title ? *title : "Movie " + std::to_string(movie_id);
  if (year) text += " (" + std::to_string(*year) + ")";
  if (genres && !genres->empty() && *genres != "(no genres listed)") {
    text += " | ";
    size_t start = 0;
    for (;;) {
      const size_t bar = genres->find('|', start);
      text.append(*genres, start, bar == std::string::npos ? std::string::npos : bar - start);
      if (bar == std::string::npos) break;
      text += ", ";
      start = bar + 1;
    }
  }
  return text;
}

Result<MovieLensDataset> movielens_from_frame(const RDataFrame& frame) {
  BAHED_ASSIGN_OR_RETURN(auto movie_ids, numeric_column(frame, "movieId"));
  BAHED_ASSIGN_OR_RETURN(auto user_ids, numeric_column(frame, "userId"));
  BAHED_ASSIGN_OR_RETURN(auto ratings, numeric_column(frame, "rating"));
  BAHED_ASSIGN_OR_RETURN(auto timestamps, numeric_column(frame, "timestamp"));
  BAHED_ASSIGN_OR_RETURN(auto years, numeric_column(frame, "year"));
  BAHED_ASSIGN_OR_RETURN(auto titles, string_column(frame, "title"));
  BAHED_ASSIGN_OR_RETURN(auto genres, string_column(frame, "genres"));
  BAHED_RETURN_IF_ERROR(require_integral(movie_ids, "movieId"));
  BAHED_RETURN_IF_ERROR(require_integral(user_ids, "userId"));
  BAHED_RETURN_IF_ERROR(require_integral(timestamps, "timestamp"));
  for (size_t i = 0; i < ratings.size(); ++i)
    if (!std::isfinite(ratings[i]))
      return Status::corruption("movielens row " + std::to_string(i + 1) + ": rating is missing");

  const size_t n = static_cast<size_t>(frame.n_rows);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Numeric ids, so that u9 sorts before u10 as a reader expects.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (timestamps[a] != timestamps[b]) return timestamps[a] < timestamps[b];
    if (user_ids[a] != user_ids[b]) return user_ids[a] < user_ids[b];
    return movie_ids[a] < movie_ids[b];
  });

  MovieLensDataset out;
  out.events.reserve(n);
  out.ratings.reserve(n);
  std::unordered_set<int64_t> users, movies;
  MovieLensStats& s = out.stats;
  for (size_t row : order) {
    const auto movie = static_cast<int64_t>(movie_ids[row]);
    const auto user = static_cast<int64_t>(user_ids[row]);
    std::optional<int64_t> year;
    if (std::isfinite(years[row])) year = static_cast<int64_t>(years[row]);
    Event e;
    e.type = EventType::kImpression;
    e.user = "u" + std::to_string(user);
    e.ts_ms = static_cast<int64_t>(timestamps[row]) * 1000;
    e.item_id = "m" + std::to_string(movie);
    e.item_text = movielens_item_text(titles[row], year, movie, genres[row]);
    e.label = ratings[row] >= kMovieLensPositiveRating ? 1 : 0;
    s.n_positive += e.label;
    s.n_missing_year += year ? 0 : 1;
    s.n_missing_title += titles[row] ? 0 : 1;
    users.insert(user);
    movies.insert(movie);
    out.events.push_back(std::move(e));
    out.ratings.push_back(ratings[row]);
  }
  s.n_ratings = static_cast<int64_t>(n);
  s.n_users = static_cast<int64_t>(users.size());
  s.n_movies = static_cast<int64_t>(movies.size());
  if (!out.events.empty()) {
    s.first_ts_ms = out.events.front().ts_ms;
    s.last_ts_ms = out.events.back().ts_ms;
  }
  return out;
}

Result<MovieLensDataset> load_movielens(const std::string& package_root) {
  const std::string dir = package_root + "/" + std::string(kDslabsDataDir);
  BAHED_ASSIGN_OR_RETURN(RValuePtr value, read_lazyload_object(dir, kMovieLensObject));
  BAHED_ASSIGN_OR_RETURN(RDataFrame frame, to_data_frame(*value));
  return movielens_from_frame(frame);
}

std::string movielens_stats_json(const MovieLensStats& s) {
  JsonWriter w;
  w.begin_object()
      .key("source").value("Debian r-cran-dslabs, object movielens (MovieLens latest-small, 2016)")
      .key("n_ratings").value(s.n_ratings)
      .key("n_users").value(s.n_users)
      .key("n_movies").value(s.n_movies)
      .key("n_positive").value(s.n_positive)
      .key("positive_fraction").value(s.positive_fraction())
      .key("positive_rating_threshold").value(kMovieLensPositiveRating)
      .key("n_missing_year").value(s.n_missing_year)
      .key("n_missing_title").value(s.n_missing_title)
      .key("first_ts_ms").value(s.first_ts_ms)
      .key("last_ts_ms").value(s.last_ts_ms)
      .end_object();
  return w.take();
}

std::string format_movielens_stats(const MovieLensStats& s) {
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.2f%%", 100.0 * s.positive_fraction());
  std::string out;
  const auto row = [&](const char* label, const std::string& value) {
    char line[128];
    std::snprintf(line, sizeof line, "  %-20s %s\n", label, value.c_str());
    out += line;
  };
  row("ratings", format_count(s.n_ratings));
  row("users", format_count(s.n_users));
  row("movies", format_count(s.n_movies));
  row("positives (>= 4)", format_count(s.n_positive) + " (" + pct + ")");
  row("missing year", format_count(s.n_missing_year));
  row("missing title", format_count(s.n_missing_title));
  row("time range (UTC)", format_utc_date(s.first_ts_ms) + " .. " + format_utc_date(s.last_ts_ms));
  return out;
}

Status write_movielens(const MovieLensDataset& dataset, const std::string& out_path) {
  std::unique_ptr<EventLogWriter> writer;
  BAHED_RETURN_IF_ERROR(EventLogWriter::open(out_path, &writer));
  for (size_t i = 0; i < dataset.events.size(); ++i)
    BAHED_RETURN_IF_ERROR(writer->write(dataset.events[i], dataset.ratings[i]));
  BAHED_RETURN_IF_ERROR(writer->close());
  return write_file_atomically(out_path + ".stats.json", movielens_stats_json(dataset.stats) + "\n");
}

}  // namespace bahed::ctl
