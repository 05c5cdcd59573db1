#pragma once
// Proofs against the authenticated state map (docs/proofs.md, "State proof"): that a key holds
// a value, or that it holds nothing, in the map whose root a block header commits to.
//
// The map is a sparse Merkle tree of depth 256 over the suite hash of each key, with one rule
// that keeps it small (Diem's and Aptos's Jellyfish Merkle tree, and their proofs): a subtree
// that holds a single entry is that entry's leaf hash, wherever it sits, and an empty subtree
// is 32 zero bytes. So
//   hash(empty)      = 0^32
//   hash({e})        = H(0x02 || H(key) || H(value))
//   hash(S), |S| ≥ 2 = H(0x03 || hash(S_left) || hash(S_right))
// where S_left holds the entries whose next bit of H(key), most significant first, is 0. The
// prefixes 0x02 and 0x03 keep a state hash from being read as a log hash (0x00, 0x01).
//
// A proof walks from the root along H(key) to the first subtree holding at most one entry: it
// gives that entry, if any, and the hashes of the subtrees beside the walk.

#include <optional>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr size_t kStateMapDepth = 256;  // bits of a key's path

struct StateMapLeaf {
  Hash key_hash{};    // H(key): the entry's path
  Hash value_hash{};  // H(value)
  bool operator==(const StateMapLeaf&) const = default;
};

struct StateProof {
  // The entry alone in the subtree where the walk ended; none when that subtree is empty. For
  // a key that is present it is the key's own entry; for an absent one, another key's, whose
  // path shares the walk.
  std::optional<StateMapLeaf> leaf;
  // The subtrees beside the walk, the deepest first (as an RFC 9162 audit path): the walk
  // ended at depth siblings.size().
  std::vector<Hash> siblings;
  bool operator==(const StateProof&) const = default;
};

Hash state_key_hash(const CryptoSuite& suite, ByteView key);
Hash state_value_hash(const CryptoSuite& suite, ByteView value);
Hash state_leaf_hash(const CryptoSuite& suite, const StateMapLeaf& leaf);
// H(0x03 || left || right)
Hash state_node_hash(const CryptoSuite& suite, const Hash& left, const Hash& right);
// The root of the empty map: 32 zero bytes.
Hash state_map_empty_root();
// Bit `index` of a path, the most significant bit of its first byte being bit 0.
bool state_path_bit(const Hash& path, size_t index);

// Checks that in the map with `root`, `key` holds `value`, or, when `value` is nullopt, that it
// holds nothing. Errors: `proof_malformed` (more than 256 siblings; another key's entry off the
// key's path), `proof_invalid` (the proof does not lead to `root`; or it does, and shows the key
// holds something other than what is claimed).
Status verify_state_proof(const CryptoSuite& suite, const Hash& root, ByteView key,
                          const std::optional<ByteView>& value, const StateProof& proof);

// The same check, given the key's and value's hashes (a client that holds only the hashes).
Status verify_state_proof_hashed(const CryptoSuite& suite, const Hash& root, const Hash& key_hash,
                                 const std::optional<Hash>& value_hash, const StateProof& proof);

}  // namespace medtrail::ledger
