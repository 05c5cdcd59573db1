#pragma once
// A node that joined after genesis, as the membership change that added it describes it: a
// genesis node entry (ledger/genesis.h, parse_genesis_node). It travels as the Raft conf change's context
// (strict JSON, bounded) and is kept in the meta column family under "member/<id>", written in
// the batch that applies the change.
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node {


std::string member_to_json(const ledger::GenesisNode& node);
// Errors: `bad_member` naming the field. `suite` sizes the public key.
ledger::Result<ledger::GenesisNode> member_from_json(std::string_view json,
                                                     const ledger::CryptoSuite& suite);

std::string member_key(const std::string& node_id);
// Every member record in the store.
ledger::Result<std::vector<ledger::GenesisNode>> load_members(const ledger::ChainStore& store);

}  // namespace medtrail::node
