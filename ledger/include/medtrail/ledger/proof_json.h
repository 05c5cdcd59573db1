#pragma once
// Proofs as JSON documents (docs/proofs.md), so a citizen's app, a regulator's tool or
// `medtrail verify-proof` can check them with nothing but the hashes:
//   {"type": "inclusion", "suite": "ed25519-sha256", "leaf_index": 3, "tree_size": 8,
//    "leaf_hash": "<hex>", "root": "<hex>", "path": ["<hex>", ...]}
//   {"type": "consistency", "suite": "...", "first_size": 3, "second_size": 8,
//    "first_root": "<hex>", "second_root": "<hex>", "path": ["<hex>", ...]}
//   {"type": "state", "suite": "...", "root": "<hex>", "key": "<hex>", "value": "<hex>" | null,
//    "leaf": {"key_hash": "<hex>", "value_hash": "<hex>"} | null, "siblings": ["<hex>", ...]}
// An inclusion proof may give "leaf_data" (hex of the leaf's bytes) instead of "leaf_hash"; a
// state proof may give "key_hash" instead of "key", and "value_hash" instead of "value".

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/merkle.h"
#include "medtrail/ledger/state_proof.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr size_t kMaxProofDocumentBytes = 64 * 1024;

std::string inclusion_proof_to_json(const CryptoSuite& suite, const InclusionProof& proof,
                                    const Hash& leaf_hash, const Hash& root);
std::string consistency_proof_to_json(const CryptoSuite& suite, const ConsistencyProof& proof,
                                      const Hash& first_root, const Hash& second_root);
// `value` nullopt: the proof shows that `key` holds nothing.
std::string state_proof_to_json(const CryptoSuite& suite, ByteView key,
                                const std::optional<ByteView>& value, const StateProof& proof,
                                const Hash& root);
nlohmann::json state_proof_document(const CryptoSuite& suite, ByteView key,
                                    const std::optional<ByteView>& value, const StateProof& proof,
                                    const Hash& root);

// What a verified document proved, for display.
struct ProofSummary {
  std::string type;  // "inclusion" | "consistency" | "state"
  std::string description;
};

// Parses and checks a document. Errors: `bad_proof_document` (not JSON, missing or ill-typed
// fields, bad hex, unknown type), `unknown_suite`, and verify_inclusion / verify_consistency /
// verify_state_proof's `proof_malformed` and `proof_invalid`.
Result<ProofSummary> verify_proof_document(std::string_view json);

// Checks the path of a consistency proof document a node served against the sizes and roots
// the caller already trusts (kept from an earlier verified checkpoint, and a newly verified
// one); the document's own sizes and roots are ignored, so the node chooses nothing that is
// proved. Errors as verify_proof_document.
Status verify_served_consistency(std::string_view json, const CryptoSuite& suite,
                                 uint64_t first_size, const Hash& first_root, uint64_t second_size,
                                 const Hash& second_root);

// Checks a state proof document a node served for `key` against the state root the caller
// trusts (a verified header's): the document must give the key's bytes, equal to `key`, and the
// value's bytes or null; its own root and suite are ignored. Returns the value proven, nullopt
// when the key is proven to hold nothing. Errors as verify_proof_document.
Result<std::optional<Bytes>> verify_served_state(const nlohmann::json& doc,
                                                 const CryptoSuite& suite, const Hash& state_root,
                                                 ByteView key);

// The header a node served beside a checkpoint (hex of its encoding), when it is the block the
// checkpoint signed, of the chain `chain_id`: its state root is then what the quorum signed.
// The checkpoint itself is the caller's to have verified. Errors: `proof_malformed` (not hex,
// not a header), `proof_invalid` (another block or chain).
Result<BlockHeader> checkpointed_header(const CryptoSuite& suite, const Hash& chain_id,
                                        const SignedCheckpoint& checkpoint,
                                        std::string_view header_hex);

}  // namespace medtrail::ledger
