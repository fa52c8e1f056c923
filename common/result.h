#pragma once
// Result<T>: a value or the Status that explains why there is none.
#include <cassert>
#include <optional>
#include <utility>

#include "common/status.h"

namespace bahed {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "Result built from an OK status has no value");
    if (status_.is_ok()) status_ = Status::internal("Result constructed from OK status without value");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(value_); return *value_; }
  const T& value() const& { assert(value_); return *value_; }
  T&& value() && { assert(value_); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  void ignore() const {}

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace bahed

// Assigns the value of a Result to `lhs`, or returns its Status.
#define BAHED_CONCAT_INNER_(a, b) a##b
#define BAHED_CONCAT_(a, b) BAHED_CONCAT_INNER_(a, b)
#define BAHED_ASSIGN_OR_RETURN(lhs, expr) \
  BAHED_ASSIGN_OR_RETURN_IMPL_(BAHED_CONCAT_(bahed_result_, __LINE__), lhs, expr)
#define BAHED_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.is_ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
