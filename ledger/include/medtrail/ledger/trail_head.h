#pragma once
// A subject's trail in the state (docs/proofs.md, "Complete trails"), so that proofs of a few
// keys show a trail complete. For each record about a subject the contracts write an entry,
//   "ix/<subject>\0<be64 leaf index>" -> the head after that record,
// and keep the newest head under "ixh/<subject>". A head is
//   be64 count || chain (kHashSize bytes)
// where the chain of no records is kHashSize zero bytes and each record about the subject, in
// chain order, extends it:
//   chain' = H("medtrail-trail-head-v1" || chain || be64 leaf index)
// So the head at a checkpoint proves how many records the trail holds and which; an entry proves
// a record's place in it (a page of the trail is checked from its first entry to its last).
// The chain runs over leaf indices, not leaf hashes: the contracts extend it before the block's
// leaves exist (a leaf carries its record's verdict), a node finds the head at an older
// checkpoint without a scan (the value of the subject's last entry below that checkpoint's tree
// size), and under one checkpoint's tree root a leaf index names
// exactly one leaf, which the trail's inclusion proofs show.
#include <cstdint>
#include <string>
#include <string_view>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kTrailHeadPrefix = "ixh/";
inline constexpr size_t kTrailHeadBytes = 8 + kHashSize;

struct TrailHead {
  uint64_t count = 0;
  Hash chain{};

  bool operator==(const TrailHead&) const = default;
};

// "ixh/" + the subject.
std::string trail_head_key(std::string_view subject);
// "ix/" + the subject + "\0": the prefix under which its entries list in chain order.
std::string trail_entry_prefix(std::string_view subject);
// The prefix + the leaf index, big-endian.
std::string trail_entry_key(std::string_view subject, uint64_t leaf_index);

// The head once the record at `leaf_index` joins the trail.
TrailHead next_trail_head(const CryptoSuite& suite, const TrailHead& head, uint64_t leaf_index);

std::string encode_trail_head(const TrailHead& head);
// Errors: `bad_trail_head` (not exactly kTrailHeadBytes bytes).
Result<TrailHead> decode_trail_head(std::string_view bytes);

}  // namespace medtrail::ledger
