// The Raft driver's inbox: what authenticated peers send, bounded per peer, and the leader's
// screening of the records followers forward (core/forward_screen.h). on_frame runs on the
// peer network's io threads; step_inbox and propose_forwarded on the driver thread.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/peer_frames.h"
#include "core/raft_driver.h"
#include "core/raft_driver_internal.h"
#include "core/raft_ids.h"

namespace medtrail::node {

using driver_internal::from_raft;

namespace {

// Peers cannot make the driver hoard what they send: each authenticated peer has its own share
// of the inbox (so a hostile one cannot crowd out the others), bounded in frames, bytes and
// forwarded records. Beyond it new frames are dropped: Raft tolerates loss, the sender retries,
// and a follower's clients resubmit.
constexpr size_t kMaxInboxMessagesPerPeer = 16384;
constexpr uint64_t kMaxInboxBytesPerPeer = 256ull << 20;
// A decoded envelope costs memory even when its bytes were few.
constexpr size_t kMaxInboxRecordsPerPeer = 200000;
// Screening costs a signature check per record on this thread. Forwards are split into slices
// on arrival and at most kScreenBudget records are screened per loop (at least one slice), so
// ticks and heartbeats go on whatever peers forward; the rest waits for the next loop.
constexpr size_t kForwardSlice = 1024;
constexpr size_t kScreenBudget = 2048;

}  // namespace

void RaftDriver::on_frame(const std::string& from, std::string frame) {
  auto decoded = decode_peer_frame(frame, options_.max_frame_bytes);
  if (!decoded.ok()) {
    std::lock_guard lock(status_mu_);
    ++refusals_of(from).malformed_frames;
    return;
  }
  if (auto* cp = std::get_if<ledger::SignedCheckpoint>(&*decoded)) {
    // Pooled straight from the io thread: the pool is thread-safe and the driver need not wake.
    Status s = cp->checkpoint.chain_id == store_.chain_id()
                   ? checkpoints_.add(*cp, store_.height())
                   : Status::error("checkpoint_wrong_chain", "checkpoint of another chain");
    if (!s.ok()) {
      std::lock_guard lock(status_mu_);
      ++refusals_of(from).checkpoint_signatures;
    }
    return;
  }
  bool refused = false;
  bool forwarded = false;
  {
    std::lock_guard lock(inbox_mu_);
    InboxUse& use = inbox_use_[from];
    const uint64_t bytes = frame.size();
    if (use.bytes + bytes > kMaxInboxBytesPerPeer) {
      refused = true;
      forwarded = std::holds_alternative<ledger::Proposal>(*decoded);
    } else if (auto* message = std::get_if<consensus::Message>(&*decoded)) {
      // The link authenticated `from`; a message claiming another sender is refused.
      if (message->from != raft_id_of(from) || use.messages >= kMaxInboxMessagesPerPeer) {
        refused = true;
      } else {
        ++use.messages;
        use.bytes += bytes;
        inbox_messages_.push_back({from, bytes, std::move(*message)});
      }
    } else {
      forwarded = true;
      ledger::Proposal& p = std::get<ledger::Proposal>(*decoded);
      if (use.records + p.envelopes.size() > kMaxInboxRecordsPerPeer) {
        refused = true;
      } else {
        use.records += p.envelopes.size();
        use.bytes += bytes;
        // Slices of at most kForwardSlice records, each charged its share of the frame's bytes.
        const size_t slices = std::max<size_t>(1, (p.envelopes.size() + kForwardSlice - 1) / kForwardSlice);
        for (size_t k = 0; k < slices; ++k) {
          Forwarded f{from, bytes / slices, {}};
          const size_t begin = k * kForwardSlice;
          const size_t end = std::min(p.envelopes.size(), begin + kForwardSlice);
          for (size_t i = begin; i < end; ++i) f.proposal.envelopes.push_back(std::move(p.envelopes[i]));
          inbox_forwarded_.push_back(std::move(f));
        }
      }
    }
    if (!refused) woken_ = true;
  }
  if (refused) {
    std::lock_guard lock(status_mu_);
    if (forwarded) {
      ++refusals_of(from).forwarded_ignored;
    } else {
      ++refusals_of(from).raft_messages;
    }
    return;
  }
  inbox_cv_.notify_one();
}

void RaftDriver::step_inbox() {
  std::vector<InboxMessage> messages;
  std::deque<Forwarded> forwarded;
  std::vector<std::pair<consensus::ConfChange, std::function<void(Status)>>> conf_changes;
  {
    std::lock_guard lock(inbox_mu_);
    messages.swap(inbox_messages_);
    forwarded.swap(inbox_forwarded_);
    inbox_use_.clear();
    conf_changes.swap(inbox_conf_changes_);
  }
  for (auto& [change, done] : conf_changes) {
    Status s = from_raft(raft_->propose_conf_change(change));
    if (done) done(s);
  }
  for (const InboxMessage& m : messages) {
    // A peer's bad message is its problem, not ours; step refuses it and we carry on. Only
    // `invalid` is the peer's fault: `dropped` is a term raise deferred to a later timeout.
    if (raft_->step(m.message).code() == "invalid") {
      std::lock_guard lock(status_mu_);
      ++refusals_of(m.from).raft_messages;
    }
  }
  size_t screened = 0;
  while (!forwarded.empty() && (screened == 0 || screened + forwarded.front().proposal.envelopes.size() <= kScreenBudget)) {
    Forwarded f = std::move(forwarded.front());
    forwarded.pop_front();
    if (raft_->soft_state().role == consensus::Role::kLeader) {
      screened += f.proposal.envelopes.size();
      propose_forwarded(f.from, std::move(f.proposal));
    } else {
      std::lock_guard lock(status_mu_);
      ++stats_.proposals_dropped;  // leadership moved on; the follower's clients resubmit
    }
  }
  if (!forwarded.empty()) {
    // Next loop's work, ahead of what arrived meanwhile, still charged to its senders.
    std::lock_guard lock(inbox_mu_);
    for (const Forwarded& f : forwarded) {
      InboxUse& use = inbox_use_[f.from];
      use.records += f.proposal.envelopes.size();
      use.bytes += f.bytes;
    }
    for (Forwarded& f : inbox_forwarded_) forwarded.push_back(std::move(f));
    inbox_forwarded_ = std::move(forwarded);
    woken_ = true;
  }
}

void RaftDriver::propose_forwarded(const std::string& from, ledger::Proposal proposal) {
  ForwardScreen::Verdict v = forward_screen_->screen(from, std::move(proposal), time_.now());
  if (v.refused > 0 || v.duplicates > 0 || v.ignored > 0) {
    std::lock_guard lock(status_mu_);
    PeerRefusals& r = refusals_of(from);
    r.forwarded_records += v.refused;
    r.forwarded_duplicates += v.duplicates;
    r.forwarded_ignored += v.ignored;
  }
  if (v.log) {
    // Reason codes only: no record content, no patient data.
    std::string codes;
    for (const auto& [code, count] : v.refused_by_code) {
      codes += (codes.empty() ? "" : ", ") + code + " " + std::to_string(count);
    }
    spdlog::warn("raft: refused {} forwarded record(s) from {} ({}); counted in "
                 "medtrail_peer_refusals_total",
                 v.refused, from, codes);
  }
  // Into the leader's own queue, due at once (they lingered on the follower): they share the
  // next proposal with the leader's own records instead of each batch becoming a block.
  for (ledger::Proposal& p : v.proposals) {
    const size_t n = p.envelopes.size();
    if (!queue_.push_lingered(std::move(p.envelopes), time_.now())) {
      // No room: the follower's clients resubmit (their ids stay pending there).
      std::lock_guard lock(status_mu_);
      refusals_of(from).forwarded_ignored += n;
    }
  }
}

}  // namespace medtrail::node
