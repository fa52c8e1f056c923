#pragma once
// Status: the result of an operation at an I/O boundary (Kafka, RocksDB,
// files, parsing). Cheap to return when OK (no allocation). Callers must look
// at it: [[nodiscard]] makes an ignored Status a compiler warning, and the
// explicit way to drop one is `.ignore()` with a comment saying why.
#include <string>
#include <string_view>
#include <utility>

namespace bahed {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad event, bad config)
  kNotFound,
  kAlreadyExists,
  kIOError,          // the file system or network failed
  kCorruption,       // stored data fails its own checks
  kUnavailable,      // a peer (broker, store) is not reachable now; retry may help
  kTimedOut,
  kAborted,          // stopped on request (shutdown)
  kInternal,         // a bug or an unexpected library error
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status not_found(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status already_exists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status io_error(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status timed_out(std::string msg) { return {StatusCode::kTimedOut, std::move(msg)}; }
  static Status aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
  static Status internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>", or "OK".
  std::string to_string() const;

  // Adds context in front of the message: "reading x: <message>".
  Status with_context(std::string_view context) const;

  // Explicitly drops the status. Use with a comment saying why that is safe.
  void ignore() const {}

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace bahed

// Returns early from a function returning Status (or Result<T>) on failure.
#define BAHED_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::bahed::Status bahed_status_ = (expr);    \
    if (!bahed_status_.is_ok()) return bahed_status_; \
  } while (0)
