// LogCabin-style invariant checks after every state change, in debug builds (or when
// MEDTRAIL_RAFT_INVARIANTS is defined). A violation is a bug in this module: abort loudly.

#include <cstdio>
#include <cstdlib>

#include "raft_core.h"

namespace medtrail::consensus::internal {

#if !defined(NDEBUG) || defined(MEDTRAIL_RAFT_INVARIANTS)
namespace {
[[noreturn]] void violated(NodeId id, const char* what) {
  std::fprintf(stderr, "raft invariant violated on node %llu: %s\n",
               static_cast<unsigned long long>(id), what);
  std::abort();
}
}  // namespace
#endif

void RaftCore::check_invariants() const {
#if !defined(NDEBUG) || defined(MEDTRAIL_RAFT_INVARIANTS)
  auto expect = [&](bool ok, const char* what) {
    if (!ok) violated(id(), what);
  };
  expect(log_.applied() <= log_.committed(), "applied <= commit");
  expect(log_.committed() <= log_.last_index(), "commit <= last index");
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
    expect(log_.committed() == 0 || log_.term_or_zero(log_.committed()) <= term_,
           "committed term <= current term");
  }
#endif
}

}  // namespace medtrail::consensus::internal
