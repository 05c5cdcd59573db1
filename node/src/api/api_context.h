#pragma once
// What the HTTP API handlers reach: the node's parts, owned by the node's wiring (app/), all
// outliving the server. Handlers run on io threads; every part listed is safe to use from them.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "api/citizen_identity.h"
#include "config/node_config.h"
#include "core/admission.h"
#include "core/patient_key_store.h"
#include "core/raft_driver.h"
#include "core/record_tracker.h"
#include "core/signer_directory.h"
#include "core/submission_queue.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/oprf.h"
#include "peer/peer_network.h"

namespace medtrail::node::api {

struct ApiContext {
  std::string node_id;
  const NodeConfig* config = nullptr;
  const ledger::Genesis* genesis = nullptr;
  ledger::ChainStore* store = nullptr;
  Admission* admission = nullptr;
  RaftDriver* driver = nullptr;
  SubmissionQueue* queue = nullptr;
  RecordTracker* tracker = nullptr;
  peer::PeerNetwork* peers = nullptr;     // null in single-node tests
  const SignerDirectory* signers = nullptr;  // for the admin endpoint's signature check
  // The pseudonym service's key on the one node that runs it ([pseudonym]); null elsewhere.
  const ledger::OprfServerKey* pseudonym_key = nullptr;
  // The identity check for citizens' own refs ([pseudonym] citizen_credentials); null: none.
  const CitizenIdentityCheck* citizen_check = nullptr;
  // The key service's patient keys, on the pseudonym service's node; null elsewhere.
  PatientKeyStore* patient_keys = nullptr;
  // The node's signing key and identity ("<org>/<node id>"), for records the node itself
  // vouches for (a citizen's pseudonym request). Null in tests that need none.
  const ledger::KeyPair* node_key = nullptr;
  std::string node_signer;
  const std::atomic<bool>* accepting = nullptr;  // false while shutting down: POSTs get 503
  // Runs work on an io thread: a read answered after its record commits is served there, not
  // on the Raft driver thread that reports the commit. Null: run it in place.
  std::function<void(std::function<void()>)> defer;
  // Runs work on an io thread after `delay` (a public lookup answers no sooner than its floor,
  // so that known and unknown codes take the same time). Null: run it in place.
  std::function<void(std::chrono::nanoseconds delay, std::function<void()>)> after;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace medtrail::node::api
