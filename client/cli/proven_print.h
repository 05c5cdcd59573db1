#pragma once
// How `medtrail trace` and `medtrail rx verify` say what they proved of a code's public facts
// (trace_proof.h): the word, the block it is as of, and the facts it was computed from.
#include <cstdint>
#include <ostream>

#include "trace_proof.h"

namespace medtrail::cli {

// "proven: <WORD>, as of block <H> (<its time>, <age> s ago), from the chain's public facts:"
// then a line of the facts of `what` (the code, the prescription) and a dose's lot's, or that the
// chain holds no such code.
void print_proven(const ProvenTrace& proven, int64_t now_ms, std::ostream& out,
                  const char* what = "code");

// The age in seconds of the block the facts are as of, at `now_ms` (never negative).
int64_t proven_age_s(const ProvenTrace& proven, int64_t now_ms);

}  // namespace medtrail::cli
