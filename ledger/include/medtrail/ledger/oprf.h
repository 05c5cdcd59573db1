#pragma once
// Oblivious pseudorandom functions (RFC 9497), suite ristretto255-SHA512, modes OPRF and VOPRF.
// A client learns F(skS, input) without the server learning the input; in VOPRF mode a DLEQ
// proof also shows that the server used the key behind its public key (RFC 9497 §2.2).
// Every element or scalar that may come from a peer is validated here, never trusted.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

enum class OprfMode : uint8_t { kOprf = 0x00, kVoprf = 0x01 };

inline constexpr size_t kOprfElementSize = 32, kOprfScalarSize = 32, kOprfOutputSize = 64,
                        kOprfProofSize = 64, kOprfMaxBatch = 64;
// RFC 9497 §7.1: inputs and info are length-prefixed with two bytes.
inline constexpr size_t kOprfMaxInputSize = 0xffff;

using OprfElement = std::array<uint8_t, kOprfElementSize>;  // serialized ristretto255 element
using OprfOutput = std::array<uint8_t, kOprfOutputSize>;
struct OprfProof {
  std::array<uint8_t, kOprfScalarSize> c{}, s{};
};  // serialized c || s = 64 bytes

Bytes serialize_proof(const OprfProof& proof);
// Exactly 64 bytes, both scalars canonical; error `oprf_bad_proof` otherwise.
Result<OprfProof> deserialize_proof(ByteView bytes);
// 32 bytes, a canonical ristretto255 encoding, not the identity; error `oprf_bad_element`.
Result<OprfElement> oprf_element_from_bytes(ByteView bytes);

struct OprfServerKey {
  SecureBytes secret;  // the 32-byte scalar skS: canonical and nonzero
  OprfElement public_key;
};
// RFC 9497 §3.2.1. `seed32` is secret; `info` is public (at most kOprfMaxInputSize bytes).
Result<OprfServerKey> oprf_derive_key_pair(OprfMode mode, ByteView seed32, ByteView info);
OprfServerKey oprf_generate_key_pair();
// Error `oprf_bad_scalar` unless `secret32` is a canonical nonzero scalar.
Result<OprfServerKey> oprf_server_key_from_secret(ByteView secret32);

struct OprfBlinded {
  SecureBytes blind;  // the 32-byte scalar the client keeps until finalize
  OprfElement blinded_element;
};
// Error `oprf_invalid_input` if the input hashes to the identity (RFC 9497 §3.3.1).
Result<OprfBlinded> oprf_blind(OprfMode mode, ByteView input);
// A fixed blind, for test vectors; error `oprf_bad_scalar` unless canonical and nonzero.
Result<OprfBlinded> oprf_blind_with(OprfMode mode, ByteView input, ByteView blind32);

// Server. OPRF mode: proof left zero. VOPRF mode: one proof over the whole batch.
struct OprfEvaluation {
  std::vector<OprfElement> evaluated;
  OprfProof proof;
};
Result<OprfEvaluation> oprf_blind_evaluate(OprfMode mode, const OprfServerKey& key,
                                           std::span<const OprfElement> blinded);
// A fixed proof nonce, for test vectors (ignored in OPRF mode).
Result<OprfEvaluation> oprf_blind_evaluate_with(OprfMode mode, const OprfServerKey& key,
                                                std::span<const OprfElement> blinded,
                                                ByteView proof_random32);

// Client. VOPRF mode verifies the proof against `public_key` first (error `oprf_proof_failed`)
// and requires `blinded` to be what `blinds` sent; OPRF mode ignores blinded, proof and key.
Result<std::vector<OprfOutput>> oprf_finalize(OprfMode mode, std::span<const Bytes> inputs,
                                              std::span<const OprfBlinded> blinds,
                                              std::span<const OprfElement> evaluated,
                                              std::span<const OprfElement> blinded,
                                              const OprfProof& proof,
                                              const OprfElement& public_key);

// Server-side direct evaluation (no blinding), equal to what finalize yields.
Result<OprfOutput> oprf_evaluate(OprfMode mode, const OprfServerKey& key, ByteView input);

}  // namespace medtrail::ledger
