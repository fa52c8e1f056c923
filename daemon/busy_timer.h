#pragma once
// BusyTimer: adds the time from its construction to its destruction to a
// nanosecond counter (the trainer stage's busy share and collective time).
#include <atomic>
#include <chrono>
#include <cstdint>

namespace bahed::daemon {

class BusyTimer {
 public:
  explicit BusyTimer(std::atomic<uint64_t>& sink) : sink_(sink), start_(std::chrono::steady_clock::now()) {}
  ~BusyTimer() {
    sink_.fetch_add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count()));
  }
  BusyTimer(const BusyTimer&) = delete;
  BusyTimer& operator=(const BusyTimer&) = delete;

 private:
  std::atomic<uint64_t>& sink_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace bahed::daemon
