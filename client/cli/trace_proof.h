#pragma once
// What `medtrail trace` proves of a lookup's answer (docs/trace.md, "What a client can prove"):
// the answer's "proof" carries a checkpoint, the header of its block and state proofs of the
// code's (a dose's, a batch's, a prescription's) public facts (ledger/public_facts.h). Given the
// checkpoint already judged by the genesis (checkpoint_keeper.h), this checks the header is that
// block's, each proof against the header's state root, each key against the code asked for; then
// the word the proven facts give is computed here, by the rule docs/trace.md states, not taken
// from the node. `medtrail rx verify` checks a pharmacist's view with it too (rx_proof.h).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/public_facts.h"
#include "medtrail/ledger/status.h"
#include "trace_url.h"

namespace medtrail::cli {

// A code as printed. A GS1 element string also names its product, lot and expiry: a label copied
// onto another lot's package shows as a label the proven lot does not match.
struct PrintedCode {
  std::string key_code;  // as the chain keys it
  struct Gs1Label {
    std::string gtin;    // 14 digits
    std::string expiry;  // YYMMDD, DD 00 for the end of the month
    std::string lot;
  };
  std::optional<Gs1Label> label;
};

// A dose's 20 digits as they are; "(01)<gtin>(17)<yymmdd>(10)<lot>(21)<serial>" keyed as
// "01<gtin>21<serial>", as the contracts key it; a batch's code as it is. nullopt for a dose
// code of neither form.
std::optional<PrintedCode> printed_code(TraceKind kind, const std::string& code);

struct ProvenTrace {
  uint64_t height = 0;        // the checkpoint's block
  int64_t block_time_ms = 0;  // that block's timestamp: the facts are as of then
  // The word the proven facts give now; empty when they cannot be proven at this checkpoint
  // (`pending` says why): a fact changed after it.
  std::string word;
  std::string pending;
  std::optional<ledger::PublicFacts> subject;  // the code's facts; nullopt: unknown
  ledger::PublicFacts lot;                     // a dose's lot's facts
  // Set when the printed label names another product, lot or expiry than the proven lot's: the
  // contracts refuse such a label at every use (code_lot_mismatch), and so does the client.
  std::string label_mismatch;
};

// Errors: evidence that the node served something false, `bad_proof_document` (a proof that does
// not read), `proof_invalid` / `proof_malformed` (a header that is not the checkpoint's block, a
// state proof that does not lead to its root or is for another key); and `bad_public_facts`,
// proven facts that do not decode (the contracts' fault, not the node's: no word either way).
ledger::Result<ProvenTrace> check_trace_proof(const nlohmann::json& proof,
                                              const ledger::LoadedGenesis& genesis,
                                              const ledger::SignedCheckpoint& checkpoint,
                                              TraceKind kind, const PrintedCode& code,
                                              int64_t now_ms);

// The word public facts give at `now_ms` (docs/trace.md, "The word"): for a dose from its facts
// and its lot's, for a batch or a prescription from its own; UNKNOWN_CODE when `subject` is
// nullopt. The contracts' dose_status, batch_citizen_status and rx_citizen_status give the same
// word from the full values (tests/contracts/public_word_test.cpp).
std::string proven_word(TraceKind kind, const std::optional<ledger::PublicFacts>& subject,
                        const ledger::PublicFacts& lot, int64_t now_ms, int32_t utc_offset_minutes);

}  // namespace medtrail::cli
