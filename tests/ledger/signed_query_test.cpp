// Signed API queries (docs/api-auth.md): what the client signs is what the node reads back,
// for both suites, and a header that is not one is refused with its code.
#include "medtrail/ledger/signed_query.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/rfc3339.h"

namespace medtrail::ledger {
namespace {

constexpr int64_t kNow = 1796292600000;  // 2026-12-03T10:10:00Z

class SignedQueryTest : public ::testing::TestWithParam<const CryptoSuite*> {
 protected:
  const CryptoSuite& suite() const { return *GetParam(); }
  Hash chain() const { return suite().hash(as_bytes(std::string_view("a genesis file"))); }
};

TEST_P(SignedQueryTest, TheHeaderCarriesAnEnvelopeThatVerifiesAndNamesTheRequest) {
  KeyPair key = suite().generate_keypair().value();
  QueryToSign q{"POST", "/v1/audit/search?org=pharm-a&from=2026-12-01", "{\"kind\":\"rx.dispense\"}", "audit", "node-2"};
  auto header = sign_query(suite(), chain(), key, "reg-a/zhao", q, kNow, "0123456789abcdef");
  ASSERT_TRUE(header.ok()) << header.status().to_string();
  ASSERT_TRUE(header->starts_with("Medtrail "));

  auto envelope = envelope_from_authorization(*header);
  ASSERT_TRUE(envelope.ok()) << envelope.status().to_string();
  EXPECT_EQ(envelope->signer, "reg-a/zhao");
  nlohmann::json body;
  auto fields = validate_envelope(*envelope, key.public_key, &body);
  ASSERT_TRUE(fields.ok()) << fields.status().to_string();
  EXPECT_EQ(fields->kind, "access.query");
  EXPECT_EQ(fields->org, "reg-a");
  EXPECT_EQ(fields->nonce, "0123456789abcdef");
  EXPECT_EQ(rfc3339_to_unix_ms(fields->ts), kNow);

  auto read = read_signed_query(body);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(read->chain, chain());
  EXPECT_EQ(read->method, "POST");
  EXPECT_EQ(read->target, q.target);
  EXPECT_EQ(read->body_hash, suite().hash(to_bytes(q.body)));
  EXPECT_EQ(read->purpose, "audit");
  EXPECT_EQ(read->node, "node-2");
}

TEST_P(SignedQueryTest, WhatCannotBeSignedIsRefused) {
  KeyPair key = suite().generate_keypair().value();
  auto sign = [&](QueryToSign q, std::string signer = "reg-a/zhao") {
    return sign_query(suite(), chain(), key, signer, q, kNow, "n");
  };
  QueryToSign no_node{"GET", "/v1/blocks/1", "", "audit", ""};
  EXPECT_EQ(sign_query(suite(), chain(), key, "reg-a/zhao", no_node, kNow, "n").status().code(), "bad_field");
  QueryToSign bad_node{"GET", "/v1/blocks/1", "", "audit", "Node_1"};
  EXPECT_EQ(sign_query(suite(), chain(), key, "reg-a/zhao", bad_node, kNow, "n").status().code(), "bad_field");
  EXPECT_EQ(sign({"DELETE", "/v1/records", "", "audit", "node-1"}).status().code(), "bad_field");
  EXPECT_EQ(sign({"GET", "v1/records", "", "audit", "node-1"}).status().code(), "bad_field");
  EXPECT_EQ(sign({"GET", "/v1/records/a b", "", "audit", "node-1"}).status().code(), "bad_field");
  EXPECT_EQ(sign({"GET", "/" + std::string(kMaxQueryTargetBytes, 'a'), "", "audit", "node-1"}).status().code(), "bad_field");
  EXPECT_EQ(sign({"GET", "/v1/blocks/1", "", "curiosity", "node-1"}).status().code(), "bad_field");
  EXPECT_EQ(sign({"GET", "/v1/blocks/1", "", "audit", "node-1"}, "nobody").status().code(), "bad_field");
  const CryptoSuite& other = suite().name() == kSuiteEd25519Sha256 ? sm2_sm3() : ed25519_sha256();
  EXPECT_EQ(sign_query(other, chain(), key, "reg-a/zhao", {"GET", "/v1/blocks/1", "", "audit", "node-1"}, kNow, "n")
                .status()
                .code(),
            "wrong_suite");
}

INSTANTIATE_TEST_SUITE_P(Suites, SignedQueryTest, ::testing::Values(&ed25519_sha256(), &sm2_sm3()),
                         [](const auto& info) { return info.param == &ed25519_sha256() ? "Ed25519" : "Sm2"; });

TEST(SignedQuery, AnAuthorizationValueThatIsNotOneIsRefusedWithItsCode) {
  EXPECT_EQ(envelope_from_authorization("").status().code(), "auth_scheme");
  EXPECT_EQ(envelope_from_authorization("Bearer x").status().code(), "auth_scheme");
  EXPECT_EQ(envelope_from_authorization("Medtrail").status().code(), "auth_scheme");
  EXPECT_EQ(envelope_from_authorization("Medtrailx abc").status().code(), "auth_scheme");
  EXPECT_EQ(envelope_from_authorization("Medtrail !!").status().code(), "bad_auth");
  EXPECT_EQ(envelope_from_authorization("Medtrail " + to_base64(to_bytes(std::string("[1]")))).status().code(),
            "bad_auth");
  EXPECT_EQ(envelope_from_authorization("Medtrail " + std::string(kMaxAuthorizationBytes, 'A')).status().code(),
            "bad_auth");
}

TEST(SignedQuery, ABodyIsReadOnlyWithExactlyItsSixFields) {
  const nlohmann::json good = {{"chain", std::string(64, 'a')},
                               {"node", "node-1"},
                               {"method", "GET"},
                               {"target", "/v1/blocks/1"},
                               {"body_hash", std::string(64, '0')},
                               {"purpose", "treatment"}};
  ASSERT_TRUE(read_signed_query(good).ok());
  for (const char* field : {"chain", "node", "method", "target", "body_hash", "purpose"}) {
    SCOPED_TRACE(field);
    nlohmann::json missing = good;
    missing.erase(field);
    EXPECT_EQ(read_signed_query(missing).status().code(), "bad_field");
    nlohmann::json wrong_type = good;
    wrong_type[field] = 7;
    EXPECT_EQ(read_signed_query(wrong_type).status().code(), "bad_field");
  }
  nlohmann::json extra = good;
  extra["patient_ref"] = std::string(64, 'b');
  EXPECT_EQ(read_signed_query(extra).status().code(), "bad_field");
  nlohmann::json upper = good;
  upper["chain"] = std::string(64, 'A');
  EXPECT_EQ(read_signed_query(upper).status().code(), "bad_field");
  EXPECT_EQ(read_signed_query(nlohmann::json::array()).status().code(), "bad_field");
}

}  // namespace
}  // namespace medtrail::ledger
