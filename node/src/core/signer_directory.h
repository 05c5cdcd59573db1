#pragma once
// Who may sign records, by identity id. Until the identity contract (issue 5) registers people,
// the chain knows the keys genesis names: each organisation's admin ("<org>/admin") and each
// node ("<org>/<node>").

#include <map>
#include <string>
#include <string_view>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::node {

class SignerDirectory {
 public:
  static SignerDirectory from_genesis(const ledger::Genesis& genesis);

  // The signer's public key, or nullptr when the chain does not know it.
  const ledger::Bytes* find(std::string_view signer) const;
  size_t size() const { return keys_.size(); }
  // Node keys, their organisations and the quorum: who makes a checkpoint trusted.
  const ledger::CheckpointTrust& checkpoint_trust() const { return trust_; }

 private:
  std::map<std::string, ledger::Bytes, std::less<>> keys_;
  ledger::CheckpointTrust trust_;
};

}  // namespace medtrail::node
