// LogCabin-style invariant checks after every state change, in every build (TigerBeetle's
// discipline: assertions stay on in production). A violation is a bug in this module. Tests and
// the simulator abort loudly (Config::abort_on_invariant_violation); a production node latches
// failure() instead and fails closed, so no peer input can crash it, and nothing decided after
// the violation is persisted or sent.

#include <cstdio>
#include <cstdlib>

#include "raft_core.h"

namespace medtrail::consensus::internal {

void RaftCore::fail(Status status) {
  if (failure_.ok()) failure_ = std::move(status);
}

void RaftCore::check_invariants() {
  if (failed()) return;  // already stopped; nothing it does from here on is observable
  auto expect = [&](bool ok, const char* what) {
    if (ok || failed()) return;
    if (config_.abort_on_invariant_violation) {
      std::fprintf(stderr, "raft invariant violated on node %llu: %s\n",
                   static_cast<unsigned long long>(id()), what);
      std::abort();
    }
    fail(Status::error("invariant_violated", std::string("raft invariant violated: ") + what));
  };
  expect(log_.applied() <= log_.committed(), "applied <= commit");
  expect(log_.committed() <= log_.last_index(), "commit <= last index");
  expect(log_.last_index() < kMaxIndex, "last index below kMaxIndex");
  expect(term_ <= kMaxTerm, "term <= kMaxTerm");
  expect(valid_conf_state(conf_), "configuration sorted, unique, disjoint");
  expect(role_ != Role::kLeader || (leader_ == id() && vote_ == id()), "leader voted for itself");
  expect(role_ != Role::kCandidate || vote_ == id(), "candidate voted for itself");
  expect(role_ == Role::kLeader || progress_.empty(), "only a leader tracks progress");
  expect(role_ == Role::kLeader || lead_transferee_ == kNoNode, "only a leader transfers");
  for (const auto& [node, pr] : progress_) {
    expect(pr.match() < pr.next(), "progress match < next");
    expect(pr.match() <= log_.last_index(), "progress match within the log");
    expect(is_member(node), "progress only for members");
  }
  if (role_ == Role::kLeader) {
    expect(progress_.count(id()) == (lame_duck_commit_ == 0 ? 1u : 0u),
           "a leader tracks itself unless removed");
    // Reads the log (perhaps storage): only when the commit index or the term moved.
    if (log_.committed() != checked_commit_ || term_ != checked_term_) {
      checked_commit_ = log_.committed();
      checked_term_ = term_;
      expect(log_.committed() == 0 || log_.term_or_zero(log_.committed()) <= term_,
             "committed term <= current term");
    }
  }
}

}  // namespace medtrail::consensus::internal
