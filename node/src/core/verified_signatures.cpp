#include "core/verified_signatures.h"

#include <cstring>

namespace medtrail::node {

size_t VerifiedSignatures::HashKey::operator()(const ledger::Hash& h) const {
  size_t v;
  std::memcpy(&v, h.data(), sizeof v);
  return v;
}

ledger::Hash VerifiedSignatures::key_of(const ledger::CryptoSuite& suite,
                                        const ledger::Envelope& envelope,
                                        ledger::ByteView public_key) {
  // Length-prefixed fields, so no two different envelopes can give the same bytes.
  ledger::Bytes bytes;
  auto field = [&](ledger::ByteView b) {
    ledger::append_be64(bytes, b.size());
    bytes.insert(bytes.end(), b.begin(), b.end());
  };
  field(ledger::as_bytes(envelope.signer));
  field(public_key);
  field(envelope.payload);
  field(envelope.signature);
  return suite.hash(bytes);
}

void VerifiedSignatures::add(const ledger::Hash& key) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (!set_.insert(key).second) return;
  order_.push_back(key);
  while (set_.size() > capacity_ && !order_.empty()) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  // Taken keys linger in `order_`; keep it from growing without bound.
  if (order_.size() > 2 * capacity_ + 16) {
    std::deque<ledger::Hash> live;
    for (const ledger::Hash& h : order_) {
      if (set_.count(h)) live.push_back(h);
    }
    order_.swap(live);
  }
}

bool VerifiedSignatures::take(const ledger::Hash& key) {
  std::lock_guard lock(mu_);
  return set_.erase(key) == 1;
}

size_t VerifiedSignatures::size() const {
  std::lock_guard lock(mu_);
  return set_.size();
}

}  // namespace medtrail::node
