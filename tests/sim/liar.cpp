#include "sim/liar.h"

#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/consensus/raft.h"

namespace medtrail::sim {
namespace {

using consensus::kMaxIndex;
using consensus::kMaxTerm;
using consensus::kMaxTermJump;
using consensus::Message;
using consensus::MessageType;
using consensus::Term;

constexpr int kMessageTypes = static_cast<int>(MessageType::kReadIndexResponse) + 1;

// The frame (2^64 - 1), just past the ceiling, just past the margin, and far past it.
Term inflated_term(Rng& rng, Term to_term) {
  switch (rng.below(4)) {
    case 0:
      return UINT64_MAX;
    case 1:
      return kMaxTerm + 1 + rng.below(1000);
    case 2:
      return to_term + kMaxTermJump + 1;
    default:
      return to_term + (uint64_t{1} << 40) + rng.below(uint64_t{1} << 40);
  }
}

consensus::Index absurd_index(Rng& rng) {
  switch (rng.below(3)) {
    case 0:
      return UINT64_MAX;
    case 1:
      return kMaxIndex + rng.below(1 << 20);
    default:
      return uint64_t{1} << 63;
  }
}

}  // namespace

Message forge_lie(Rng& rng, Lie kind, consensus::NodeId from, consensus::NodeId to, Term to_term) {
  Message m;
  m.from = from;
  m.to = to;
  m.type = static_cast<MessageType>(rng.below(kMessageTypes));
  m.term = to_term;
  switch (kind) {
    case Lie::kInflatedTerm:
      // Every other field is harmless, so that even if the receiver's term rises while the lie
      // is in flight, making it merely a message at the margin, it only costs an election.
      m.term = inflated_term(rng, to_term);
      if (m.type == MessageType::kVoteResponse || m.type == MessageType::kPreVoteResponse) {
        // A refusal. A grant is no harmless field: the receiver may yet reach this term (a lie
        // just past the margin is one jump away), and a copy the network delivers then would
        // be a vote its sender never cast (found by the 100,000-seed sweep, seed 12338).
        m.reject = true;
      }
      if (m.type == MessageType::kSnapshotChunk) {
        // Well formed, but out of order: a receiver that took it would ask to start over.
        m.snapshot.index = 1;
        m.snapshot.term = 1;
        m.snapshot.conf.voters = {from};
        m.snapshot_offset = 1;
        m.snapshot_size = 1;
      }
      break;
    case Lie::kAbsurdIndex:
      switch (rng.below(4)) {
        case 0:
          m.index = absurd_index(rng);
          break;
        case 1:
          m.commit = absurd_index(rng);
          break;
        case 2:
          m.reject = true;
          m.reject_hint = absurd_index(rng);
          break;
        default:
          m.snapshot.index = absurd_index(rng);
          break;
      }
      break;
    case Lie::kAbsurdLogTerm:
      if (rng.chance(0.5)) {
        m.log_term = to_term + 1 + rng.below(1000);
      } else {
        m.reject = true;
        m.hint_term = to_term + 1 + rng.below(1000);
      }
      break;
    case Lie::kAbsurdSnapshotChunk:
      m.type = MessageType::kSnapshotChunk;
      m.snapshot.index = 1 + rng.below(100);
      m.snapshot.term = 1;
      m.snapshot.conf.voters = {from};
      m.snapshot_size = rng.below(100);
      if (rng.chance(0.5)) {
        m.snapshot_offset = m.snapshot_size + 1 + rng.below(UINT64_MAX - m.snapshot_size - 1);
      } else {
        m.snapshot_chunk = std::string(m.snapshot_size + 1, 'x');
      }
      break;
    case Lie::kMalformedEntries:
      m.type = MessageType::kAppend;
      m.index = rng.below(100);
      m.log_term = 0;
      m.entries = {{to_term, m.index + 2 + rng.below(10), consensus::EntryType::kNormal, "lie"}};
      break;
    case Lie::kAbsurdReadContext:
      m.type = MessageType::kReadIndex;
      m.context = rng.chance(0.5) ? std::string() : std::string(4097 + rng.below(4096), 'r');
      break;
  }
  return m;
}

}  // namespace medtrail::sim
