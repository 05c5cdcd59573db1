// Roles and elections: randomized timeouts (§3.4), pre-vote (§9.6), vote rules (§5.2, §5.4.1).

#include <algorithm>
#include <string>

#include "raft_core.h"

namespace medtrail::consensus::internal {

void RaftCore::reset_randomized_election_timeout() {
  // mt19937_64's output is fixed by the standard but uniform_int_distribution's is not, so the
  // draw is done by hand: a seed replays identically on every toolchain. The modulo bias over
  // 2^64 is negligible.
  const uint64_t span = static_cast<uint64_t>(config_.election_ticks);
  randomized_election_timeout_ = config_.election_ticks + static_cast<int>(rng_() % span);
}

void RaftCore::reset(Term term) {
  if (term != term_) {
    term_ = term;
    vote_ = kNoNode;
  }
  leader_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  reset_randomized_election_timeout();
  abort_leader_transfer();
  lame_duck_commit_ = 0;
  votes_.clear();
  progress_.clear();
  pending_conf_index_ = 0;
  uncommitted_bytes_ = 0;
  pending_reads_.clear();
  reads_awaiting_commit_.clear();
  outgoing_snapshot_.reset();
}

void RaftCore::become_follower(Term term, NodeId leader) {
  reset(term);
  leader_ = leader;
  role_ = Role::kFollower;
}

void RaftCore::become_pre_candidate() {
  // Deliberately leaves term and vote alone: a pre-candidate disturbs nobody (§9.6).
  votes_.clear();
  leader_ = kNoNode;
  role_ = Role::kPreCandidate;
}

void RaftCore::become_candidate() {
  reset(term_ + 1);
  vote_ = id();
  role_ = Role::kCandidate;
}

void RaftCore::become_leader() {
  reset(term_);
  leader_ = id();
  role_ = Role::kLeader;
  Index next = log_.last_index() + 1;
  auto add = [&](NodeId node, bool learner) {
    progress_.emplace(node, PeerProgress(next, config_.max_inflight_messages, learner));
  };
  for (NodeId v : conf_.voters) add(v, false);
  for (NodeId l : conf_.learners) add(l, true);
  PeerProgress& self = progress_.at(id());
  self.become_replicate();
  self.set_self_match(log_.stable_last_index());
  // Conservatively treat any conf change in the uncommitted tail as pending.
  pending_conf_index_ = log_.last_index();
  // §5.4.2 / §6.4: an entry of our own term lets earlier entries commit and reads be served.
  append_entries(std::vector<Entry>(1));
  on_self_persisted();
  broadcast_append();
}

bool RaftCore::promotable() const { return is_voter(id()) && !log_.has_pending_snapshot(); }

bool RaftCore::has_unapplied_conf_changes() const {
  for (const Entry& e : log_.unapplied_committed_entries()) {
    if (e.type == EntryType::kConfChange) return true;
  }
  return false;
}

void RaftCore::campaign(bool pre_vote, bool transfer) {
  if (!promotable()) return;
  if (!transfer && has_unapplied_conf_changes()) return;  // our configuration may be stale
  if (term_ >= kMaxTerm) {
    // No term above kMaxTerm exists: rather than sit leaderless for ever, stop loudly.
    fail(Status::error("term_exhausted", "term " + std::to_string(term_) +
                                             " reached the largest usable term 2^62; restore "
                                             "this node from a peer (docs/raft-safety.md)"));
    return;
  }
  Term vote_term;
  MessageType type;
  if (pre_vote) {
    become_pre_candidate();
    vote_term = term_ + 1;
    type = MessageType::kPreVote;
  } else {
    become_candidate();
    vote_term = term_;
    type = MessageType::kVote;
  }
  votes_[id()] = true;
  if (quorum() <= 1) {
    if (pre_vote) {
      campaign(false, transfer);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId voter : conf_.voters) {
    if (voter == id()) continue;
    Message m;
    m.type = type;
    m.to = voter;
    m.term = vote_term;
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    if (transfer) m.context = kTransferContext;
    send(std::move(m));
  }
}

void RaftCore::handle_vote_request(const Message& m) {
  // We may vote for the candidate we already voted for (a retransmission), for anyone if we
  // have neither voted nor heard from a leader this term, and pre-vote for any future term.
  bool can_vote = vote_ == m.from || (vote_ == kNoNode && leader_ == kNoNode) ||
                  (m.type == MessageType::kPreVote && m.term > term_);
  Message resp;
  resp.to = m.from;
  resp.type =
      m.type == MessageType::kVote ? MessageType::kVoteResponse : MessageType::kPreVoteResponse;
  if (can_vote && log_.is_up_to_date(m.index, m.log_term)) {
    resp.term = m.term;
    if (m.type == MessageType::kVote) {
      // The vote reaches stable storage (Ready::hard_state) before this response is sent.
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    resp.term = term_;
    resp.reject = true;
  }
  send(std::move(resp));
}

void RaftCore::handle_vote_response(const Message& m) {
  MessageType expected =
      role_ == Role::kPreCandidate ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  if (m.type != expected || !is_voter(m.from) || !promotable()) return;
  // A grant counts only for the term we asked about: a pre-vote grant from an earlier round
  // (or one naming another term) says nothing about this one.
  if (!m.reject && m.term != (role_ == Role::kPreCandidate ? term_ + 1 : term_)) return;
  votes_.emplace(m.from, !m.reject);  // the first answer of each voter counts
  size_t granted = 0;
  size_t rejected = 0;
  for (const auto& [node, yes] : votes_) (yes ? granted : rejected)++;
  if (granted >= quorum()) {
    if (role_ == Role::kPreCandidate) {
      campaign(false, false);
    } else {
      become_leader();
    }
  } else if (rejected > conf_.voters.size() - quorum()) {
    become_follower(term_, kNoNode);
  }
}

}  // namespace medtrail::consensus::internal
