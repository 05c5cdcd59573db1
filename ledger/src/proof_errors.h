#pragma once
// The two ways a proof fails, shared by every proof checker (merkle.h, state_proof.h):
// `proof_malformed`, a proof no honest node could have produced for that question, and
// `proof_invalid`, a well-formed proof that does not lead to the root it is checked against.

#include <string>
#include <utility>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline Status proof_malformed(std::string message) {
  return Status::error("proof_malformed", std::move(message));
}
inline Status proof_invalid(std::string message) {
  return Status::error("proof_invalid", std::move(message));
}

}  // namespace medtrail::ledger
