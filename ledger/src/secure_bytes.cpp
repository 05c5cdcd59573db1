#include "medtrail/ledger/secure_bytes.h"

#include <sodium.h>

namespace medtrail::ledger {

SecureBytes& SecureBytes::operator=(const SecureBytes& other) {
  if (this != &other) {
    wipe();
    data_ = other.data_;
  }
  return *this;
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::move(other.data_);
  }
  return *this;
}

void SecureBytes::wipe() {
  if (!data_.empty()) sodium_memzero(data_.data(), data_.size());
  data_.clear();
}

void wipe_string(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace medtrail::ledger
