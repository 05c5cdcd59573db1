#pragma once
// The authenticated state map's storage: a Jellyfish Merkle tree (Diem, Aptos) holding the
// sparse Merkle tree of state_proof.h in 16-way nodes, one node per 4 bits of path.
//
// Nodes are versioned and never rewritten: an update at version v writes new nodes under v for
// the paths it changes and records the nodes it replaced in a stale index, so every version
// that has not been pruned keeps its root and can still be proven against (a client holding an
// older checkpoint). A node holds its children's hashes, and the entries of its leaf children
// inline, so an update of one key writes about log16(n) nodes and a proof reads as many. The
// hashes of the subtrees inside a node are not stored: a read computes them (state_map_node.h).
//
// Keys in the node source:
//   node:  'N' || be64(version) || u8(depth in nibbles) || the path's nibbles, packed
//   stale: 'S' || be64(the version that replaced it) || node key
// A node is needed by the versions before the one that replaced it; pruning to keep versions
// ≥ k deletes every node whose stale entry has a version ≤ k.
//
// Every read is bounded and checked: a node that cannot be decoded, or a path deeper than 256
// bits, is `corruption`, never a crash.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/state_proof.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

struct StateMapChange {
  Hash key_hash{};
  std::optional<Hash> value_hash;  // nullopt: the key is removed
};

// Where the nodes live: a RocksDB column family, or memory.
class StateMapNodeSource {
 public:
  virtual ~StateMapNodeSource() = default;
  // The node under `key`; nullopt when there is none.
  virtual Result<std::optional<Bytes>> read_node(ByteView key) const = 0;
  // The source as it is now, unchanged by what is written after: a read of several nodes (a
  // proof, an audit) reads them all from one such view, so a version pruned while it is read is
  // `not_found` as a whole rather than missing its lower nodes (`corruption`). nullptr: read
  // the source itself, for one that nothing changes while it is read.
  virtual std::unique_ptr<const StateMapNodeSource> pinned() const { return nullptr; }
};

// What one update writes: the version's nodes and the stale entries of the nodes it replaced.
struct StateMapWrite {
  uint64_t version = 0;
  Hash root{};
  std::vector<std::pair<Bytes, Bytes>> nodes;  // node key, encoded node
  std::vector<Bytes> stale;                    // stale-index keys (their values are empty)
};

// The levels, the root's counted, whose nodes below the root StateMap keeps decoded in memory
// from one update to the next (the root itself is always read from the node source): every
// block rewrites the root and the first level, a block of a few hundred writes most of the
// second, and reading each back (a RocksDB read and a decode) cost the node's apply more than
// rehashing it; a node read back is now rehashed whole, too. That is at most 16 + 256 + 4096 nodes of about 2.3 KiB: 10 MiB, allocated by
// the first update.
inline constexpr size_t kStateMapTopLevels = 4;

class StateMap {
 public:
  StateMap(const CryptoSuite& suite, const StateMapNodeSource& nodes);
  ~StateMap();
  StateMap(const StateMap&) = delete;
  StateMap& operator=(const StateMap&) = delete;

  // The reads (root, get, prove, audit) each read from one pinned view of the node source, and
  // may run beside an update on another thread.
  // `not_found` when the version was never written or has been pruned.
  Result<Hash> root(uint64_t version) const;
  // The value hash `key_hash` holds in `version`; nullopt when it holds none.
  Result<std::optional<Hash>> get(uint64_t version, const Hash& key_hash) const;
  Result<StateProof> prove(uint64_t version, const Hash& key_hash) const;

  // Version `version`: `base` (nullopt: the empty map) with `changes` made. Every version gets
  // a root node, changed or not. Versions form one line, each written once on the newest:
  // `version` is `base` + 1 and not yet written (pruning relies on it: a node is needed only by
  // the versions before the one that replaced it). A map started again from nothing (a
  // snapshot's rebuild) goes into an empty node source. Errors: `invalid_argument` (a version
  // not next to its base, or already written; a key changed twice), `not_found` (no root for
  // base), `corruption`.
  // The nodes it writes in the top kStateMapTopLevels levels stay decoded in memory, and later
  // updates take them from there instead of the node source, each only under the version and
  // with the hash its parent names, below the base's root read from the source. A version
  // computed again from the same base gives the same node for the same hash, so a write never
  // stored (its batch discarded) is never read back in place of the one stored; a version
  // computed from another base than before keeps nothing. Updates and extends are for one
  // thread at a time (a chain's appending thread); the reads may run beside them.
  Result<StateMapWrite> update(std::optional<uint64_t> base, uint64_t version,
                               std::vector<StateMapChange> changes);

  // Adds entries to `version` in place, for building a version from nothing in bounded steps
  // (a ledger image's state): update(nullopt, version, first part), written, then extend with
  // each further part, written before the next. Nodes are rewritten under their own keys and
  // nothing is marked stale, so the version must not be published (no other version reads its
  // nodes) until the last part is in; what updates kept in memory is forgotten. Errors:
  // `invalid_argument` (a removal, a key the version holds already, a key twice), `not_found`
  // (no such version), `corruption`.
  Result<StateMapWrite> extend(uint64_t version, std::vector<StateMapChange> additions);

  // Reads every node of `version` and recomputes every hash in it from the entries up, checking
  // each against the hash its parent names and each entry's place against its key's path (what
  // a proof relies on). Errors: `not_found`, `corruption` (what does not agree, and where).
  struct Audit {
    Hash root{};
    uint64_t entries = 0;
  };
  Result<Audit> audit(uint64_t version) const;

  // Forgets the nodes updates kept in memory: for a node source whose versions were replaced
  // (a map rebuilt from nothing), and for benchmarks of an update without them.
  void forget_top_levels();

  class TopLevels;  // state_map.cpp; public only for the update's recursion there to name it

 private:
  const CryptoSuite& suite_;
  const StateMapNodeSource& nodes_;
  std::unique_ptr<TopLevels> top_;
};

Bytes state_map_root_key(uint64_t version);
inline constexpr uint8_t kStateMapNodeTag = 'N';
inline constexpr uint8_t kStateMapStaleTag = 'S';

struct StaleStateNode {
  uint64_t replaced_at = 0;  // the version that replaced the node
  ByteView node_key;         // into the stale key it was read from
};
// `corruption` for a key that is not a stale-index key.
Result<StaleStateNode> decode_stale_state_key(ByteView stale_key);

}  // namespace medtrail::ledger
