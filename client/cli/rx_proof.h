#pragma once
// What `medtrail rx verify` proves of a pharmacist's view of a prescription
// (GET /v1/prescriptions/{id}, docs/trace.md): its "proof" carries the prescription's public facts
// proven against a checkpoint's block, as the citizen's lookup does (trace_proof.h), and the
// proofs that the view's trail lists every step the chain keeps about it (trail_proofs.h). Given
// that checkpoint already judged (checkpoint_keeper.h), this checks both. What each step says
// stays the node's word: its leaf carries the record's body, which the view does not send.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::cli {

struct RxProof {
  std::string report;  // what was proven, and what not and why: a line each
  // The word the proven facts give ("" when they cannot be proven now or do not verify), and
  // whether it is the one the node's `status` says.
  std::string word;
  bool status_matches = false;
  int64_t block_time_ms = 0;  // of the checkpoint's block: the facts are as of then
  // Evidence that the node served something false: a proof that does not verify, a status the
  // proven facts contradict, a trail that leaves steps out or puts others in.
  bool refuted = false;
  // The height at which the listed trail was shown to be every step; 0 when it was not (the list
  // cut short, no proofs of it, or refuted).
  uint64_t complete_at = 0;
  // The dispenses the view lists (in the prescription's value, and as accepted rx.dispense steps
  // below the checkpoint) are as many as the proven facts count. Which steps they are, and who
  // signed them, stays the node's word.
  bool dispenses_agree = false;

  // A dispense may follow: the status is proven, is the node's, VALID or PARTLY_DISPENSED, the
  // steps listed are every step and their dispenses the proven count (else a node could hide a
  // dispense while the status stays "dispensing").
  bool allows_dispense() const {
    return status_matches && !refuted && complete_at != 0 && dispenses_agree &&
           (word == "VALID" || word == "PARTLY_DISPENSED");
  }
};

// `body`: the view; `checkpoint`: its proof's, judged by the caller (both proofs are checked
// against it, whatever checkpoint the body names). `now_ms` dates the word. A node's status that
// differs from the proven word only by a day's turn between the node's clock and this one is
// not counted a lie (nor a match).
RxProof check_rx_view(const nlohmann::json& body, const std::string& rx_id,
                      const ledger::LoadedGenesis& genesis,
                      const ledger::SignedCheckpoint& checkpoint, int64_t now_ms);

}  // namespace medtrail::cli
