#include "medtrail/ledger/oprf.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/hex.h"

namespace medtrail::ledger {
namespace {

using medtrail::testing::unhex;

OprfElement element(std::string_view hex) {
  Result<OprfElement> parsed = oprf_element_from_bytes(unhex(hex));
  EXPECT_TRUE(parsed.ok()) << hex << ": " << parsed.status().to_string();
  return parsed.ok() ? *parsed : OprfElement{};
}

std::vector<Bytes> unhex_all(const std::vector<std::string_view>& hexes) {
  std::vector<Bytes> out;
  for (std::string_view hex : hexes) out.push_back(unhex(hex));
  return out;
}

std::vector<OprfElement> elements(const std::vector<std::string_view>& hexes) {
  std::vector<OprfElement> out;
  for (std::string_view hex : hexes) out.push_back(element(hex));
  return out;
}

// --- RFC 9497 Appendix A.1, ristretto255-SHA512 ---------------------------------------------

constexpr std::string_view kSeed =
    "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
constexpr std::string_view kKeyInfo = "74657374206b6579";
constexpr std::string_view kOprfSkSm =
    "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e";
constexpr std::string_view kVoprfSkSm =
    "e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909";
constexpr std::string_view kVoprfPkSm =
    "c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e";

constexpr std::string_view kInput1 = "00";
constexpr std::string_view kInput2 = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
constexpr std::string_view kBlind1 =
    "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706";
constexpr std::string_view kBlind2 =
    "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e";

// One test vector; batch vectors list one value per input.
struct Vector {
  std::vector<std::string_view> inputs, blinds, blinded, evaluated, outputs;
  std::string_view proof, proof_random;  // VOPRF only
};

const Vector kOprfVector1 = {{kInput1},
                             {kBlind1},
                             {"609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c"},
                             {"7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e"},
                             {"527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
                              "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6"},
                             {},
                             {}};

const Vector kOprfVector2 = {{kInput2},
                             {kBlind1},
                             {"da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418"},
                             {"b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25"},
                             {"f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4"
                              "f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621306d18951e7cf2c73"},
                             {},
                             {}};

constexpr std::string_view kVoprfBlinded1 =
    "863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945";
constexpr std::string_view kVoprfEvaluated1 =
    "aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e";
constexpr std::string_view kVoprfOutput1 =
    "b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7d"
    "a4d8527693914139caee5bd03903af43a491351d23b430948dd50cde10d32b3c";
constexpr std::string_view kVoprfOutput2 =
    "8a9a2f3c7f085b65933594309041fc1898d42d0858e59f90814ae90571a6df60"
    "356f4610bf816f27afdd84f47719e480906d27ecd994985890e5f539e7ea74b6";

const Vector kVoprfVector1 = {{kInput1},
                              {kBlind1},
                              {kVoprfBlinded1},
                              {kVoprfEvaluated1},
                              {kVoprfOutput1},
                              "ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd06"
                              "6d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a40bce4cf49ec600d",
                              kBlind2};

const Vector kVoprfVector2 = {{kInput2},
                              {kBlind1},
                              {"cc0b2a350101881d8a4cba4c80241d74fb7dcbfde4a61fde2f91443c2bf9ef0c"},
                              {"60a59a57208d48aca71e9e850d22674b611f752bed48b36f7a91b372bd7ad468"},
                              {kVoprfOutput2},
                              "401a0da6264f8cf45bb2f5264bc31e109155600babb3cd4e5af7d181a2c9dc0a"
                              "67154fabf031fd936051dec80b0b6ae29c9503493dde7393b722eafdf5a50b02",
                              kBlind2};

const Vector kVoprfVector3 = {
    {kInput1, kInput2},
    {kBlind1, kBlind2},
    {kVoprfBlinded1, "90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654"},
    {kVoprfEvaluated1, "cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a"},
    {kVoprfOutput1, kVoprfOutput2},
    "cc203910175d786927eeb44ea847328047892ddf8590e723c37205cb74600b0a"
    "5ab5337c8eb4ceae0494c2cf89529dcf94572ed267473d567aeed6ab873dee08",
    "419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c"};

OprfServerKey derived_key(OprfMode mode) {
  Result<OprfServerKey> key = oprf_derive_key_pair(mode, unhex(kSeed), unhex(kKeyInfo));
  EXPECT_TRUE(key.ok()) << key.status().to_string();
  return key.ok() ? *key : OprfServerKey{};
}

// Runs a vector end to end: Blind, BlindEvaluate, Finalize and Evaluate.
void check_vector(OprfMode mode, const Vector& v) {
  const OprfServerKey key = derived_key(mode);
  const std::vector<Bytes> inputs = unhex_all(v.inputs);
  std::vector<OprfBlinded> blinds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Result<OprfBlinded> blinded = oprf_blind_with(mode, inputs[i], unhex(v.blinds[i]));
    ASSERT_TRUE(blinded.ok()) << blinded.status().to_string();
    EXPECT_EQ(to_hex(blinded->blinded_element), v.blinded[i]);
    blinds.push_back(*blinded);
  }
  const std::vector<OprfElement> blinded = elements(v.blinded);
  Result<OprfEvaluation> evaluation =
      oprf_blind_evaluate_with(mode, key, blinded, unhex(v.proof_random));
  ASSERT_TRUE(evaluation.ok()) << evaluation.status().to_string();
  ASSERT_EQ(evaluation->evaluated.size(), v.evaluated.size());
  for (size_t i = 0; i < v.evaluated.size(); ++i) {
    EXPECT_EQ(to_hex(evaluation->evaluated[i]), v.evaluated[i]);
  }
  if (mode == OprfMode::kVoprf) {
    EXPECT_EQ(to_hex(serialize_proof(evaluation->proof)), v.proof);
  }

  Result<std::vector<OprfOutput>> outputs = oprf_finalize(
      mode, inputs, blinds, evaluation->evaluated, blinded, evaluation->proof, key.public_key);
  ASSERT_TRUE(outputs.ok()) << outputs.status().to_string();
  ASSERT_EQ(outputs->size(), v.outputs.size());
  for (size_t i = 0; i < v.outputs.size(); ++i) {
    EXPECT_EQ(to_hex((*outputs)[i]), v.outputs[i]);
    Result<OprfOutput> direct = oprf_evaluate(mode, key, inputs[i]);
    ASSERT_TRUE(direct.ok()) << direct.status().to_string();
    EXPECT_EQ(to_hex(*direct), v.outputs[i]);
  }
}

TEST(OprfVectors, DeriveKeyPairOprfMode) {
  EXPECT_EQ(to_hex(derived_key(OprfMode::kOprf).secret.view()), kOprfSkSm);
}

TEST(OprfVectors, DeriveKeyPairVoprfMode) {
  const OprfServerKey key = derived_key(OprfMode::kVoprf);
  EXPECT_EQ(to_hex(key.secret.view()), kVoprfSkSm);
  EXPECT_EQ(to_hex(key.public_key), kVoprfPkSm);
}

TEST(OprfVectors, OprfModeVector1) { check_vector(OprfMode::kOprf, kOprfVector1); }
TEST(OprfVectors, OprfModeVector2) { check_vector(OprfMode::kOprf, kOprfVector2); }
TEST(OprfVectors, VoprfModeVector1) { check_vector(OprfMode::kVoprf, kVoprfVector1); }
TEST(OprfVectors, VoprfModeVector2) { check_vector(OprfMode::kVoprf, kVoprfVector2); }
TEST(OprfVectors, VoprfModeVector3BatchOfTwo) { check_vector(OprfMode::kVoprf, kVoprfVector3); }

TEST(OprfVectors, SecretFromVectorGivesVectorPublicKey) {
  Result<OprfServerKey> key = oprf_server_key_from_secret(unhex(kVoprfSkSm));
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  EXPECT_EQ(to_hex(key->public_key), kVoprfPkSm);
}

// --- Proof verification ---------------------------------------------------------------------

// Vector 3's client state, to finalize against altered server answers.
struct VoprfBatch {
  std::vector<Bytes> inputs = unhex_all(kVoprfVector3.inputs);
  std::vector<OprfBlinded> blinds;
  std::vector<OprfElement> blinded = elements(kVoprfVector3.blinded);
  std::vector<OprfElement> evaluated = elements(kVoprfVector3.evaluated);
  OprfProof proof = *deserialize_proof(unhex(kVoprfVector3.proof));
  OprfElement public_key = element(kVoprfPkSm);

  VoprfBatch() {
    for (size_t i = 0; i < inputs.size(); ++i) {
      blinds.push_back(
          *oprf_blind_with(OprfMode::kVoprf, inputs[i], unhex(kVoprfVector3.blinds[i])));
    }
  }
  Status finalize() const {
    return oprf_finalize(OprfMode::kVoprf, inputs, blinds, evaluated, blinded, proof, public_key)
        .status();
  }
};

TEST(OprfProof, UntamperedBatchVerifies) { EXPECT_TRUE(VoprfBatch().finalize().ok()); }

TEST(OprfProof, TamperedChallengeFails) {
  VoprfBatch batch;
  batch.proof.c[0] ^= 0x01;
  EXPECT_EQ(batch.finalize().code(), "oprf_proof_failed");
}

TEST(OprfProof, TamperedResponseFails) {
  VoprfBatch batch;
  batch.proof.s[5] ^= 0x40;
  EXPECT_EQ(batch.finalize().code(), "oprf_proof_failed");
}

TEST(OprfProof, SwappedEvaluationsFail) {
  VoprfBatch batch;
  std::swap(batch.evaluated[0], batch.evaluated[1]);
  EXPECT_EQ(batch.finalize().code(), "oprf_proof_failed");
}

TEST(OprfProof, ProofForAnotherPublicKeyFails) {
  VoprfBatch batch;
  batch.public_key = oprf_generate_key_pair().public_key;
  EXPECT_EQ(batch.finalize().code(), "oprf_proof_failed");
}

TEST(OprfProof, EvaluationUnderAnotherKeyFails) {
  VoprfBatch batch;
  const OprfServerKey other = oprf_generate_key_pair();
  Result<OprfEvaluation> evaluation = oprf_blind_evaluate(OprfMode::kVoprf, other, batch.blinded);
  ASSERT_TRUE(evaluation.ok());
  batch.evaluated = evaluation->evaluated;
  batch.proof = evaluation->proof;  // valid for `other`, checked against the vector's key
  EXPECT_EQ(batch.finalize().code(), "oprf_proof_failed");
}

TEST(OprfProof, BlindedElementsOtherThanThoseSentAreRefused) {
  VoprfBatch batch;
  std::swap(batch.blinded[0], batch.blinded[1]);
  EXPECT_EQ(batch.finalize().code(), "oprf_batch_mismatch");
}

TEST(OprfProof, SerializationRoundTrips) {
  const Bytes wire = unhex(kVoprfVector3.proof);
  Result<OprfProof> proof = deserialize_proof(wire);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(serialize_proof(*proof), wire);
}

TEST(OprfProof, NonCanonicalOrShortProofIsRefused) {
  Bytes wire = unhex(kVoprfVector3.proof);
  EXPECT_EQ(deserialize_proof(ByteView(wire).first(63)).status().code(), "oprf_bad_proof");
  wire[63] = 0xff;  // s far above the group order
  EXPECT_EQ(deserialize_proof(wire).status().code(), "oprf_bad_proof");
  VoprfBatch batch;
  batch.proof.s.fill(0xff);
  EXPECT_EQ(batch.finalize().code(), "oprf_bad_proof");
}

// --- Element and scalar validation ----------------------------------------------------------

// 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::string_view kGroupOrder =
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

TEST(OprfElements, NonCanonicalEncodingsAreRefused) {
  for (std::string_view hex :
       {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        // the field prime p: a non-canonical encoding of zero
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // s = 1 is negative; ristretto255 encodings are non-negative
        "0100000000000000000000000000000000000000000000000000000000000000"}) {
    EXPECT_EQ(oprf_element_from_bytes(unhex(hex)).status().code(), "oprf_bad_element") << hex;
  }
}

TEST(OprfElements, IdentityIsRefused) {
  EXPECT_EQ(oprf_element_from_bytes(Bytes(32, 0)).status().code(), "oprf_bad_element");
}

TEST(OprfElements, WrongLengthIsRefused) {
  const Bytes valid = unhex(kVoprfPkSm);
  EXPECT_EQ(oprf_element_from_bytes(ByteView(valid).first(31)).status().code(), "oprf_bad_element");
  Bytes longer = valid;
  longer.push_back(0);
  EXPECT_EQ(oprf_element_from_bytes(longer).status().code(), "oprf_bad_element");
  EXPECT_EQ(oprf_element_from_bytes({}).status().code(), "oprf_bad_element");
}

TEST(OprfElements, ServerRefusesUnvalidatedIdentityOrGarbage) {
  const OprfServerKey key = derived_key(OprfMode::kOprf);
  OprfElement garbage;
  garbage.fill(0xff);
  for (const OprfElement& bad : {OprfElement{}, garbage}) {
    const std::vector<OprfElement> batch = {element(kVoprfBlinded1), bad};
    EXPECT_EQ(oprf_blind_evaluate(OprfMode::kOprf, key, batch).status().code(), "oprf_bad_element");
  }
}

TEST(OprfElements, ClientRefusesIdentityEvaluation) {
  VoprfBatch batch;
  batch.evaluated[1] = OprfElement{};
  EXPECT_EQ(batch.finalize().code(), "oprf_bad_element");
}

TEST(OprfScalars, SecretKeyMustBeCanonicalAndNonzero) {
  EXPECT_EQ(oprf_server_key_from_secret(Bytes(32, 0)).status().code(), "oprf_bad_scalar");
  EXPECT_EQ(oprf_server_key_from_secret(unhex(kGroupOrder)).status().code(), "oprf_bad_scalar");
  EXPECT_EQ(oprf_server_key_from_secret(Bytes(31, 1)).status().code(), "oprf_bad_scalar");
}

TEST(OprfScalars, BlindAndProofNonceMustBeCanonicalAndNonzero) {
  const Bytes input = unhex(kInput1);
  EXPECT_EQ(oprf_blind_with(OprfMode::kOprf, input, Bytes(32, 0)).status().code(),
            "oprf_bad_scalar");
  EXPECT_EQ(oprf_blind_with(OprfMode::kOprf, input, unhex(kGroupOrder)).status().code(),
            "oprf_bad_scalar");
  const std::vector<OprfElement> blinded = {element(kVoprfBlinded1)};
  EXPECT_EQ(oprf_blind_evaluate_with(OprfMode::kVoprf, derived_key(OprfMode::kVoprf), blinded,
                                     Bytes(32, 0))
                .status()
                .code(),
            "oprf_bad_scalar");
}

TEST(OprfScalars, KeySeedMustBe32Bytes) {
  EXPECT_EQ(oprf_derive_key_pair(OprfMode::kOprf, Bytes(31, 0xa3), {}).status().code(),
            "oprf_bad_seed");
}

// --- Batches and inputs ---------------------------------------------------------------------

TEST(OprfBatches, CountMismatchIsRefused) {
  VoprfBatch batch;
  batch.evaluated.pop_back();
  EXPECT_EQ(batch.finalize().code(), "oprf_batch_mismatch");
  VoprfBatch short_blinded;
  short_blinded.blinded.pop_back();
  EXPECT_EQ(short_blinded.finalize().code(), "oprf_batch_mismatch");
}

TEST(OprfBatches, EmptyBatchIsRefused) {
  const OprfServerKey key = oprf_generate_key_pair();
  EXPECT_EQ(oprf_blind_evaluate(OprfMode::kVoprf, key, {}).status().code(), "oprf_batch_empty");
  EXPECT_EQ(
      oprf_finalize(OprfMode::kOprf, {}, {}, {}, {}, OprfProof{}, key.public_key).status().code(),
      "oprf_batch_empty");
}

TEST(OprfBatches, MoreThanMaxBatchIsRefused) {
  const OprfServerKey key = oprf_generate_key_pair();
  const std::vector<OprfElement> blinded(kOprfMaxBatch + 1, key.public_key);
  EXPECT_EQ(oprf_blind_evaluate(OprfMode::kVoprf, key, blinded).status().code(),
            "oprf_batch_too_large");
  const std::vector<Bytes> inputs(kOprfMaxBatch + 1, Bytes{1});
  const std::vector<OprfBlinded> blinds(kOprfMaxBatch + 1);
  EXPECT_EQ(
      oprf_finalize(OprfMode::kOprf, inputs, blinds, blinded, blinded, OprfProof{}, key.public_key)
          .status()
          .code(),
      "oprf_batch_too_large");
}

TEST(OprfInputs, LongestInputIsAcceptedAndOneMoreByteRefused) {
  const OprfServerKey key = oprf_generate_key_pair();
  const Bytes longest(kOprfMaxInputSize, 0x5a);
  EXPECT_TRUE(oprf_blind(OprfMode::kOprf, longest).ok());
  EXPECT_TRUE(oprf_evaluate(OprfMode::kOprf, key, longest).ok());
  const Bytes too_long(kOprfMaxInputSize + 1, 0x5a);
  EXPECT_EQ(oprf_blind(OprfMode::kOprf, too_long).status().code(), "oprf_input_too_long");
  EXPECT_EQ(oprf_evaluate(OprfMode::kOprf, key, too_long).status().code(), "oprf_input_too_long");
  EXPECT_EQ(oprf_derive_key_pair(OprfMode::kOprf, Bytes(32, 1), too_long).status().code(),
            "oprf_input_too_long");
}

TEST(OprfInputs, UnknownModeIsRefused) {
  EXPECT_EQ(oprf_blind(static_cast<OprfMode>(0x02), Bytes{1}).status().code(), "oprf_bad_mode");
}

// --- Round trips with random blinds ---------------------------------------------------------

// Blinds randomly, evaluates, finalizes; each output must equal the server's direct evaluation.
void check_round_trip(OprfMode mode, size_t batch_size) {
  const OprfServerKey key = oprf_generate_key_pair();
  std::vector<Bytes> inputs;
  std::vector<OprfBlinded> blinds;
  std::vector<OprfElement> blinded;
  for (size_t i = 0; i < batch_size; ++i) {
    inputs.push_back(to_bytes("patient-" + std::to_string(i)));
    Result<OprfBlinded> blind = oprf_blind(mode, inputs.back());
    ASSERT_TRUE(blind.ok()) << blind.status().to_string();
    blinds.push_back(*blind);
    blinded.push_back(blind->blinded_element);
  }
  Result<OprfEvaluation> evaluation = oprf_blind_evaluate(mode, key, blinded);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status().to_string();
  Result<std::vector<OprfOutput>> outputs = oprf_finalize(
      mode, inputs, blinds, evaluation->evaluated, blinded, evaluation->proof, key.public_key);
  ASSERT_TRUE(outputs.ok()) << outputs.status().to_string();
  for (size_t i = 0; i < batch_size; ++i) {
    Result<OprfOutput> direct = oprf_evaluate(mode, key, inputs[i]);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ((*outputs)[i], *direct) << i;
  }
}

TEST(OprfRoundTrip, OprfModeRandomBlindsMatchEvaluate) { check_round_trip(OprfMode::kOprf, 3); }
TEST(OprfRoundTrip, VoprfModeRandomBlindsMatchEvaluate) { check_round_trip(OprfMode::kVoprf, 3); }
TEST(OprfRoundTrip, VoprfModeFullBatchVerifies) {
  check_round_trip(OprfMode::kVoprf, kOprfMaxBatch);
}

TEST(OprfRoundTrip, ModesAreDomainSeparated) {
  Result<OprfServerKey> key = oprf_server_key_from_secret(unhex(kVoprfSkSm));
  ASSERT_TRUE(key.ok());
  const Bytes input = unhex(kInput2);
  EXPECT_NE(*oprf_evaluate(OprfMode::kOprf, *key, input),
            *oprf_evaluate(OprfMode::kVoprf, *key, input));
}

TEST(OprfRoundTrip, GeneratedKeyRoundTripsThroughItsSecret) {
  const OprfServerKey key = oprf_generate_key_pair();
  Result<OprfServerKey> again = oprf_server_key_from_secret(key.secret.view());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, key.public_key);
}

}  // namespace
}  // namespace medtrail::ledger
