#include "medtrail/ledger/envelope.h"

#include <gtest/gtest.h>

#include "ledger/envelope_fixture.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace medtrail::ledger {
namespace {

using namespace envelope_testing;


// ---- Round trip ----

TEST_F(EnvelopeRoundTripTest, SignedEnvelopeSurvivesWireAndValidates) {
  const std::string payload = payload_json();
  Envelope env = sign(payload);
  EXPECT_EQ(env.signer, kSigner);
  EXPECT_EQ(env.suite, kSuiteEd25519Sha256);
  EXPECT_EQ(env.signature.size(), 64u);

  auto back = envelope_from_wire(envelope_to_wire(env));
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, env);

  auto fields = validate_envelope(*back, key_.public_key);
  ASSERT_TRUE(fields.ok()) << fields.status().to_string();
  EXPECT_EQ(fields->v, 1);
  EXPECT_EQ(fields->kind, "rx.issue");
  EXPECT_EQ(fields->org, "hosp-xa-01");
  EXPECT_EQ(fields->actor, kSigner);
  EXPECT_EQ(fields->ts, "2026-11-23T10:00:00Z");
  EXPECT_EQ(fields->nonce, "n-0001");
}

TEST_F(EnvelopeRoundTripTest, RecordIdIsSha256HexOfPayloadBytes) {
  const std::string payload = payload_json();
  Envelope env = sign(payload);
  EXPECT_EQ(record_id(env).value(), sha256_hex(payload));
  Hash h = record_hash(env).value();
  EXPECT_EQ(to_hex(h), record_id(env).value());
}

// A hostile peer's envelope may name any suite, or none: hashing it must refuse, never abort
// (it once aborted every node that applied such an envelope).
TEST_F(EnvelopeRoundTripTest, RecordIdOfAnUnknownSuiteIsRefusedNotAborted) {
  Envelope env = sign(payload_json());
  for (const std::string suite : {"no-such-suite", ""}) {
    env.suite = suite;
    auto id = record_id(env);
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.status().code(), "unknown_suite");
    EXPECT_FALSE(record_hash(env).ok());
  }
}

TEST_F(EnvelopeRoundTripTest, RecordIdUnderTheChainSuiteIgnoresTheEnvelopesClaim) {
  const std::string payload = payload_json();
  Envelope env = sign(payload);
  const CryptoSuite& chain = *find_suite("ed25519-sha256");
  EXPECT_EQ(record_id(chain, env), record_id(env).value());
  env.suite = "no-such-suite";
  EXPECT_EQ(record_id(chain, env), sha256_hex(payload));
}

TEST_F(EnvelopeRoundTripTest, PayloadBytesArePreservedExactly) {
  // Key order, whitespace and escapes a re-serialiser would change.
  const std::string payload =
      "{ \"body\" : {\"z\": 1, \"a\": [ 1.50, \"\\u00e9\" ]},\n"
      "  \"nonce\":\"n 2\", "
      "\"ts\":\"2026-11-23T18:00:00+08:00\",\t\"actor\":\"hosp-xa-01/dr-li\",\n"
      "  \"org\":\"hosp-xa-01\", \"kind\":\"rx.issue\", \"v\": 1 }\n";
  Envelope env = sign(payload);
  auto back = envelope_from_wire(envelope_to_wire(env));
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(as_chars(back->payload), payload);
  EXPECT_EQ(record_id(*back).value(), sha256_hex(payload));
  EXPECT_NE(record_id(*back).value(), record_id(sign(payload_json())).value());
  EXPECT_TRUE(validate_envelope(*back, key_.public_key).ok());
}

TEST_F(EnvelopeRoundTripTest, WireFormHasExactlyTheFourFieldsInOrder) {
  Envelope env = sign(payload_json());
  EXPECT_EQ(envelope_to_wire(env), "{\"payload\":\"" + to_base64(env.payload) +
                                       "\",\"signer\":\"hosp-xa-01/dr-li\","
                                       "\"suite\":\"ed25519-sha256\",\"signature\":\"" +
                                       to_base64(env.signature) + "\"}");
}

TEST_F(EnvelopeRoundTripTest, WireAcceptsAnyFieldOrderAndWhitespace) {
  Envelope env = sign(payload_json());
  std::string wire = " {\n \"signature\" : \"" + to_base64(env.signature) +
                     "\", \"suite\": \"ed25519-sha256\", \"signer\":\"hosp-xa-01/dr-li\",\r\n"
                     "\"payload\":\"" +
                     to_base64(env.payload) + "\" } ";
  auto back = envelope_from_wire(wire);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, env);
}

TEST_F(EnvelopeRoundTripTest, SignEnvelopeTakesSignerFromActor) {
  auto env = sign_envelope(to_bytes(payload_json({{"actor", "\"hosp-xa-01/nurse.zhang\""}})), key_);
  ASSERT_TRUE(env.ok()) << env.status().to_string();
  EXPECT_EQ(env->signer, "hosp-xa-01/nurse.zhang");
  EXPECT_TRUE(validate_envelope(*env, key_.public_key).ok());
}

TEST_F(EnvelopeRoundTripTest, SignEnvelopeRefusesAnInvalidPayload) {
  EXPECT_EQ(sign_envelope(to_bytes(payload_json({{"ts", kOmit}})), key_).status().code(),
            "missing_field");
  EXPECT_EQ(sign_envelope(to_bytes("[]"), key_).status().code(), "not_an_object");
}

TEST_F(EnvelopeRoundTripTest, SignEnvelopeWithUnknownSuiteIsRejected) {
  KeyPair key = key_;
  key.suite = "rsa-sha1";
  EXPECT_EQ(sign_envelope(to_bytes(payload_json()), key).status().code(), "unknown_suite");
}

// ---- Wire form ----

TEST_F(EnvelopeWireTest, MalformedJsonIsRejected) {
  for (const std::string& bad :
       std::vector<std::string>{"", "{", "{\"payload\":}", "{'payload':'x'}", "{\"a\":1,}", "nul",
                                "{} {}", wire_json() + "x"}) {
    EXPECT_EQ(wire_code(bad), "malformed_json") << bad;
  }
}

TEST_F(EnvelopeWireTest, WireThatIsNotAnObjectIsRejected) {
  for (const char* bad : {"[]", "\"envelope\"", "42", "null", "true", "[{\"a\":1,\"a\":2}]"}) {
    EXPECT_EQ(wire_code(bad), "not_an_object") << bad;
  }
}

TEST_F(EnvelopeWireTest, DuplicateKeyIsRejected) {
  std::string wire = wire_json();
  wire.insert(1, "\"suite\":\"ed25519-sha256\",");
  auto result = envelope_from_wire(wire);
  EXPECT_EQ(result.status().code(), "duplicate_key");
  EXPECT_NE(result.status().message().find("suite"), std::string::npos);
}

TEST_F(EnvelopeWireTest, UnknownFieldIsRejected) {
  auto result = envelope_from_wire(wire_json({{"comment", "\"hi\""}}));
  EXPECT_EQ(result.status().code(), "unknown_field");
  EXPECT_NE(result.status().message().find("comment"), std::string::npos);
}

TEST_F(EnvelopeWireTest, EachMissingFieldIsRejectedByName) {
  for (const char* name : {"payload", "signer", "suite", "signature"}) {
    auto result = envelope_from_wire(wire_json({{name, kOmit}}));
    EXPECT_EQ(result.status().code(), "missing_field") << name;
    EXPECT_NE(result.status().message().find(name), std::string::npos) << name;
  }
}

TEST_F(EnvelopeWireTest, EachNonStringFieldIsRejectedByName) {
  for (const char* name : {"payload", "signer", "suite", "signature"}) {
    for (const char* value : {"1", "null", "[]", "{}", "true"}) {
      auto result = envelope_from_wire(wire_json({{name, value}}));
      EXPECT_EQ(result.status().code(), "wrong_type") << name << "=" << value;
      EXPECT_NE(result.status().message().find(name), std::string::npos) << name;
    }
  }
}

TEST_F(EnvelopeWireTest, EnvelopeOverSizeLimitIsRejected) {
  std::string wire = wire_json({{"payload", json_str(std::string(kMaxEnvelopeWireBytes, 'A'))}});
  EXPECT_EQ(wire_code(wire), "envelope_too_large");
}

TEST_F(EnvelopeWireTest, InvalidUtf8IsRejected) {
  EXPECT_EQ(wire_code(wire_json({{"signer", "\"hosp\xC0\xAF/dr-li\""}})), "invalid_utf8");
}

TEST_F(EnvelopeWireTest, BadBase64PayloadIsRejected) {
  for (const char* bad : {"\"not base64!\"", "\"Zg=\"", "\"Zh==\""}) {
    EXPECT_EQ(wire_code(wire_json({{"payload", bad}})), "bad_payload_encoding") << bad;
  }
}

TEST_F(EnvelopeWireTest, PayloadOverTheLimitIsRejected) {
  std::string payload(kMaxPayloadBytes + 1, ' ');
  EXPECT_EQ(wire_code(wire_json({{"payload", json_str(to_base64(as_bytes(payload)))}})),
            "payload_too_large");
}

TEST_F(EnvelopeWireTest, UnknownSuiteIsRejected) {
  EXPECT_EQ(wire_code(wire_json({{"suite", "\"rsa-sha1\""}})), "unknown_suite");
  EXPECT_EQ(wire_code(wire_json({{"suite", "\"ED25519-SHA256\""}})), "unknown_suite");
}

TEST_F(EnvelopeWireTest, BadSignatureEncodingIsRejected) {
  EXPECT_EQ(wire_code(wire_json({{"signature", "\"@@@@\""}})), "bad_signature_encoding");
  EXPECT_EQ(wire_code(wire_json({{"signature", json_str(to_base64(Bytes(63, 1)))}})),
            "bad_signature_encoding");
  EXPECT_EQ(wire_code(wire_json({{"signature", json_str(to_base64(Bytes(65, 1)))}})),
            "bad_signature_encoding");
  EXPECT_EQ(wire_code(wire_json({{"signature", "\"\""}})), "bad_signature_encoding");
}

TEST_F(EnvelopeWireTest, SignerOutsideIdentityFormatIsRejected) {
  for (const std::string& bad :
       std::vector<std::string>{"", "ab", "hosp-xa-01", "hosp-xa-01/", "/dr-li", "a/b/c",
                                "Hosp-xa-01/dr-li", "hosp-xa-01/Dr-Li", "hosp xa/dr", "-hosp/dr",
                                "hosp/.dr", "hosp/dr li", "hosp-xa-01/" + std::string(118, 'a')}) {
    EXPECT_EQ(wire_code(wire_json({{"signer", json_str(bad)}})), "bad_field") << bad;
  }
  EXPECT_EQ(wire_code(wire_json({{"signer", json_str("a/b")}})), "");
  EXPECT_EQ(wire_code(wire_json({{"signer", json_str("hosp-xa-01/" + std::string(117, 'a'))}})),
            "");
}

TEST_F(EnvelopeWireTest, NestingTooDeepIsRejected) {
  std::string deep = std::string(100000, '[');
  EXPECT_EQ(wire_code(deep), "envelope_too_large");
  auto result =
      envelope_from_wire("{\"payload\":" + std::string(40, '[') + std::string(40, ']') + "}");
  EXPECT_EQ(result.status().code(), "malformed_json");
  EXPECT_NE(result.status().message().find("deep"), std::string::npos);
}

// ---- Payload ----

TEST_F(EnvelopeSignatureTest, PayloadChangedAfterSigningIsRejected) {
  Envelope env = sign(payload_json());
  std::string payload(as_chars(env.payload));
  size_t pos = payload.find("n-0001");
  ASSERT_NE(pos, std::string::npos);
  env.payload[pos + 5] = '2';  // still a valid payload, no longer the signed bytes
  EXPECT_TRUE(parse_payload(env).ok());
  EXPECT_EQ(validate_envelope(env, key_.public_key).status().code(), "signature_mismatch");
}

TEST_F(EnvelopeSignatureTest, FlippedSignatureByteIsRejected) {
  Envelope env = sign(payload_json());
  for (size_t i : {size_t{0}, size_t{31}, size_t{63}}) {
    Envelope bad = env;
    bad.signature[i] ^= 0x01;
    EXPECT_EQ(validate_envelope(bad, key_.public_key).status().code(), "signature_mismatch") << i;
  }
}

TEST_F(EnvelopeSignatureTest, SignatureFromAnotherKeyIsRejected) {
  auto other = ed25519_sha256().generate_keypair();
  ASSERT_TRUE(other.ok());
  Envelope env = sign(payload_json());
  EXPECT_EQ(verify_envelope_signature(env, other->public_key).code(), "signature_mismatch");
  auto by_other = sign_envelope(to_bytes(payload_json()), *other);
  ASSERT_TRUE(by_other.ok());
  EXPECT_EQ(validate_envelope(*by_other, key_.public_key).status().code(), "signature_mismatch");
}

TEST_F(EnvelopeSignatureTest, VerifyWithUnknownSuiteIsRejected) {
  Envelope env = sign(payload_json());
  env.suite = "rsa-sha1";
  EXPECT_EQ(verify_envelope_signature(env, key_.public_key).code(), "unknown_suite");
}

TEST_F(EnvelopeSignatureTest, VerifyWithWrongSignatureLengthIsRejected) {
  Envelope env = sign(payload_json());
  env.signature.pop_back();
  EXPECT_EQ(verify_envelope_signature(env, key_.public_key).code(), "bad_signature_encoding");
}

TEST_F(EnvelopeSignatureTest, VerifyWithWrongKeyLengthIsRejected) {
  Envelope env = sign(payload_json());
  Bytes short_key(key_.public_key.begin(), key_.public_key.end() - 1);
  EXPECT_EQ(verify_envelope_signature(env, short_key).code(), "bad_key");
  EXPECT_EQ(verify_envelope_signature(env, Bytes{}).code(), "bad_key");
}

TEST_F(EnvelopeSignatureTest, Sm2EnvelopeSignsAndVerifiesWithSm3RecordId) {
  auto sm2_key = sm2_sm3().generate_keypair();
  ASSERT_TRUE(sm2_key.ok()) << sm2_key.status().to_string();
  const std::string payload = payload_json();
  auto env = sign_envelope(to_bytes(payload), *sm2_key);
  ASSERT_TRUE(env.ok()) << env.status().to_string();
  EXPECT_EQ(env->suite, kSuiteSm2Sm3);
  EXPECT_EQ(env->signature.size(), 64u);

  auto back = envelope_from_wire(envelope_to_wire(*env));
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, *env);
  EXPECT_TRUE(validate_envelope(*back, sm2_key->public_key).ok());
  EXPECT_EQ(record_id(*back).value(), sm3_hex(as_bytes(payload)));
  EXPECT_NE(record_id(*back).value(), sha256_hex(payload));

  Envelope flipped = *back;
  flipped.signature[10] ^= 0x80;
  EXPECT_EQ(validate_envelope(flipped, sm2_key->public_key).status().code(), "signature_mismatch");
  EXPECT_EQ(verify_envelope_signature(*back, key_.public_key).code(), "bad_key");
}

// ---- Robustness ----

// Flips, truncations and insertions, biased towards bytes that matter to JSON and UTF-8.
std::string mutate(std::string s, std::mt19937& rng) {
  static const std::string kInteresting =
      "{}[]\":,\\ \x01\x7f\xC0\xAF\xE4\xFF"
      "0-+.eE=/nul";
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto byte = [&] {
    return pick(2) == 0 ? kInteresting[pick(kInteresting.size())] : static_cast<char>(pick(256));
  };
  int count = 1 + static_cast<int>(pick(3));
  for (int i = 0; i < count; ++i) {
    switch (pick(3)) {
      case 0:
        if (!s.empty()) s[pick(s.size())] = byte();
        break;
      case 1:
        s.resize(pick(s.size() + 1));
        break;
      default:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), byte());
        break;
    }
  }
  return s;
}

TEST_F(EnvelopeRobustnessTest, RandomMutationsOfWireNeverCrash) {
  std::mt19937 rng(20261123);
  const std::string wire = wire_json();
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = mutate(wire, rng);
    auto env = envelope_from_wire(mutated);
    if (!env.ok()) {
      EXPECT_TRUE(kErrorCodes.count(env.status().code())) << env.status().to_string();
      EXPECT_FALSE(env.status().message().empty());
      seen.insert(env.status().code());
      continue;
    }
    auto fields = validate_envelope(*env, key_.public_key);
    if (!fields.ok()) {
      EXPECT_TRUE(kErrorCodes.count(fields.status().code())) << fields.status().to_string();
      seen.insert(fields.status().code());
    }
    EXPECT_EQ(record_id(*env).value().size(), 64u);
  }
  EXPECT_GE(seen.size(), 6u);  // the mutations reach past the JSON parser
}

TEST_F(EnvelopeRobustnessTest, RandomMutationsOfPayloadNeverCrash) {
  std::mt19937 rng(42);
  const std::string payload =
      payload_json({{"body", R"({"drug":"阿莫西林","qty":20,"l":[1,2.5,{"x":null}]})"}});
  Envelope signed_env = sign(payload);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    Envelope env = signed_env;
    env.payload = to_bytes(mutate(payload, rng));
    auto fields = validate_envelope(env, key_.public_key);
    if (fields.ok()) {
      EXPECT_EQ(env.payload, signed_env.payload);  // only the signed bytes verify
    } else {
      EXPECT_TRUE(kErrorCodes.count(fields.status().code())) << fields.status().to_string();
      EXPECT_FALSE(fields.status().message().empty());
      seen.insert(fields.status().code());
    }
    // The same bytes through the wire give the same verdict.
    auto from_wire = envelope_from_wire(envelope_to_wire(env));
    if (from_wire.ok()) {
      EXPECT_EQ(validate_envelope(*from_wire, key_.public_key).status().code(),
                fields.status().code());
    } else {
      EXPECT_TRUE(kErrorCodes.count(from_wire.status().code()));
    }
  }
  EXPECT_GE(seen.size(), 6u);
}

}  // namespace
}  // namespace medtrail::ledger
