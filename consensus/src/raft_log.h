#pragma once
// The log as the Raft core sees it (etcd's raftLog): a stable prefix held by LogStorage,
// followed by unstable entries (or an unstable snapshot) that the driver has not yet persisted.
// The core never writes storage; entries become stable when advance() reports them persisted.

#include <optional>
#include <utility>
#include <vector>

#include "medtrail/consensus/log_storage.h"

namespace medtrail::consensus::internal {

class RaftLog {
 public:
  explicit RaftLog(const LogStorage& storage) : storage_(storage) {}

  // Reads the stable indexes; `commit` comes from the hard state, `applied` from Config.
  Status init(Index commit, Index applied);

  Index first_index() const;
  Index last_index() const;
  Term last_term() const { return term_or_zero(last_index()); }
  // Errors: `compacted` below the log, `unavailable` beyond it (or storage's own errors).
  Result<Term> term(Index index) const;
  Term term_or_zero(Index index) const;
  bool match_term(Index index, Term term) const;
  // Raft §5.4.1: a log ending at (last, term) is at least as up-to-date as ours.
  bool is_up_to_date(Index last, Term term) const;
  // Entries [lo, hi), at most `max_bytes` of data but at least one entry when lo < hi.
  Result<std::vector<Entry>> slice(Index lo, Index hi, uint64_t max_bytes) const;

  // Index of the first entry whose term differs from ours (or that we lack); 0 when all match.
  Index find_conflict(const std::vector<Entry>& entries) const;
  // The largest index ≤ `index` whose term is ≤ `term` (etcd's findConflictByTerm), for fast
  // backtracking: every entry above it is known not to match a log whose entry there is `term`.
  std::pair<Index, Term> find_conflict_by_term(Index index, Term term) const;
  // AppendEntries consistency check and append (§5.3). Returns the index of the last new entry,
  // or nullopt if our log has no entry (index, log_term). Never truncates committed entries:
  // a leader asking for that is refused (nullopt with *refused set).
  std::optional<Index> maybe_append(Index index, Term log_term, Index commit,
                                    const std::vector<Entry>& entries, bool* refused);
  // Appends entries whose first index is in (committed, last_index + 1], dropping our suffix.
  void append(const std::vector<Entry>& entries);
  // Commit never decreases and never passes the last index.
  void commit_to(Index index);
  // Replaces the whole log with `snapshot` (a follower installing the leader's snapshot).
  void restore(const Snapshot& snapshot);

  Index committed() const { return committed_; }
  Index applied() const { return applied_; }
  // Last index known durable: entries above it are still waiting for the driver.
  Index stable_last_index() const;
  bool has_pending_snapshot() const { return snapshot_.has_value(); }
  const std::optional<Snapshot>& pending_snapshot() const { return snapshot_; }

  // --- Ready support: "take" hands data to the driver once; advance() confirms it. ---
  bool has_entries_to_persist() const;
  // Entries behind a pending snapshot: they (and acks for them) wait until it is durable.
  bool has_entries_behind_snapshot() const { return snapshot_ && !unstable_.empty(); }
  std::vector<Entry> take_entries_to_persist();
  bool has_snapshot_to_persist() const { return snapshot_ && !snapshot_in_progress_; }
  std::optional<Snapshot> take_snapshot_to_persist();
  // Committed, durable entries not yet handed out for applying.
  bool has_entries_to_apply() const;
  std::vector<Entry> take_entries_to_apply(uint64_t max_bytes);
  // Committed entries not yet applied (including those being applied).
  std::vector<Entry> unapplied_committed_entries() const;

  // The first storage read that failed with corruption or an I/O error; ok until then. Once
  // set, the core stops (see RaftNode::failure): a damaged log is reported, never repaired.
  const Status& failure() const { return failure_; }

  void stable_to(Index index, Term term);
  void stable_snapshot_to(Index index);
  void applied_to(Index index);

 private:
  Index unstable_last() const { return offset_ + unstable_.size() - 1; }
  Index apply_limit() const;

  // Remembers a storage read that failed for a reason other than the index range.
  template <typename T>
  Result<T> checked(Result<T> r) const {
    if (!r.ok() && r.status().code() != "compacted" && r.status().code() != "unavailable" &&
        failure_.ok()) {
      failure_ = r.status();
    }
    return r;
  }

  const LogStorage& storage_;
  mutable Status failure_;
  // Not yet durable: an optional snapshot, then unstable_[i] at index offset_ + i. Entries below
  // offset_ (and above the snapshot, if any) are in storage.
  std::optional<Snapshot> snapshot_;
  bool snapshot_in_progress_ = false;
  std::vector<Entry> unstable_;
  Index offset_ = 1;
  // Unstable entries ≤ this were handed to the driver in a Ready not yet advanced.
  Index persisting_ = 0;
  Index committed_ = 0;
  // Entries ≤ applying_ were handed out in a Ready; ≤ applied_ the driver has confirmed.
  Index applying_ = 0;
  Index applied_ = 0;
};

}  // namespace medtrail::consensus::internal
