#pragma once
// Signatures this node has already verified at admission and not yet applied. The apply step
// must check every signature (a faulty leader may propose anything), but a node need not check
// twice what it checked itself: an envelope whose exact signer, key, payload and signature it
// admitted is taken from here instead of verified again. The result is the same as verifying,
// so every node still derives the same block. Bounded (oldest forgotten first); an entry is
// used once. Thread-safe.
#include <cstddef>
#include <deque>
#include <mutex>
#include <unordered_set>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node {

class VerifiedSignatures {
 public:
  explicit VerifiedSignatures(size_t capacity) : capacity_(capacity) {}

  // Binds everything the verdict depends on: signer, public key, payload and signature.
  static ledger::Hash key_of(const ledger::CryptoSuite& suite, const ledger::Envelope& envelope,
                             ledger::ByteView public_key);

  void add(const ledger::Hash& key);
  // True (and forgets it) if `key` was added and not yet taken or evicted.
  bool take(const ledger::Hash& key);
  size_t size() const;

 private:
  struct HashKey {
    size_t operator()(const ledger::Hash& h) const;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_set<ledger::Hash, HashKey> set_;
  std::deque<ledger::Hash> order_;  // may hold taken keys; skipped when evicting
};

}  // namespace medtrail::node
