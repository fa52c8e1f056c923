#pragma once
// ProgressBar: one status line on stderr, redrawn at most a few times a
// second: done/total, rate, ETA, plus caller-supplied fields. When stderr is
// not a terminal it prints a plain line every few seconds instead, so logs
// and CI output stay readable.
#include <chrono>
#include <cstdint>
#include <string>

namespace bahed::ctl {

class ProgressBar {
 public:
  // `total` <= 0 means unknown (no ETA, no bar).
  ProgressBar(std::string label, int64_t total, std::string unit = "events");
  // Reports progress; cheap enough to call per item (it checks the time only
  // every 1024 calls unless `force`).
  void update(int64_t done, const std::string& extra = "", bool force = false);
  // Draws the final line with the overall rate and a newline.
  void finish(int64_t done, const std::string& extra = "");

 private:
  void draw(int64_t done, const std::string& extra, bool final_line);
  std::string label_;
  int64_t total_;
  std::string unit_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t calls_ = 0;
};

}  // namespace bahed::ctl
