#pragma once
// Shared by the envelope and payload tests: payloads and wire forms built field by field, and a
// fixture holding a fresh Ed25519 key.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "medtrail/ledger/envelope.h"

namespace medtrail::ledger::envelope_testing {

using Overrides = std::vector<std::pair<std::string, std::string>>;

// As an override value: drop the field.
inline const std::string kOmit = "\x01omit";
inline constexpr char kSigner[] = "hosp-xa-01/dr-li";

// Every code envelope.h promises, plus bad_key from verify_envelope_signature.
inline const std::set<std::string> kErrorCodes = {
    "malformed_json",       "not_an_object",     "duplicate_key",
    "unknown_field",        "missing_field",     "wrong_type",
    "envelope_too_large",   "payload_too_large", "invalid_utf8",
    "bad_payload_encoding", "unknown_suite",     "bad_signature_encoding",
    "signature_mismatch",   "actor_mismatch",    "unsupported_version",
    "bad_timestamp",        "bad_field",         "bad_key"};

// Builds a JSON object from (name, raw JSON value) defaults in order; an override replaces a
// field's value (kOmit drops it) and an override with a new name is appended.
inline std::string json_object(Overrides fields, const Overrides& overrides) {
  for (const auto& [name, value] : overrides) {
    // Not the binding itself: clang 14 (Debian 12's, which the fuzz build uses) cannot capture
    // a structured binding.
    const auto& wanted = name;
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const auto& f) { return f.first == wanted; });
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

inline std::string payload_json(const Overrides& overrides = {}) {
  return json_object({{"v", "1"},
                      {"kind", "\"rx.issue\""},
                      {"org", "\"hosp-xa-01\""},
                      {"actor", "\"hosp-xa-01/dr-li\""},
                      {"ts", "\"2026-11-23T10:00:00Z\""},
                      {"nonce", "\"n-0001\""},
                      {"body", R"({"drug":"amoxicillin","qty":20})"}},
                     overrides);
}

inline std::string json_str(std::string_view s) { return "\"" + std::string(s) + "\""; }

inline std::string sha256_hex(std::string_view data) {
  Hash h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(h);
}

inline std::string sm3_hex(ByteView data) {
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

}  // namespace medtrail::ledger::envelope_testing
