#pragma once
// The batched DLEQ proof of RFC 9497 §2.2 that VOPRF mode attaches to an evaluation: the
// evaluated elements D[i] = k * C[i] use the k behind pkS = k * G. Internal to the OPRF files.

#include <span>

#include "medtrail/ledger/oprf.h"

namespace medtrail::ledger::oprf {

// GenerateProof(k, G, pkS, C, D) with nonce `r`; the server knows k, so composites are
// computed the fast way (ComputeCompositesFast). `k` and `r` are canonical nonzero scalars,
// the elements validated, C and D of equal size.
Result<OprfProof> generate_proof(OprfMode mode, const uint8_t* k, const OprfElement& public_key,
                                 std::span<const OprfElement> c, std::span<const OprfElement> d,
                                 const uint8_t* r);

// VerifyProof(G, pkS, C, D, proof) with ComputeComposites; error `oprf_proof_failed`.
Status verify_proof(OprfMode mode, const OprfElement& public_key, std::span<const OprfElement> c,
                    std::span<const OprfElement> d, const OprfProof& proof);

}  // namespace medtrail::ledger::oprf
