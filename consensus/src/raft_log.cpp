#include "raft_log.h"

#include <algorithm>

#include "medtrail/consensus/raft.h"

namespace medtrail::consensus::internal {

namespace {
uint64_t entry_bytes(const Entry& e) { return e.data.size(); }
}  // namespace

Status RaftLog::init(Index commit, Index applied) {
  Index first = storage_.first_index();
  Index last = storage_.last_index();
  if (first == 0 || last + 1 < first || last >= kMaxIndex) {
    return Status::error("invalid", "storage reports an inconsistent index range");
  }
  offset_ = last + 1;
  persisting_ = last;
  if (commit > last) return Status::error("invalid", "hard state commit is beyond the log");
  committed_ = std::max(commit, first - 1);
  if (applied > committed_) return Status::error("invalid", "Config::applied is beyond commit");
  applied_ = std::max(applied, first - 1);
  applying_ = applied_;
  return Status();
}

Index RaftLog::first_index() const {
  return snapshot_ ? snapshot_->meta.index + 1 : storage_.first_index();
}

Index RaftLog::last_index() const {
  if (!unstable_.empty()) return unstable_last();
  if (snapshot_) return snapshot_->meta.index;
  return offset_ - 1;
}

Index RaftLog::stable_last_index() const { return snapshot_ ? 0 : offset_ - 1; }

Result<Term> RaftLog::term(Index index) const {
  if (snapshot_ && index == snapshot_->meta.index) return snapshot_->meta.term;
  // Beyond the log first: index + 1 below would wrap for an index of UINT64_MAX.
  if (index > last_index()) return Status::error("unavailable", "index is beyond the log");
  if (index + 1 < first_index()) return Status::error("compacted", "index is compacted");
  if (index >= offset_) return unstable_[index - offset_].term;
  if (index == 0) return Term{0};
  return checked(storage_.term(index));
}

Term RaftLog::term_or_zero(Index index) const {
  auto t = term(index);
  return t.ok() ? *t : 0;
}

bool RaftLog::match_term(Index index, Term term_value) const {
  auto t = term(index);
  return t.ok() && *t == term_value;
}

bool RaftLog::is_up_to_date(Index last, Term term_value) const {
  return term_value > last_term() || (term_value == last_term() && last >= last_index());
}

Result<std::vector<Entry>> RaftLog::slice(Index lo, Index hi, uint64_t max_bytes) const {
  std::vector<Entry> out;
  if (lo >= hi) return out;
  if (lo < first_index()) return Status::error("compacted", "slice starts below the log");
  if (hi > last_index() + 1) return Status::error("unavailable", "slice ends beyond the log");
  uint64_t bytes = 0;
  if (lo < offset_) {
    auto stored = checked(storage_.entries(lo, std::min(hi, offset_), max_bytes));
    if (!stored.ok()) return stored.status();
    for (auto& e : *stored) {
      bytes += entry_bytes(e);
      out.push_back(std::move(e));
    }
    if (out.empty() || out.back().index + 1 != std::min(hi, offset_)) return out;  // size limit
  }
  for (Index i = std::max(lo, offset_); i < hi; ++i) {
    const Entry& e = unstable_[i - offset_];
    if (!out.empty() && bytes + entry_bytes(e) > max_bytes) break;
    bytes += entry_bytes(e);
    out.push_back(e);
  }
  return out;
}

Index RaftLog::find_conflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!match_term(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<Index, Term> RaftLog::find_conflict_by_term(Index index, Term term_value) const {
  index = std::min(index, last_index());
  for (;;) {
    auto t = term(index);
    if (!t.ok()) return {index, 0};
    if (*t <= term_value || index == 0) return {index, *t};
    --index;
  }
}

std::optional<Index> RaftLog::maybe_append(Index index, Term log_term, Index commit,
                                           const std::vector<Entry>& entries, bool* refused) {
  *refused = false;
  if (!match_term(index, log_term)) return std::nullopt;
  Index last_new = index + entries.size();
  Index conflict = find_conflict(entries);
  if (conflict != 0) {
    if (conflict <= committed_) {
      // A leader never rewrites committed entries (Leader Completeness); refuse a peer that tries.
      *refused = true;
      return std::nullopt;
    }
    append(std::vector<Entry>(entries.begin() + (conflict - index - 1), entries.end()));
  }
  commit_to(std::min(commit, last_new));
  return last_new;
}

void RaftLog::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  Index from = entries.front().index;
  if (from <= committed_ || from > last_index() + 1) return;  // callers check; never corrupt
  if (from == offset_ + unstable_.size()) {
    unstable_.insert(unstable_.end(), entries.begin(), entries.end());
  } else if (from >= offset_) {
    unstable_.resize(from - offset_);
    unstable_.insert(unstable_.end(), entries.begin(), entries.end());
  } else {
    // The conflict is in storage: the replacement suffix starts at `from`.
    unstable_ = entries;
    offset_ = from;
  }
  persisting_ = std::min(persisting_, from - 1);
}

void RaftLog::commit_to(Index index) {
  if (index > committed_ && index <= last_index()) committed_ = index;
}

void RaftLog::restore(const Snapshot& snapshot) {
  committed_ = snapshot.meta.index;
  snapshot_ = snapshot;
  snapshot_in_progress_ = false;
  unstable_.clear();
  offset_ = snapshot.meta.index + 1;
  persisting_ = snapshot.meta.index;
}

bool RaftLog::has_entries_to_persist() const {
  return !snapshot_ && !unstable_.empty() && persisting_ < unstable_last();
}

std::vector<Entry> RaftLog::take_entries_to_persist() {
  // A Ready never carries a snapshot and entries together: the entries wait until the snapshot
  // is durable, so a driver can never apply them in the wrong order.
  if (!has_entries_to_persist()) return {};
  Index from = std::max(persisting_ + 1, offset_);
  std::vector<Entry> out(unstable_.begin() + (from - offset_), unstable_.end());
  persisting_ = unstable_last();
  return out;
}

std::optional<Snapshot> RaftLog::take_snapshot_to_persist() {
  if (!has_snapshot_to_persist()) return std::nullopt;
  snapshot_in_progress_ = true;
  return snapshot_;
}

Index RaftLog::apply_limit() const {
  // etcd's rule: only committed entries that are also durable here are applied.
  return std::min(committed_, stable_last_index());
}

bool RaftLog::has_entries_to_apply() const { return !snapshot_ && applying_ < apply_limit(); }

std::vector<Entry> RaftLog::take_entries_to_apply(uint64_t max_bytes) {
  if (!has_entries_to_apply()) return {};
  auto entries = slice(applying_ + 1, apply_limit() + 1, max_bytes);
  if (!entries.ok() || entries->empty()) return {};  // retried on the next Ready
  applying_ = entries->back().index;
  return std::move(*entries);
}

std::vector<Entry> RaftLog::unapplied_committed_entries() const {
  if (applied_ >= committed_) return {};
  auto entries = slice(applied_ + 1, committed_ + 1, UINT64_MAX);
  return entries.ok() ? std::move(*entries) : std::vector<Entry>{};
}

void RaftLog::stable_to(Index index, Term term_value) {
  if (index < offset_ || index > unstable_last() || unstable_.empty()) return;
  // A later append may have replaced the entry the driver persisted: then it stays unstable.
  if (unstable_[index - offset_].term != term_value) return;
  unstable_.erase(unstable_.begin(), unstable_.begin() + (index - offset_ + 1));
  offset_ = index + 1;
}

void RaftLog::stable_snapshot_to(Index index) {
  if (snapshot_ && snapshot_->meta.index == index) {
    snapshot_.reset();
    snapshot_in_progress_ = false;
    applied_ = std::max(applied_, index);
    applying_ = std::max(applying_, index);
  }
}

void RaftLog::applied_to(Index index) {
  if (index > applied_ && index <= committed_) applied_ = index;
  applying_ = std::max(applying_, applied_);
}

}  // namespace medtrail::consensus::internal
