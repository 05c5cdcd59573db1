#include "core/signer_directory.h"

namespace medtrail::node {

SignerDirectory SignerDirectory::from_genesis(const ledger::Genesis& genesis) {
  SignerDirectory d;
  for (const ledger::GenesisOrg& org : genesis.organisations) {
    d.keys_.emplace(org.id + "/admin", org.admin_public_key);
  }
  for (const ledger::GenesisNode& node : genesis.nodes) {
    d.keys_.emplace(ledger::Genesis::node_signer(node), node.public_key);
  }
  d.trust_ = ledger::genesis_checkpoint_trust(genesis);
  return d;
}

const ledger::Bytes* SignerDirectory::find(std::string_view signer) const {
  auto it = keys_.find(signer);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace medtrail::node
