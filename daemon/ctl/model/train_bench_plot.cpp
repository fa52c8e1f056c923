#include "daemon/ctl/model/train_bench_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "daemon/ctl/model/child_process.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

bool on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::error_code ec;
    if (!dir.empty() && fs::is_regular_file(fs::path(dir) / program, ec)) return true;
  }
  return false;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

void write_panel(std::ostream& gp, const PlotPanel& panel, size_t index) {
  for (size_t s = 0; s < panel.series.size(); ++s) {
    gp << "$p" << index << "s" << s << " << EOD\n";
    for (const auto& [x, y] : panel.series[s].points) {
      if (std::isfinite(x) && std::isfinite(y)) gp << x << " " << y << "\n";
    }
    gp << "EOD\n";
  }
  gp << "set title " << quoted(panel.title) << "\nset xlabel " << quoted(panel.x_label) << "\nset ylabel "
     << quoted(panel.y_label) << "\n";
  gp << (panel.log_y ? "set logscale y\n" : "unset logscale y\n");
  const bool bars = !panel.categories.empty();
  if (bars) {
    const double width = 0.8 / static_cast<double>(std::max<size_t>(1, panel.series.size()));
    gp << "set style fill solid 0.8\nset boxwidth " << width << "\nset xrange [-0.6:"
       << static_cast<double>(panel.categories.size()) - 0.4 << "]\nset xtics (";
    for (size_t c = 0; c < panel.categories.size(); ++c) gp << (c ? ", " : "") << quoted(panel.categories[c]) << " " << c;
    gp << ")\n";
  } else {
    gp << "set autoscale x\nset xtics autofreq\n";
  }
  gp << "plot ";
  for (size_t s = 0; s < panel.series.size(); ++s) {
    gp << (s ? ", " : "") << "$p" << index << "s" << s;
    if (bars) {
      const double shift = (static_cast<double>(s) - (static_cast<double>(panel.series.size()) - 1) / 2.0) * 0.8 /
                           static_cast<double>(panel.series.size());
      gp << " using ($1+" << shift << "):2 with boxes";
    } else {
      gp << " using 1:2 with linespoints lw 2 pt 7";
    }
    gp << " title " << quoted(panel.series[s].title);
  }
  gp << "\n";
}

}  // namespace

Status plot_png(const fs::path& png, const std::vector<PlotPanel>& panels) {
  if (!on_path("gnuplot")) {
    return Status::not_found("gnuplot is not installed (Debian: apt-get install gnuplot-nox); cannot write " +
                             png.string());
  }
  const fs::path script = fs::path(png).replace_extension(".gp");
  {
    std::ofstream gp(script);
    if (!gp) return Status::io_error("cannot write " + script.string());
    const size_t n = std::max<size_t>(1, panels.size());
    gp << "set terminal pngcairo size " << 520 * n << ",440 font \"sans,10\"\n";
    gp << "set output " << quoted(fs::absolute(png).string()) << "\nset grid\nset key top left\n";
    gp << "set multiplot layout 1," << n << "\n";
    for (size_t p = 0; p < panels.size(); ++p) write_panel(gp, panels[p], p);
    gp << "unset multiplot\n";
  }
  return run_child_process({"gnuplot", fs::absolute(script).string()}, fs::current_path(),
                           fs::path(png).replace_extension(".log"));
}

}  // namespace bahed::ctl
