#include "core/verified_signatures.h"

#include <array>
#include <cstring>

namespace medtrail::node {
namespace {

std::array<uint8_t, 8> be64(uint64_t v) {
  std::array<uint8_t, 8> out;
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
  return out;
}

}  // namespace

size_t VerifiedSignatures::HashKey::operator()(const ledger::Hash& h) const {
  size_t v;
  std::memcpy(&v, h.data(), sizeof v);
  return v;
}

ledger::Hash VerifiedSignatures::key_of(const ledger::CryptoSuite& suite,
                                        const ledger::Envelope& envelope,
                                        ledger::ByteView public_key) {
  // Length-prefixed fields, so no two different envelopes can give the same bytes. Hashed in
  // parts rather than copied into one buffer: the payload is most of the record, and this runs
  // twice per record on the node that admits it.
  const ledger::ByteView signer = ledger::as_bytes(envelope.signer);
  const auto signer_size = be64(signer.size());
  const auto key_size = be64(public_key.size());
  const auto payload_size = be64(envelope.payload.size());
  const auto signature_size = be64(envelope.signature.size());
  return suite.hash_parts({signer_size, signer, key_size, public_key, payload_size,
                           envelope.payload, signature_size, envelope.signature});
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
