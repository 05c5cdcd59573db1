#include "core/forward_screen.h"

#include "core/envelope_screen.h"

namespace medtrail::node {

ForwardScreen::Verdict ForwardScreen::screen(const std::string& from, ledger::Proposal proposal,
                                             Clock::time_point now) {
  Verdict v;
  const size_t n = proposal.envelopes.size();
  if (auto it = penalty_until_.find(from); it != penalty_until_.end() && now < it->second) {
    v.ignored = n;
    return v;
  }
  // Duplicates first: a member replaying the chain must not cost a signature check per record.
  std::vector<ledger::Hash> hashes(n);
  std::vector<bool> duplicate(n, false);
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = ledger::record_hash(store_.suite(), proposal.envelopes[i]);
    duplicate[i] = store_.find_record(hashes[i]).ok();
  }
  std::vector<ScreenedEnvelope> screened(n);
  auto check = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (!duplicate[i]) screened[i] = screen_envelope(store_, signers_, proposal.envelopes[i], hashes[i]);
    }
  };
  if (runner_ != nullptr) {
    runner_->parallel_for(n, check);
  } else {
    check(0, n);
  }

  bool penalise = false;
  ledger::Proposal part;
  uint64_t part_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    if (duplicate[i]) {
      ++v.duplicates;  // its first copy's outcome answers the follower's waiters
      continue;
    }
    const ScreenedEnvelope& s = screened[i];
    if (!s.ok) {
      ++v.refused;
      ++v.refused_by_code[s.code];
      penalise = penalise || s.code != "unknown_signer";
      continue;
    }
    ledger::Envelope& e = proposal.envelopes[i];
    if (verified_ != nullptr) verified_->add(VerifiedSignatures::key_of(store_.suite(), e, s.key));
    const uint64_t bytes = e.payload.size() + e.signature.size() + e.signer.size() + e.suite.size() + 64;
    if (!part.envelopes.empty() && part_bytes + bytes > options_.max_proposal_bytes) {
      v.proposals.push_back(std::move(part));
      part = ledger::Proposal();
      part_bytes = 0;
    }
    part_bytes += bytes;
    part.envelopes.push_back(std::move(e));
  }
  if (!part.envelopes.empty()) v.proposals.push_back(std::move(part));
  if (penalise) penalty_until_[from] = now + options_.penalty;
  if (v.refused > 0) {
    auto& last = logged_at_[from];
    if (last == Clock::time_point{} || now - last >= std::chrono::minutes(1)) {
      last = now;
      v.log = true;
    }
  }
  return v;
}

}  // namespace medtrail::node
