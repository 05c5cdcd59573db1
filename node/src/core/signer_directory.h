#pragma once
// Who may sign records, by identity id: the keys genesis names (each organisation's admin
// "<org>/admin", each node "<org>/<node>") and the people and nodes the identity and governance
// contracts added to the chain's state. Also the chain's fixed contract parameters and the
// checkpoint trust, both derived from genesis.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "medtrail/contracts/context.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node {

class SignerDirectory {
 public:
  // Errors: the contract parameters genesis gives are unusable (`bad_genesis`, ...).
  static ledger::Result<SignerDirectory> from_genesis(const ledger::Genesis& genesis,
                                                      const ledger::Hash& chain_id);

  // The signer's public key as genesis names it, or nullptr.
  const ledger::Bytes* find(std::string_view signer) const;
  // The key the chain knows now for `signer` (genesis, or registered in `store`'s state),
  // whatever its validity; nullopt when unknown or when the state cannot be read.
  std::optional<ledger::Bytes> lookup(const ledger::ChainStore& store, std::string_view signer) const;
  size_t size() const { return keys_.size(); }
  // Node keys, their organisations and the quorum: who makes a checkpoint trusted.
  const ledger::CheckpointTrust& checkpoint_trust() const { return trust_; }
  const contracts::ChainParams& chain_params() const { return params_; }

 private:
  std::map<std::string, ledger::Bytes, std::less<>> keys_;
  ledger::CheckpointTrust trust_;
  contracts::ChainParams params_;
};

}  // namespace medtrail::node
