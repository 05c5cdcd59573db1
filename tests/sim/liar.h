#pragma once
// A lying member (issue 13): messages a member that is not leader might forge, each outside
// what an honest peer can send — a term beyond kMaxTerm or more than kMaxTermJump ahead of the
// receiver's, an index, commit point or hint at or beyond kMaxIndex, a log term above the
// message's own, a snapshot chunk outside its snapshot, non-contiguous entries, a read with an
// empty or oversized context. The core must drop every one before it has any effect (or, for a
// term beyond the margin, only move the receiver's term kMaxTermJump toward it), so safety holds
// throughout and the cluster commits again once the lies stop. Lies it could not tell apart
// from the truth (a plausible term, a plausible acknowledgement) are beyond Raft and not told.

#include "medtrail/consensus/types.h"
#include "sim/rng.h"

namespace medtrail::sim {

enum class Lie : uint8_t {
  kInflatedTerm,         // any message type, term far ahead (the heartbeat is one)
  kAbsurdIndex,          // the receiver's term, an index field at or beyond kMaxIndex
  kAbsurdLogTerm,        // the receiver's term, a log or hint term above it
  kAbsurdSnapshotChunk,  // offsets outside the snapshot
  kMalformedEntries,     // an append whose entries do not follow its index
  kAbsurdReadContext,    // a ReadIndex with an empty or oversized context
};
inline constexpr int kLieKinds = 6;

// A lie of `kind` from `from` to `to`, whose current term is `to_term`.
consensus::Message forge_lie(Rng& rng, Lie kind, consensus::NodeId from, consensus::NodeId to,
                             consensus::Term to_term);

}  // namespace medtrail::sim
