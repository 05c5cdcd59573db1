// RFC 9497 §3: key generation and the online protocol (Blind, BlindEvaluate, Finalize,
// Evaluate) of the OPRF and VOPRF modes, suite ristretto255-SHA512.

#include "medtrail/ledger/oprf.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "oprf_group.h"
#include "oprf_proof.h"

namespace medtrail::ledger {
namespace {

using oprf::SecretScalar;

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; without it randombytes may not be seeded.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

// The mode travels as a byte: only the two modes implemented here may name a contextString.
Status check_mode(OprfMode mode) {
  if (mode != OprfMode::kOprf && mode != OprfMode::kVoprf) {
    return Status::error("oprf_bad_mode", "only the OPRF and VOPRF modes are supported");
  }
  return Status::ok_status();
}

OprfServerKey key_from_scalar(const uint8_t* secret) {
  return OprfServerKey{SecureBytes(ByteView(secret, kOprfScalarSize)),
                       oprf::scalar_mult_base(secret)};
}

Status check_server_key(OprfMode mode, const OprfServerKey& key) {
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_scalar(key.secret.view()));
  // VOPRF proofs are bound to the public key; a garbled one would only yield failing proofs.
  if (mode == OprfMode::kVoprf) MEDTRAIL_RETURN_IF_ERROR(oprf::check_element(key.public_key));
  return Status::ok_status();
}

// Hash(I2OSP(len(input), 2) || input || I2OSP(len(element), 2) || element || "Finalize"),
// shared by Finalize and Evaluate (RFC 9497 §3.3.1).
OprfOutput finalize_hash(ByteView input, const OprfElement& element) {
  Bytes framing;
  oprf::append_u16(framing, input.size());
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  crypto_hash_sha512_update(&state, framing.data(), framing.size());
  crypto_hash_sha512_update(&state, input.data(), input.size());
  Bytes tail;
  oprf::append_framed(tail, element);
  oprf::append_text(tail, "Finalize");
  crypto_hash_sha512_update(&state, tail.data(), tail.size());
  OprfOutput output;
  crypto_hash_sha512_final(&state, output.data());
  sodium_memzero(&state, sizeof state);  // it has absorbed the private input
  return output;
}

Result<OprfBlinded> blind_input(OprfMode mode, ByteView input, const uint8_t* blind) {
  MEDTRAIL_RETURN_IF_ERROR(check_mode(mode));
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_input(input));
  Result<OprfElement> input_element = oprf::hash_to_group(mode, input);
  if (!input_element.ok()) return input_element.status();
  return OprfBlinded{SecureBytes(ByteView(blind, kOprfScalarSize)),
                     oprf::scalar_mult(blind, *input_element)};
}

// `proof_random` is used in VOPRF mode only.
Result<OprfEvaluation> evaluate_batch(OprfMode mode, const OprfServerKey& key,
                                      std::span<const OprfElement> blinded,
                                      const uint8_t* proof_random) {
  MEDTRAIL_RETURN_IF_ERROR(check_mode(mode));
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_batch_size(blinded.size()));
  MEDTRAIL_RETURN_IF_ERROR(check_server_key(mode, key));
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_elements(blinded));
  OprfEvaluation evaluation;
  evaluation.evaluated.reserve(blinded.size());
  for (const OprfElement& element : blinded) {
    evaluation.evaluated.push_back(oprf::scalar_mult(key.secret.data(), element));
  }
  if (mode == OprfMode::kVoprf) {
    Result<OprfProof> proof = oprf::generate_proof(mode, key.secret.data(), key.public_key, blinded,
                                                   evaluation.evaluated, proof_random);
    if (!proof.ok()) return proof.status();
    evaluation.proof = *proof;
  }
  return evaluation;
}

Status check_finalize_batch(OprfMode mode, std::span<const Bytes> inputs,
                            std::span<const OprfBlinded> blinds,
                            std::span<const OprfElement> evaluated,
                            std::span<const OprfElement> blinded) {
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_batch_size(inputs.size()));
  if (blinds.size() != inputs.size() || evaluated.size() != inputs.size()) {
    return Status::error("oprf_batch_mismatch", "inputs, blinds and evaluations differ in count");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    MEDTRAIL_RETURN_IF_ERROR(oprf::check_input(inputs[i]));
    MEDTRAIL_RETURN_IF_ERROR(oprf::check_scalar(blinds[i].blind.view()));
  }
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_elements(evaluated));
  if (mode == OprfMode::kOprf) return Status::ok_status();
  if (blinded.size() != inputs.size()) {
    return Status::error("oprf_batch_mismatch", "blinded elements and inputs differ in count");
  }
  // Beyond the RFC: a proof over other blinded elements than those sent would prove nothing
  // about the outputs computed here.
  for (size_t i = 0; i < blinded.size(); ++i) {
    if (blinded[i] != blinds[i].blinded_element) {
      return Status::error("oprf_batch_mismatch",
                           "blinded element " + std::to_string(i) + " is not the one sent");
    }
  }
  return oprf::check_elements(blinded);
}

}  // namespace

Result<OprfElement> oprf_element_from_bytes(ByteView bytes) {
  if (bytes.size() != kOprfElementSize) {
    return Status::error("oprf_bad_element", "an element is 32 bytes");
  }
  OprfElement element;
  std::copy(bytes.begin(), bytes.end(), element.begin());
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_element(element));
  return element;
}

Result<OprfServerKey> oprf_derive_key_pair(OprfMode mode, ByteView seed32, ByteView info) {
  MEDTRAIL_RETURN_IF_ERROR(check_mode(mode));
  if (seed32.size() != kOprfScalarSize) {
    return Status::error("oprf_bad_seed", "a key seed is 32 bytes");
  }
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_input(info));
  // deriveInput || I2OSP(counter, 1), deriveInput = seed || I2OSP(len(info), 2) || info.
  Bytes framed_info;
  oprf::append_framed(framed_info, info);
  SecureBytes derive_input(seed32.size() + framed_info.size() + 1);
  std::copy(seed32.begin(), seed32.end(), derive_input.data());
  std::copy(framed_info.begin(), framed_info.end(), derive_input.data() + seed32.size());
  const std::string dst = "DeriveKeyPair" + oprf::context_string(mode);
  SecretScalar secret;
  for (unsigned counter = 0; counter <= 255; ++counter) {
    derive_input.data()[derive_input.size() - 1] = static_cast<uint8_t>(counter);
    MEDTRAIL_RETURN_IF_ERROR(oprf::hash_to_scalar(derive_input.view(), dst, secret.data()));
    if (!sodium_is_zero(secret.data(), kOprfScalarSize)) return key_from_scalar(secret.data());
  }
  return Status::error("oprf_derive_key_failed", "256 counters all hashed to a zero scalar");
}

OprfServerKey oprf_generate_key_pair() {
  ensure_sodium();
  SecretScalar secret;
  crypto_core_ristretto255_scalar_random(secret.data());  // uniform in [1, order - 1]
  return key_from_scalar(secret.data());
}

Result<OprfServerKey> oprf_server_key_from_secret(ByteView secret32) {
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_scalar(secret32));
  return key_from_scalar(secret32.data());
}

Result<OprfBlinded> oprf_blind(OprfMode mode, ByteView input) {
  ensure_sodium();
  SecretScalar blind;
  crypto_core_ristretto255_scalar_random(blind.data());
  return blind_input(mode, input, blind.data());
}

Result<OprfBlinded> oprf_blind_with(OprfMode mode, ByteView input, ByteView blind32) {
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_scalar(blind32));
  return blind_input(mode, input, blind32.data());
}

Result<OprfEvaluation> oprf_blind_evaluate(OprfMode mode, const OprfServerKey& key,
                                           std::span<const OprfElement> blinded) {
  ensure_sodium();
  SecretScalar proof_random;
  crypto_core_ristretto255_scalar_random(proof_random.data());
  return evaluate_batch(mode, key, blinded, proof_random.data());
}

Result<OprfEvaluation> oprf_blind_evaluate_with(OprfMode mode, const OprfServerKey& key,
                                                std::span<const OprfElement> blinded,
                                                ByteView proof_random32) {
  if (mode == OprfMode::kVoprf) MEDTRAIL_RETURN_IF_ERROR(oprf::check_scalar(proof_random32));
  const uint8_t* proof_random = mode == OprfMode::kVoprf ? proof_random32.data() : nullptr;
  return evaluate_batch(mode, key, blinded, proof_random);
}

Result<std::vector<OprfOutput>> oprf_finalize(OprfMode mode, std::span<const Bytes> inputs,
                                              std::span<const OprfBlinded> blinds,
                                              std::span<const OprfElement> evaluated,
                                              std::span<const OprfElement> blinded,
                                              const OprfProof& proof,
                                              const OprfElement& public_key) {
  MEDTRAIL_RETURN_IF_ERROR(check_mode(mode));
  MEDTRAIL_RETURN_IF_ERROR(check_finalize_batch(mode, inputs, blinds, evaluated, blinded));
  if (mode == OprfMode::kVoprf) {
    MEDTRAIL_RETURN_IF_ERROR(oprf::check_element(public_key));
    MEDTRAIL_RETURN_IF_ERROR(oprf::verify_proof(mode, public_key, blinded, evaluated, proof));
  }
  std::vector<OprfOutput> outputs;
  outputs.reserve(inputs.size());
  SecretScalar inverse;
  for (size_t i = 0; i < inputs.size(); ++i) {
    crypto_core_ristretto255_scalar_invert(inverse.data(), blinds[i].blind.data());  // nonzero
    outputs.push_back(finalize_hash(inputs[i], oprf::scalar_mult(inverse.data(), evaluated[i])));
  }
  return outputs;
}

Result<OprfOutput> oprf_evaluate(OprfMode mode, const OprfServerKey& key, ByteView input) {
  MEDTRAIL_RETURN_IF_ERROR(check_mode(mode));
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_input(input));
  MEDTRAIL_RETURN_IF_ERROR(oprf::check_scalar(key.secret.view()));
  Result<OprfElement> input_element = oprf::hash_to_group(mode, input);
  if (!input_element.ok()) return input_element.status();
  return finalize_hash(input, oprf::scalar_mult(key.secret.data(), *input_element));
}

}  // namespace medtrail::ledger
