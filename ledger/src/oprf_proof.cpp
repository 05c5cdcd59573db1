// RFC 9497 §2.2: the batched Chaum-Pedersen proof (Fiat-Shamir) that VOPRF mode sends, and the
// proof's wire form (c || s).

#include "oprf_proof.h"

#include <sodium.h>

#include <algorithm>

#include "oprf_group.h"

namespace medtrail::ledger::oprf {
namespace {

struct Composites {
  OprfElement m{}, z{};
};

// seed = Hash(I2OSP(len(Bm), 2) || Bm || I2OSP(len(seedDST), 2) || seedDST).
std::array<uint8_t, crypto_hash_sha512_BYTES> composite_seed(OprfMode mode,
                                                             const OprfElement& public_key) {
  Bytes transcript;
  append_framed(transcript, public_key);
  append_framed(transcript, as_bytes("Seed-" + context_string(mode)));
  std::array<uint8_t, crypto_hash_sha512_BYTES> seed;
  crypto_hash_sha512(seed.data(), transcript.data(), transcript.size());
  return seed;
}

Status composite_weight(OprfMode mode, ByteView seed, size_t i, const OprfElement& c,
                        const OprfElement& d, Scalar& weight) {
  Bytes transcript;
  append_framed(transcript, seed);
  append_u16(transcript, i);
  append_framed(transcript, c);
  append_framed(transcript, d);
  append_text(transcript, "Composite");
  return hash_to_scalar(mode, transcript, weight);
}

// ComputeComposites, or ComputeCompositesFast when the server passes its key `k`: then
// Z = k * M replaces the second weighted sum.
Status compute_composites(OprfMode mode, const OprfElement& public_key,
                          std::span<const OprfElement> c, std::span<const OprfElement> d,
                          const uint8_t* k, Composites& out) {
  const auto seed = composite_seed(mode, public_key);
  out = Composites{};
  for (size_t i = 0; i < c.size(); ++i) {
    Scalar weight;
    MEDTRAIL_RETURN_IF_ERROR(composite_weight(mode, seed, i, c[i], d[i], weight));
    out.m = add(scalar_mult(weight.data(), c[i]), out.m);
    if (k == nullptr) out.z = add(scalar_mult(weight.data(), d[i]), out.z);
  }
  if (k != nullptr) out.z = scalar_mult(k, out.m);
  return Status::ok_status();
}

Status challenge(OprfMode mode, const OprfElement& public_key, const Composites& composites,
                 const OprfElement& t2, const OprfElement& t3, Scalar& c) {
  Bytes transcript;
  for (const OprfElement* element : {&public_key, &composites.m, &composites.z, &t2, &t3}) {
    append_framed(transcript, *element);
  }
  append_text(transcript, "Challenge");
  return hash_to_scalar(mode, transcript, c);
}

Status check_proof_scalars(const OprfProof& proof) {
  if (!is_canonical_scalar(proof.c.data()) || !is_canonical_scalar(proof.s.data())) {
    return Status::error("oprf_bad_proof", "a proof scalar is not below the group order");
  }
  return Status::ok_status();
}

}  // namespace

Result<OprfProof> generate_proof(OprfMode mode, const uint8_t* k, const OprfElement& public_key,
                                 std::span<const OprfElement> c, std::span<const OprfElement> d,
                                 const uint8_t* r) {
  Composites composites;
  MEDTRAIL_RETURN_IF_ERROR(compute_composites(mode, public_key, c, d, k, composites));
  const OprfElement t2 = scalar_mult_base(r);
  const OprfElement t3 = scalar_mult(r, composites.m);
  OprfProof proof;
  MEDTRAIL_RETURN_IF_ERROR(challenge(mode, public_key, composites, t2, t3, proof.c));
  SecretScalar ck;  // c * k reveals k to anyone who also learns r
  crypto_core_ristretto255_scalar_mul(ck.data(), proof.c.data(), k);
  crypto_core_ristretto255_scalar_sub(proof.s.data(), r, ck.data());
  return proof;
}

Status verify_proof(OprfMode mode, const OprfElement& public_key, std::span<const OprfElement> c,
                    std::span<const OprfElement> d, const OprfProof& proof) {
  MEDTRAIL_RETURN_IF_ERROR(check_proof_scalars(proof));
  Composites composites;
  MEDTRAIL_RETURN_IF_ERROR(compute_composites(mode, public_key, c, d, nullptr, composites));
  const OprfElement t2 =
      add(scalar_mult_base(proof.s.data()), scalar_mult(proof.c.data(), public_key));
  const OprfElement t3 =
      add(scalar_mult(proof.s.data(), composites.m), scalar_mult(proof.c.data(), composites.z));
  Scalar expected;
  MEDTRAIL_RETURN_IF_ERROR(challenge(mode, public_key, composites, t2, t3, expected));
  if (sodium_memcmp(expected.data(), proof.c.data(), expected.size()) != 0) {
    return Status::error("oprf_proof_failed", "the evaluation proof does not verify");
  }
  return Status::ok_status();
}

}  // namespace medtrail::ledger::oprf

namespace medtrail::ledger {

Bytes serialize_proof(const OprfProof& proof) {
  Bytes out(proof.c.begin(), proof.c.end());
  out.insert(out.end(), proof.s.begin(), proof.s.end());
  return out;
}

Result<OprfProof> deserialize_proof(ByteView bytes) {
  if (bytes.size() != kOprfProofSize) {
    return Status::error("oprf_bad_proof", "a proof is 64 bytes: c || s");
  }
  OprfProof proof;
  std::copy_n(bytes.begin(), kOprfScalarSize, proof.c.begin());
  std::copy_n(bytes.begin() + kOprfScalarSize, kOprfScalarSize, proof.s.begin());
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_proof_scalars(proof));
  return proof;
}

}  // namespace medtrail::ledger
