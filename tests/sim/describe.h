#pragma once
// One-line descriptions of Raft values for the simulator's trace.

#include <string>

#include "medtrail/consensus/types.h"

namespace medtrail::sim {

const char* name(consensus::MessageType type);
const char* name(consensus::Role role);
const char* name(consensus::ConfChangeType type);
std::string describe(const consensus::Message& message);
std::string describe(const consensus::ConfState& conf);

}  // namespace medtrail::sim
