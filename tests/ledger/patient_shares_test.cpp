// The key service's wire protocol (patient_shares.h): targets the contract can judge, and
// strict bodies both ways.
#include "medtrail/ledger/patient_shares.h"

#include <gtest/gtest.h>

#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::ledger {
namespace {

const std::string kRef(64, 'b');

TEST(PatientShareTarget, RoundTripsAndRefusesEveryOtherSpelling) {
  for (ShareUse use : {ShareUse::kSeal, ShareUse::kOpen}) {
    for (size_t n : {size_t{1}, size_t{9}, kMaxShareBatch}) {
      auto parsed = parse_patient_share_target(patient_share_target(kRef, n, use));
      ASSERT_TRUE(parsed.has_value()) << n;
      EXPECT_EQ(parsed->patient_ref, kRef);
      EXPECT_EQ(parsed->count, n);
      EXPECT_EQ(parsed->use, use);
    }
  }
  const std::string base = std::string(kPatientKeysPath) + kRef;
  for (const std::string& bad :
       {base, base + "?n=1", base + "?n=0&for=seal", base + "?n=01&for=seal", base + "?n=65&for=seal",
        base + "?n=1&for=read", base + "?n=1&for=seal&x=1", base + "?for=seal&n=1", base + "?n=1&for=seal/",
        std::string(kPatientKeysPath) + std::string(64, 'B') + "?n=1&for=seal",
        std::string(kPatientKeysPath) + std::string(63, 'b') + "?n=1&for=seal",
        std::string(kPatientKeysPath) + "110101199003077571?n=1&for=seal", std::string("/v1/patient-keys?n=1&for=seal")}) {
    EXPECT_FALSE(parse_patient_share_target(bad).has_value()) << bad;
  }
}

TEST(PatientShareBodies, RoundTripAndAreStrict) {
  const std::vector<Bytes> nonces = {new_sealed_nonce(), new_sealed_nonce()};
  auto read = read_patient_share_request(patient_share_request_json(nonces), 2);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(*read, nonces);
  EXPECT_EQ(read_patient_share_request(patient_share_request_json(nonces), 3).status().code(), "bad_request");
  for (const std::string& bad :
       {std::string("{}"), std::string("[]"), std::string("not json"), std::string(R"({"nonces":["00"]})"),
        R"({"nonces":[")" + std::string(48, 'A') + R"("]})",
        R"({"nonces":[")" + std::string(48, 'a') + R"("],"more":1})",
        R"({"nonces":[")" + std::string(kMaxShareBodyBytes, 'a') + R"("]})"}) {
    EXPECT_EQ(read_patient_share_request(bad, 1).status().code(), "bad_request") << bad.substr(0, 80);
  }
  const SecureBytes key = new_patient_key();
  std::vector<SecureBytes> shares;
  for (const Bytes& n : nonces) shares.push_back(patient_share(key.view(), kRef, n));
  auto back = read_patient_share_response(patient_share_response_json(shares), 2);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_TRUE(std::equal(shares[1].view().begin(), shares[1].view().end(), (*back)[1].view().begin()));
  EXPECT_EQ(read_patient_share_response(patient_share_response_json(shares), 1).status().code(), "bad_response");
}

}  // namespace
}  // namespace medtrail::ledger
