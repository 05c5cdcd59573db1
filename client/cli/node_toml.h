#pragma once
// The node.toml the CLI writes for a node: enough for medtrail-node to start as is.
#include <string>

#include "medtrail/ledger/genesis.h"

namespace medtrail::cli {

// Paths relative to the node's own directory (so a cluster directory moves whole), except
// `genesis_path`, written as given. `join`: a node added after genesis ([cluster] join).
// `pseudonym_service`: the node runs the pseudonym service from its pseudonym.key.
std::string node_toml(const ledger::GenesisNode& node, const std::string& genesis_path, bool join,
                      bool pseudonym_service = false);

}  // namespace medtrail::cli
