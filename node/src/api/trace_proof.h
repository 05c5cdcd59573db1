#pragma once
// The proof behind a citizen's lookup (docs/trace.md, "What a client can prove"): the public
// facts the answer's word rests on, each proven against the state root of a checkpoint a quorum
// signed, so that a client holding only the genesis checks them and trusts no node:
//   {"checkpoint": <the checkpoint's JSON>,
//    "header": "<hex of the encoded block header at the checkpoint's height>",
//    "states": [<a state proof document (docs/proofs.md)>
//               | {"key": "<hex>", "changed_after_checkpoint": true}, ...]}
// The keys: a dose's public facts, "pub/vcode/<code>", then its lot's, "pub/<the dose's lot
// key>"; a batch's, "pub/tw/<code>"; a prescription's, "pub/rx/<id>". A code the chain does not
// know is proven absent.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/trace_lookup.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"

namespace medtrail::node::api {

// `code` as the lookup canonicalised it (the answer's "code"). nullopt when nothing can be proven
// now: the checkpoint's height is not in the store or no longer in the state map's window, or
// the store cannot be read (the answer goes without a proof, as before one was kept).
std::optional<nlohmann::json> trace_proof_json(const ledger::ChainStore& store,
                                               const ledger::SignedCheckpoint& cp, TraceKind kind,
                                               const std::string& code);

}  // namespace medtrail::node::api
