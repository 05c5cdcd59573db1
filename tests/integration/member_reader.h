#pragma once
// A regulator's auditor (or another role of reg-c) registered on a test cluster, reading the way members read
// (docs/api-auth.md): each GET carries a freshly signed access.query, which the node commits
// before it answers.
#include <string>

#include "integration/cluster_harness.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::integration {

class MemberReader {
 public:
  // Registers "reg-c/<name>" (identity.register by reg-c's admin) through the running nodes and
  // waits until every running node has applied it (a node that has not yet would refuse the
  // reader as unknown_signer); throws when that does not happen within a minute.
  explicit MemberReader(Cluster& cluster, const std::string& name = "auditor");

  // GET `target` on `client`'s node, whose id is `node`, with a new signed query (purpose "audit").
  testing::HttpResponse get(testing::HttpClient& client, const std::string& node, const std::string& target) const;
  // The Authorization value of a new signed query for GET `target`, addressed to `node`.
  std::string authorization(const std::string& node, const std::string& target) const;

  // The reader's identity and key, for a CLI run as them.
  const std::string& id() const { return id_; }
  const ledger::KeyPair& key() const { return key_; }

 private:
  ledger::LoadedGenesis genesis_;
  ledger::KeyPair key_;
  std::string id_;
};

}  // namespace medtrail::integration
