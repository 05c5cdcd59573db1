#include "core/signer_directory.h"

#include "core/store_state_view.h"
#include "medtrail/contracts/directory.h"

namespace medtrail::node {

ledger::Result<SignerDirectory> SignerDirectory::from_genesis(const ledger::Genesis& genesis,
                                                              const ledger::Hash& chain_id) {
  SignerDirectory d;
  for (const ledger::GenesisOrg& org : genesis.organisations) {
    d.keys_.emplace(org.id + "/admin", org.admin_public_key);
  }
  for (const ledger::GenesisNode& node : genesis.nodes) {
    d.keys_.emplace(ledger::Genesis::node_signer(node), node.public_key);
  }
  d.trust_ = ledger::genesis_checkpoint_trust(genesis);
  auto params = contracts::ChainParams::from_genesis(genesis, chain_id);
  if (!params.ok()) return params.status();
  d.params_ = std::move(params).value();
  return d;
}

const ledger::Bytes* SignerDirectory::find(std::string_view signer) const {
  auto it = keys_.find(signer);
  return it == keys_.end() ? nullptr : &it->second;
}

std::optional<ledger::Bytes> SignerDirectory::lookup(const ledger::ChainStore& store,
                                                     std::string_view signer) const {
  StoreStateView view(store);
  std::optional<contracts::Signer> s = contracts::find_signer(view, params_, signer);
  if (view.failed() || !s || s->public_key.empty()) return std::nullopt;
  return s->public_key;
}

}  // namespace medtrail::node
