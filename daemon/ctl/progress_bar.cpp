#include "daemon/ctl/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace bahed::ctl {

namespace {
std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const auto s = static_cast<int64_t>(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}
}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressBar::update(int64_t done, const std::string& extra, bool force) {
  if (!force && (++calls_ & 1023) != 0) return;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (!force && now - last_draw_ < interval) return;
  last_draw_ = now;
  draw(done, extra, false);
}

void ProgressBar::finish(int64_t done, const std::string& extra) { draw(done, extra, true); }

void ProgressBar::draw(int64_t done, const std::string& extra, bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  std::string line = label_ + " ";
  char buf[160];
  if (total_ > 0) {
    const double frac = static_cast<double>(done) / static_cast<double>(total_);
    if (tty_) {
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(frac * kWidth);
      line += "[" + std::string(std::max(0, std::min(kWidth, filled)), '#') +
              std::string(std::max(0, kWidth - filled), '.') + "] ";
    }
    const double eta = rate > 0 ? (total_ - done) / rate : -1;
    std::snprintf(buf, sizeof buf, "%lld/%lld %s (%.1f%%) %.0f %s/s elapsed %s eta %s", static_cast<long long>(done),
                  static_cast<long long>(total_), unit_.c_str(), 100.0 * frac, rate, unit_.c_str(),
                  format_duration(elapsed).c_str(), final_line ? "0m00s" : format_duration(eta).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%lld %s %.0f %s/s elapsed %s", static_cast<long long>(done), unit_.c_str(), rate,
                  unit_.c_str(), format_duration(elapsed).c_str());
  }
  line += buf;
  if (!extra.empty()) line += " " + extra;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace bahed::ctl
