#pragma once
// The leader's check of the records a follower forwards. A member node's bytes are trusted no
// more than a client's: each record gets admission's checks (core/envelope_screen.h) before it
// may enter the Raft log; records already on the chain are dropped first, which costs no
// signature check. A peer whose records fail a check an honest follower's admission would
// never pass is ignored for `penalty`: screening costs a signature check per record on the Raft
// thread. `unknown_signer` is exempt — right after a leader change the new leader may not yet
// have applied the block that registered a signer the follower already knows. Refused records
// are never proposed; their ids stay pending on the follower until its client resubmits.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/signer_directory.h"
#include "core/verified_signatures.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/parallel.h"
#include "medtrail/ledger/proposal.h"

namespace medtrail::node {

class ForwardScreen {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::milliseconds penalty{5000};
    uint64_t max_proposal_bytes = 16 << 20;  // one Raft entry must fit a peer frame
  };
  // `runner` (may be null: inline) verifies signatures; `verified` (may be null) is where the
  // verdicts go so apply need not verify again.
  ForwardScreen(const ledger::ChainStore& store, const SignerDirectory& signers,
                ledger::ParallelRunner* runner, VerifiedSignatures* verified, Options options)
      : store_(store), signers_(signers), runner_(runner), verified_(verified), options_(options) {}

  struct Verdict {
    std::vector<ledger::Proposal> proposals;  // what to propose, each within max_proposal_bytes
    uint64_t refused = 0;
    uint64_t duplicates = 0;
    uint64_t ignored = 0;  // the peer was penalised
    std::map<std::string, uint64_t> refused_by_code;
    bool log = false;  // worth a log line (at most once a minute per peer)
  };
  // Driver thread only. A follower's timestamp and checkpoints are never taken.
  Verdict screen(const std::string& from, ledger::Proposal proposal, Clock::time_point now);

 private:
  const ledger::ChainStore& store_;
  const SignerDirectory& signers_;
  ledger::ParallelRunner* runner_;
  VerifiedSignatures* verified_;
  const Options options_;
  std::map<std::string, Clock::time_point> penalty_until_;  // by peer
  std::map<std::string, Clock::time_point> logged_at_;      // by peer
};

}  // namespace medtrail::node
