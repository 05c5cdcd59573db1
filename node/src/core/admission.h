#pragma once
// Admission: what a node checks before it queues a record for a proposal. Every envelope is
// validated (payload fields, the chain's suite) and its signature verified against the key the
// chain knows for its signer — spread over the verify pool for batches. A record already on the
// chain is answered with its existing leaf; one already pending is not queued twice (the request
// waits for the first copy). A full queue refuses the request's new records (`overloaded`).
#include <chrono>
#include <functional>
#include <vector>

#include "core/envelope_screen.h"
#include "core/record_status.h"
#include "core/record_tracker.h"
#include "core/signer_directory.h"
#include "core/submission_queue.h"
#include "core/time_source.h"
#include "core/verified_signatures.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/parallel.h"

namespace medtrail::node {

class Admission {
 public:
  using Clock = std::chrono::steady_clock;
  // One status per submitted item, in order.
  using Done = std::function<void(std::vector<RecordStatus>)>;

  // `pending_ttl`: how long a queued record's id stays pending (and duplicates of it wait for
  // it) before it may be submitted again. `verified` (optional): where admitted signatures are
  // noted for this node's apply step. `time`: the simulator's clock (core/time_source.h).
  Admission(ledger::ChainStore& store, const SignerDirectory& signers, RecordTracker& tracker,
            SubmissionQueue& queue, ledger::ParallelRunner& verify_pool,
            std::chrono::milliseconds pending_ttl, VerifiedSignatures* verified = nullptr,
            const TimeSource& time = real_time())
      : store_(store),
        signers_(signers),
        tracker_(tracker),
        queue_(queue),
        verify_pool_(verify_pool),
        pending_ttl_(pending_ttl),
        verified_(verified),
        time_(time) {}

  // `items` are the request's envelopes as parsed (an error makes that item kInvalid). Calls
  // `done` exactly once: at once when !wait_for_commit, otherwise when every record is final
  // or `deadline` has passed (those still in flight are then kPending). It may be called on
  // this thread or on the Raft driver's.
  void submit(std::vector<Result<ledger::Envelope>> items, bool wait_for_commit,
              Clock::time_point deadline, Done done);
  // The same for envelopes this node's own code screened a moment ago (screen_envelope, in
  // `screened`, one per item): a signed query checked at the API's door is not verified twice.
  // Apply still checks everything, on every node.
  void submit_screened(std::vector<ledger::Envelope> items, std::vector<ScreenedEnvelope> screened,
                       bool wait_for_commit, Clock::time_point deadline, Done done);

 private:
  // Tracks, dedupes and queues `items` as `checked` screened them.
  void admit(std::vector<Result<ledger::Envelope>> items, std::vector<ScreenedEnvelope> checked,
             bool wait_for_commit, Clock::time_point deadline, Done done);

  ledger::ChainStore& store_;
  const SignerDirectory& signers_;
  RecordTracker& tracker_;
  SubmissionQueue& queue_;
  ledger::ParallelRunner& verify_pool_;
  const std::chrono::milliseconds pending_ttl_;
  VerifiedSignatures* verified_;  // may be null: records what apply need not verify again
  const TimeSource& time_;
};

}  // namespace medtrail::node
