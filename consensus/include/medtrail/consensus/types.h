#pragma once
// Raft's data: entries, persistent state, configurations, snapshots, messages and the Ready
// bundle. Entries are opaque bytes: consensus knows nothing of records or blocks.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medtrail::consensus {

using NodeId = uint64_t;  // 0 is "none"
using Term = uint64_t;
using Index = uint64_t;   // log indexes start at 1; 0 means "before the log"

inline constexpr NodeId kNoNode = 0;

enum class EntryType : uint8_t {
  kNormal = 0,      // data is the application's bytes (empty data: a leader's no-op)
  kConfChange = 1,  // data is encode_conf_change(ConfChange)
};

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;
  bool operator==(const Entry&) const = default;
};

// What must be on stable storage before any message that depends on it is sent (Raft §5.2, §5.4).
struct HardState {
  Term term = 0;
  NodeId vote = kNoNode;
  Index commit = 0;
  bool operator==(const HardState&) const = default;
};

// Membership: voters decide elections and commitment; learners only receive the log.
struct ConfState {
  std::vector<NodeId> voters;  // sorted, unique
  std::vector<NodeId> learners;  // sorted, unique, disjoint from voters
  bool operator==(const ConfState&) const = default;
};

// One server at a time (thesis §4.1). Promotion of a learner is kAddVoter of that learner.
enum class ConfChangeType : uint8_t { kAddVoter = 0, kAddLearner = 1, kRemoveNode = 2 };

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddVoter;
  NodeId node = kNoNode;
  std::string context;  // opaque to raft (the node puts the peer's address here)
  bool operator==(const ConfChange&) const = default;
};

struct SnapshotMeta {
  Index index = 0;  // last entry the snapshot covers
  Term term = 0;    // that entry's term
  ConfState conf;   // configuration as of `index`
  bool operator==(const SnapshotMeta&) const = default;
};

struct Snapshot {
  SnapshotMeta meta;
  std::string data;  // opaque state-machine image (the node hands a RocksDB checkpoint)
  bool operator==(const Snapshot&) const = default;
};

enum class MessageType : uint8_t {
  kPreVote = 0,  // thesis §9.6: would you vote for me? Does not change anyone's term.
  kPreVoteResponse = 1,
  kVote = 2,
  kVoteResponse = 3,
  kAppend = 4,  // AppendEntries: index/log_term name the entry before `entries`
  kAppendResponse = 5,
  kHeartbeat = 6,
  kHeartbeatResponse = 7,
  kSnapshotChunk = 8,  // InstallSnapshot, one bounded chunk at a time
  kSnapshotResponse = 9,
  kTimeoutNow = 10,  // leadership transfer (§3.10): start an election now
  kReadIndex = 11,   // a follower asks the leader for a read index (§6.4)
  kReadIndexResponse = 12,
};

struct Message {
  MessageType type = MessageType::kHeartbeat;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  // kAppend: index and term of the entry before `entries`. kVote/kPreVote: the candidate's
  // last log index and term. kAppendResponse: the follower's match (accept) or the rejected
  // index (reject). kReadIndexResponse: the read index.
  Index index = 0;
  Term log_term = 0;
  Index commit = 0;
  std::vector<Entry> entries;
  bool reject = false;
  Index reject_hint = 0;  // kAppendResponse reject: follower's hint for fast backtracking
  Term hint_term = 0;     // term of the follower's entry at reject_hint
  // kSnapshotChunk / kSnapshotResponse
  SnapshotMeta snapshot;
  uint64_t snapshot_offset = 0;  // chunk's offset into Snapshot::data; response: bytes held
  uint64_t snapshot_size = 0;    // total size of Snapshot::data
  std::string snapshot_chunk;
  // kReadIndex / kReadIndexResponse, and heartbeats carrying a read round
  std::string context;
  bool operator==(const Message&) const = default;
};

enum class Role : uint8_t { kFollower = 0, kPreCandidate = 1, kCandidate = 2, kLeader = 3 };

struct SoftState {
  NodeId leader = kNoNode;
  Role role = Role::kFollower;
  bool operator==(const SoftState&) const = default;
};

// A linearizable read may be served once the state machine has applied `index` (§6.4).
struct ReadState {
  Index index = 0;
  std::string context;
  bool operator==(const ReadState&) const = default;
};

// What the core asks its driver to do. The driver must, in this order:
//   1. persist `snapshot` (if set), `entries` (appending, truncating any conflicting suffix
//      from entries[0].index) and then `hard_state` (if set, last: its commit index may name
//      entries of this Ready) — and sync them when `must_sync` is set;
//   2. then send `messages` (never before step 1: a vote or an append ack must be durable),
//      unless `send_first` allows sending them before step 1 or while it runs;
//   3. apply `snapshot` (if set) and then `committed_entries` in order to the state machine;
//   4. hand `read_states` to waiting readers once applied index ≥ their index;
//   5. call RaftNode::advance(ready).
struct Ready {
  std::optional<SoftState> soft_state;  // set when it changed
  std::optional<HardState> hard_state;  // set when it changed
  std::vector<Entry> entries;
  std::optional<Snapshot> snapshot;
  std::vector<Message> messages;
  std::vector<Entry> committed_entries;
  std::vector<ReadState> read_states;
  // Step 1 must end in a sync: the Ready holds entries (a follower acknowledges them, the leader
  // counts its own once persisted), a snapshot, a new term or vote (one vote per term), or a
  // commit index that passes a configuration change (a restart rebuilds the configuration from
  // the durable commit index, and a removed leader steps down on a voter's report of it).
  // Otherwise the hard state only moves the commit index, which Raft keeps volatile (§3.8):
  // lost to a power cut it is learnt again from the leader, so it may be written unsynced.
  bool must_sync = false;
  // The messages may go out before step 1, so the leader's sync runs while its followers
  // write (Raft thesis §10.2.1). Set only on a leader whose term and vote are already synced,
  // whose commit index needs no sync before others learn it (see must_sync), and whose messages
  // are all appends, heartbeats and snapshot chunks of that term (any other message makes the
  // whole Ready wait); these promise nothing about its own disk. It counts its own entries
  // toward a commit only at advance(), after the sync; if a power cut takes them first, they
  // are a lagging follower's loss, and any that committed are on a quorum of the others.
  bool send_first = false;

  bool empty() const {
    return !soft_state && !hard_state && entries.empty() && !snapshot && messages.empty() &&
           committed_entries.empty() && read_states.empty();
  }
};

}  // namespace medtrail::consensus
