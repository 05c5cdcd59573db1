#include "medtrail/ledger/envelope.h"

#include <gtest/gtest.h>

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

using Overrides = std::vector<std::pair<std::string, std::string>>;

// As an override value: drop the field.
const std::string kOmit = "\x01omit";
const char kSigner[] = "hosp-xa-01/dr-li";

// Every code envelope.h promises, plus bad_key from verify_envelope_signature.
const std::set<std::string> kErrorCodes = {
    "malformed_json",       "not_an_object",     "duplicate_key",
    "unknown_field",        "missing_field",     "wrong_type",
    "envelope_too_large",   "payload_too_large", "invalid_utf8",
    "bad_payload_encoding", "unknown_suite",     "bad_signature_encoding",
    "signature_mismatch",   "actor_mismatch",    "unsupported_version",
    "bad_timestamp",        "bad_field",         "bad_key"};

// Builds a JSON object from (name, raw JSON value) defaults in order; an override replaces a
// field's value (kOmit drops it) and an override with a new name is appended.
std::string json_object(Overrides fields, const Overrides& overrides) {
  for (const auto& [name, value] : overrides) {
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
    if (it == fields.end()) {
      fields.emplace_back(name, value);
    } else if (value == kOmit) {
      fields.erase(it);
    } else {
      it->second = value;
    }
  }
  std::string out = "{";
  for (const auto& [name, value] : fields) {
    if (out.size() > 1) out += ",";
    out += "\"" + name + "\":" + value;
  }
  return out + "}";
}

std::string payload_json(const Overrides& overrides = {}) {
  return json_object({{"v", "1"},
                      {"kind", "\"rx.issue\""},
                      {"org", "\"hosp-xa-01\""},
                      {"actor", "\"hosp-xa-01/dr-li\""},
                      {"ts", "\"2026-11-23T10:00:00Z\""},
                      {"nonce", "\"n-0001\""},
                      {"body", R"({"drug":"amoxicillin","qty":20})"}},
                     overrides);
}

std::string json_str(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string sha256_hex(std::string_view data) {
  Hash h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(h);
}

std::string sm3_hex(ByteView data) {
  Hash h;
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), h.data(), &len, EVP_sm3(), nullptr);
  return to_hex(h);
}

class EnvelopeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = ed25519_sha256().generate_keypair();
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    key_ = std::move(*key);
  }

  Envelope sign(std::string_view payload) {
    auto env = sign_envelope(to_bytes(payload), key_);
    EXPECT_TRUE(env.ok()) << env.status().to_string();
    return env.ok() ? *env : Envelope{};
  }

  // An envelope around `payload` whose signature is not meant to verify.
  static Envelope unsigned_envelope(std::string_view payload, std::string signer = kSigner) {
    return Envelope{to_bytes(payload), std::move(signer), std::string(kSuiteEd25519Sha256),
                    Bytes(64, 0)};
  }

  static std::string payload_code(std::string_view payload) {
    return parse_payload(unsigned_envelope(payload)).status().code();
  }

  std::string wire_json(const Overrides& overrides = {}) {
    Envelope env = sign(payload_json());
    return json_object({{"payload", json_str(to_base64(env.payload))},
                        {"signer", json_str(env.signer)},
                        {"suite", json_str(env.suite)},
                        {"signature", json_str(to_base64(env.signature))}},
                       overrides);
  }

  static std::string wire_code(std::string_view wire) {
    return envelope_from_wire(wire).status().code();
  }

  KeyPair key_;
};

class EnvelopeRoundTripTest : public EnvelopeFixture {};
class EnvelopeWireTest : public EnvelopeFixture {};
class PayloadTest : public EnvelopeFixture {};
class EnvelopeSignatureTest : public EnvelopeFixture {};
class EnvelopeRobustnessTest : public EnvelopeFixture {};

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

TEST_F(EnvelopeWireTest, PayloadOver64KiBIsRejected) {
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

TEST_F(PayloadTest, ValidPayloadParses) { EXPECT_EQ(payload_code(payload_json()), ""); }

TEST_F(PayloadTest, MalformedJsonIsRejected) {
  for (const std::string& bad : std::vector<std::string>{
           "", "{", "{\"v\":1,}", "{'v':1}", "{\"v\":01}", "{\"v\":1 \"kind\":2}",
           payload_json() + " x", payload_json() + "{}", "{\"v\":1e999}",
           "\xEF\xBB\xBF" + payload_json()}) {
    EXPECT_EQ(payload_code(bad), "malformed_json") << bad;
  }
}

TEST_F(PayloadTest, PayloadThatIsNotAnObjectIsRejected) {
  for (const char* bad : {"[]", "\"rx\"", "1", "null", "false"}) {
    EXPECT_EQ(payload_code(bad), "not_an_object") << bad;
  }
}

TEST_F(PayloadTest, DuplicateTopLevelKeyIsRejected) {
  std::string payload = payload_json();
  payload.insert(1, "\"nonce\":\"n-0002\",");
  EXPECT_EQ(payload_code(payload), "duplicate_key");
}

TEST_F(PayloadTest, DuplicateKeyNestedInBodyIsRejected) {
  for (const char* body :
       {R"({"a":{"b":1,"b":2}})", R"({"drug":"x","drug":"y"})",
        R"({"items":[{"x":1},{"x":2,"x":3}]})", R"({"a":1,"\u0061":2})",
        R"({"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k0":10})",
        R"({"k":1,"a":{"z":1},"k":2})"}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{"body", body}})));
    EXPECT_EQ(result.status().code(), "duplicate_key") << body;
  }
}

TEST_F(PayloadTest, BodyHandedOverIsTheBodyOfTheSamePass) {
  for (const char* body : {R"({})", R"({"a":{"x":1},"b":[1,-2,"\u00e9",null,true,1.5]})",
                           R"({"rx_id":"ab","items":[{"drug_code":"N02BE01","quantity":2}]})"}) {
    const std::string payload = payload_json({{"body", body}});
    nlohmann::json handed = "untouched";
    auto fields = parse_payload(unsigned_envelope(payload), &handed);
    ASSERT_TRUE(fields.ok()) << body;
    EXPECT_EQ(handed, nlohmann::json::parse(body)) << body;
    EXPECT_EQ(fields->kind, parse_payload(unsigned_envelope(payload))->kind);
  }
  // Refusals are the same with or without the tree, and a refused payload leaves it alone.
  for (const std::string& bad :
       {payload_json({{"body", R"({"a":1,"a":2})"}}), payload_json({{"body", "[1]"}}),
        std::string("{\"v\":1,"), payload_json() + " x"}) {
    nlohmann::json handed = "untouched";
    EXPECT_EQ(parse_payload(unsigned_envelope(bad), &handed).status().code(), payload_code(bad)) << bad;
    EXPECT_EQ(handed, "untouched") << bad;
  }
}

TEST_F(PayloadTest, EqualKeysInDifferentObjectsAreAccepted) {
  for (const char* body : {R"({"a":{"x":1},"b":{"x":1}})", R"({"x":{"x":{"x":1}}})",
                           R"({"l":[{"x":1},{"x":2}],"x":3})", R"({"v":1,"body":{}})"}) {
    EXPECT_EQ(payload_code(payload_json({{"body", body}})), "") << body;
  }
}

TEST_F(PayloadTest, UnknownFieldIsRejected) {
  auto result = parse_payload(unsigned_envelope(payload_json({{"patient", "\"p\""}})));
  EXPECT_EQ(result.status().code(), "unknown_field");
  EXPECT_NE(result.status().message().find("patient"), std::string::npos);
}

TEST_F(PayloadTest, EachMissingFieldIsRejectedByName) {
  for (const char* name : {"v", "kind", "org", "actor", "ts", "nonce", "body"}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{name, kOmit}})));
    EXPECT_EQ(result.status().code(), "missing_field") << name;
    EXPECT_NE(result.status().message().find(std::string("\"") + name + "\""), std::string::npos)
        << result.status().message();
  }
}

TEST_F(PayloadTest, EachFieldOfWrongTypeIsRejectedByName) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"v", {"\"1\"", "1.0", "1e0", "true", "null", "[1]", "{}"}},
      {"kind", {"1", "null", "[]", "{}", "false"}},
      {"org", {"1", "null", "[\"hosp-xa-01\"]"}},
      {"actor", {"1", "null", "{}"}},
      {"ts", {"20261123", "null", "[]"}},
      {"nonce", {"1", "null", "{}"}},
      {"body", {"\"x\"", "[]", "null", "1"}}};
  for (const auto& [name, values] : cases) {
    for (const auto& value : values) {
      auto result = parse_payload(unsigned_envelope(payload_json({{name, value}})));
      EXPECT_EQ(result.status().code(), "wrong_type") << name << "=" << value;
      EXPECT_NE(result.status().message().find("\"" + name + "\""), std::string::npos)
          << result.status().message();
    }
  }
}

TEST_F(PayloadTest, UnsupportedVersionIsRejected) {
  for (const char* v : {"2", "0", "-1", "18446744073709551615"}) {
    EXPECT_EQ(payload_code(payload_json({{"v", v}})), "unsupported_version") << v;
  }
}

TEST_F(PayloadTest, PayloadOver56KiBIsRejected) {
  std::string small = payload_json({{"body", R"({"pad":""})"}});
  size_t pad = kMaxPayloadBytes - small.size();
  std::string at_limit = payload_json({{"body", "{\"pad\":\"" + std::string(pad, 'x') + "\"}"}});
  ASSERT_EQ(at_limit.size(), kMaxPayloadBytes);
  EXPECT_EQ(payload_code(at_limit), "");
  std::string over = payload_json({{"body", "{\"pad\":\"" + std::string(pad + 1, 'x') + "\"}"}});
  ASSERT_EQ(over.size(), 56u * 1024 + 1);
  EXPECT_EQ(payload_code(over), "payload_too_large");
}

TEST_F(PayloadTest, PayloadWithInvalidUtf8IsRejected) {
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"drug\":\"a\xC0\xAF\"}"}})), "invalid_utf8");
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"d\":\"\xED\xA0\x80\"}"}})), "invalid_utf8");
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"d\":\"\xFF\"}"}})), "invalid_utf8");
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"d\":\"处方\"}"}})), "");
}

TEST_F(PayloadTest, NestingDeeperThan32IsRejected) {
  // The payload object is level 1 and body level 2, so 30 more arrays reach level 32.
  auto body = [](int arrays) {
    return "{\"a\":" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  EXPECT_EQ(payload_code(payload_json({{"body", body(30)}})), "");
  auto result = parse_payload(unsigned_envelope(payload_json({{"body", body(31)}})));
  EXPECT_EQ(result.status().code(), "malformed_json");
  EXPECT_NE(result.status().message().find("deep"), std::string::npos);
  EXPECT_EQ(payload_code(std::string(50000, '[')), "malformed_json");
}

TEST_F(PayloadTest, ValidTimestampsAreAccepted) {
  for (const char* ts : {"2026-11-23T10:00:00Z", "2026-11-23T10:00:00.5Z",
                         "2026-11-23T18:00:00+08:00", "2024-02-29T23:59:59-05:30",
                         "2000-02-29T00:00:00.123456789+00:00", "2026-12-31T23:59:59+23:59"}) {
    EXPECT_EQ(payload_code(payload_json({{"ts", json_str(ts)}})), "") << ts;
  }
}

TEST_F(PayloadTest, BadTimestampIsRejected) {
  for (const char* ts : {"2026-13-01T00:00:00Z",
                         "2026-11-23 10:00:00",
                         "2026-11-23T10:00:00",
                         "2026-11-23 10:00:00Z",
                         "2026-00-10T00:00:00Z",
                         "2026-11-00T00:00:00Z",
                         "2026-11-31T00:00:00Z",
                         "2026-02-29T00:00:00Z",
                         "1900-02-29T00:00:00Z",
                         "2026-11-23T24:00:00Z",
                         "2026-11-23T10:60:00Z",
                         "2026-11-23T10:00:60Z",
                         "2026-11-23t10:00:00z",
                         "2026-11-23T10:00:00+0800",
                         "2026-11-23T10:00:00+24:00",
                         "2026-11-23T10:00:00+08:60",
                         "2026-11-23T10:00:00.Z",
                         "2026-11-23T10:00:00.1234567890Z",
                         "2026-11-23T10:00:00Zjunk",
                         "26-11-23T10:00:00Z",
                         "2026-1-23T10:00:00Z",
                         "",
                         "Z",
                         "2026-11-23T10:00Z",
                         "2026-11-23",
                         "+2026-11-23T10:00:00Z",
                         "2026-11-23T10:00:00 Z"}) {
    EXPECT_EQ(payload_code(payload_json({{"ts", json_str(ts)}})), "bad_timestamp") << ts;
  }
}

TEST_F(PayloadTest, BadKindIsRejected) {
  for (const std::string& kind :
       std::vector<std::string>{"", "Rx.issue", "rx..issue", "rx.", ".rx", "1rx", "rx.1ssue",
                                "rx-issue", "rx issue", "_rx", std::string(65, 'a')}) {
    EXPECT_EQ(payload_code(payload_json({{"kind", json_str(kind)}})), "bad_field") << kind;
  }
  for (const std::string& kind :
       std::vector<std::string>{"rx", "rx.issue", "rx.issue_v2.a1", std::string(64, 'a')}) {
    EXPECT_EQ(payload_code(payload_json({{"kind", json_str(kind)}})), "") << kind;
  }
}

TEST_F(PayloadTest, BadNonceIsRejected) {
  for (const std::string& nonce : std::vector<std::string>{"", std::string(129, 'n'), "tab\\there",
                                                           "caf\\u00e9", "\\u007f", "nl\\n"}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{"nonce", json_str(nonce)}})));
    EXPECT_EQ(result.status().code(), "bad_field") << nonce;
    EXPECT_NE(result.status().message().find("nonce"), std::string::npos);
  }
  for (const std::string& nonce :
       std::vector<std::string>{std::string(128, 'n'), "a b!~", "\\u0041"}) {
    EXPECT_EQ(payload_code(payload_json({{"nonce", json_str(nonce)}})), "") << nonce;
  }
}

TEST_F(PayloadTest, BadOrgIsRejected) {
  for (const std::string& org : std::vector<std::string>{"", "Hosp-xa-01", "-hosp", "hosp/xa",
                                                         "hosp xa", std::string(65, 'h')}) {
    EXPECT_EQ(payload_code(payload_json({{"org", json_str(org)}})), "bad_field") << org;
  }
}

TEST_F(PayloadTest, BadActorIsRejected) {
  for (const std::string& actor :
       std::vector<std::string>{"hosp-xa-01", "hosp-xa-01/", "/dr-li", "hosp-xa-01/dr/li",
                                "hosp-xa-01/Dr-Li", "hosp-xa-01/" + std::string(118, 'a')}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{"actor", json_str(actor)}})));
    EXPECT_EQ(result.status().code(), "bad_field") << actor;
    EXPECT_NE(result.status().message().find("actor"), std::string::npos);
  }
}

TEST_F(PayloadTest, ActorDifferentFromSignerIsRejected) {
  auto result = parse_payload(unsigned_envelope(payload_json(), "hosp-xa-01/dr-wang"));
  EXPECT_EQ(result.status().code(), "actor_mismatch");
}

TEST_F(PayloadTest, ActorOfAnotherOrgIsRejected) {
  std::string payload = payload_json({{"actor", "\"hosp-bj-02/dr-wang\""}});
  auto result = parse_payload(unsigned_envelope(payload, "hosp-bj-02/dr-wang"));
  EXPECT_EQ(result.status().code(), "bad_field");
  EXPECT_NE(result.status().message().find("hosp-bj-02"), std::string::npos);
  EXPECT_EQ(sign_envelope(to_bytes(payload), key_).status().code(), "bad_field");
}

// ---- Signatures ----

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
