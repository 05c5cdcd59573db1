#pragma once
// What a node checks of an envelope before it may enter the Raft log, whoever hands it over:
// one of the node's own clients (admission), or a follower forwarding what its clients
// submitted (the leader screens those too: a member node's bytes are not trusted more than a
// client's). The chain's suite, the payload's structure and sizes, a signer the chain knows,
// and the signature under that signer's key. The apply step checks all of it again on every
// node; screening only keeps what apply would refuse out of the log.
#include <optional>
#include <string>

#include "core/signer_directory.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node {

struct ScreenedEnvelope {
  ledger::Hash hash{};  // the record's hash on this chain (set whatever the verdict)
  std::string id;       // its hex: the record id
  ledger::Bytes key;    // the signer's public key, once verified
  bool ok = false;
  std::string code;     // why not ok: wrong_suite, unknown_signer, or the envelope check's code
  std::string message;
};

// Thread-safe for concurrent calls (reads the store and the directory only).
ScreenedEnvelope screen_envelope(const ledger::ChainStore& store, const SignerDirectory& signers,
                                 const ledger::Envelope& envelope);
// The same, for a caller that already hashed the record under the chain's suite.
ScreenedEnvelope screen_envelope(const ledger::ChainStore& store, const SignerDirectory& signers,
                                 const ledger::Envelope& envelope, const ledger::Hash& record_hash);

}  // namespace medtrail::node
