#pragma once
// A homomorphic hash of the contract state: the multiset {(key, value)} of the `state` column
// family, maintained as writes happen instead of rehashing the whole family per block.
//
// LtHash16 (Bellare–Micciancio; as used by Facebook for replicated-database integrity, Lewi et
// al. 2019): each entry expands to 1024 16-bit lanes, the state's hash is their lane-wise sum
// mod 2^16. Adding an entry adds its lanes, removing one subtracts them, so the result depends
// on the set of entries only — not on the order of writes, nor on whether the state was built
// by replaying every block or installed from a snapshot. An entry's lanes are the ChaCha20
// keystream under the key H(len(key) || key || value) with the chain's suite hash; the block
// header carries H(lanes).
#include <array>
#include <cstdint>
#include <string_view>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

class StateHash {
 public:
  static constexpr size_t kLanes = 1024;
  static constexpr size_t kEncodedSize = kLanes * 2;

  void add(const CryptoSuite& suite, std::string_view key, std::string_view value);
  void remove(const CryptoSuite& suite, std::string_view key, std::string_view value);
  // H(lanes as little-endian bytes): what a block header commits to.
  Hash digest(const CryptoSuite& suite) const;

  Bytes encode() const;  // kEncodedSize bytes, lanes little-endian
  static Result<StateHash> decode(ByteView bytes);

  bool operator==(const StateHash&) const = default;

 private:
  std::array<uint16_t, kLanes> lanes_{};
};

}  // namespace medtrail::ledger
