#pragma once
// The plot of `bahectl bench train`: one PNG with side-by-side panels,
// drawn by gnuplot (Debian: gnuplot-nox) in a child process.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace bahed::ctl {

struct PlotSeries {
  std::string title;
  std::vector<std::pair<double, double>> points;  // (x, y)
};

struct PlotPanel {
  std::string title, x_label, y_label;
  bool log_y = false;
  // Non-empty: a bar chart, point i of each series at category i.
  std::vector<std::string> categories;
  std::vector<PlotSeries> series;
};

// Writes `png` (and its gnuplot script and log beside it, .gp/.log).
// NotFound with an install hint when gnuplot is not on PATH; Unavailable
// when gnuplot fails (the message quotes its log).
[[nodiscard]] Status plot_png(const std::filesystem::path& png, const std::vector<PlotPanel>& panels);

}  // namespace bahed::ctl
