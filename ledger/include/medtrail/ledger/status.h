#pragma once
// Errors are values: a Status carries a stable machine-readable code (snake_case)
// and a human message. Result<T> is a T or a non-ok Status.

#include <string>
#include <utility>
#include <variant>

namespace medtrail::ledger {

class Status {
 public:
  Status() = default;  // ok
  static Status ok_status() { return Status(); }
  static Status error(std::string code, std::string message) {
    return Status(std::move(code), std::move(message));
  }

  bool ok() const { return code_.empty(); }
  explicit operator bool() const { return ok(); }
  // Empty when ok.
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code: message", for logs and one-line CLI errors.
  std::string to_string() const { return ok() ? "ok" : code_ + ": " + message_; }

 private:
  Status(std::string code, std::string message)
      : code_(std::move(code)), message_(std::move(message)) {}
  std::string code_;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT; must not be ok

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace medtrail::ledger

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define MEDTRAIL_RETURN_IF_ERROR(expr)                 \
  do {                                                 \
    ::medtrail::ledger::Status _st = (expr);           \
    if (!_st.ok()) return _st;                         \
  } while (0)
