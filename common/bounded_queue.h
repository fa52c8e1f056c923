#pragma once
// BoundedQueue: a named multi-producer multi-consumer FIFO with a fixed
// capacity. A full queue is back-pressure: push blocks (or times out) rather
// than growing. Thread-safe; close() wakes every waiter.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace bahed {

template <typename T>
class BoundedQueue {
 public:
  BoundedQueue(std::string name, size_t capacity) : name_(std::move(name)), capacity_(capacity ? capacity : 1) {}

  const std::string& name() const { return name_; }
  size_t capacity() const { return capacity_; }

  // Pushes unless full for longer than `timeout` or closed. On failure the
  // item is left untouched in `item` so the caller can retry.
  bool try_push_for(T& item, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!not_full_.wait_for(lock, timeout, [&] { return closed_ || items_.size() < capacity_; })) return false;
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until there is room; false if the queue was closed.
  bool push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Pops the oldest item, waiting up to `timeout`. Returns nullopt on timeout
  // or when the queue is closed and drained.
  std::optional<T> pop_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); })) return std::nullopt;
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // After close, pushes fail and pops drain what is left.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  const std::string name_;
  const size_t capacity_;
  mutable std::mutex mu_;
  // guarded by mu_
  std::deque<T> items_;
  bool closed_ = false;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
};

}  // namespace bahed
