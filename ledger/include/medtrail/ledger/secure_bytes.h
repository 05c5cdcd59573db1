#pragma once
// A byte buffer for secrets: wiped (sodium_memzero) when destroyed or overwritten.

#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"

namespace medtrail::ledger {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(ByteView data) : data_(data.begin(), data.end()) {}
  explicit SecureBytes(size_t size) : data_(size) {}
  SecureBytes(const SecureBytes& other) : data_(other.data_) {}
  SecureBytes(SecureBytes&& other) noexcept : data_(std::move(other.data_)) {}
  SecureBytes& operator=(const SecureBytes& other);
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  ~SecureBytes() { wipe(); }

  uint8_t* data() { return data_.data(); }
  const uint8_t* data() const { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  ByteView view() const { return ByteView(data_); }
  void wipe();

 private:
  std::vector<uint8_t> data_;
};

// Zeroes a string that held a secret (a key file's text, a PEM private key) and empties it, for
// the secrets a library wants as text.
void wipe_string(std::string& s);

}  // namespace medtrail::ledger
