#include "medtrail/ledger/proof_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "medtrail/ledger/merkle_log.h"
#include "merkle_test_util.h"

namespace medtrail::ledger {
namespace {

class ProofJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 21; ++i) {
      Hash leaf = merkle_leaf_hash(suite_, as_bytes("leaf " + std::to_string(i)));
      leaves_.push_back(leaf);
      append_and_store(log_, nodes_, leaf);
    }
  }
  std::string inclusion(uint64_t index, uint64_t size) {
    auto proof = log_.inclusion_proof(nodes_, index, size);
    return inclusion_proof_to_json(suite_, *proof, leaves_[index], *log_.root_at(nodes_, size));
  }

  const CryptoSuite& suite_ = ed25519_sha256();
  MerkleLog log_{suite_};
  InMemoryMerkleNodes nodes_;
  std::vector<Hash> leaves_;
};

TEST_F(ProofJsonTest, GeneratedDocumentsVerify) {
  auto inc = verify_proof_document(inclusion(5, 21));
  ASSERT_TRUE(inc.ok()) << inc.status().to_string();
  EXPECT_EQ(inc->type, "inclusion");
  auto proof = log_.consistency_proof(nodes_, 6, 21);
  auto doc = consistency_proof_to_json(suite_, *proof, *log_.root_at(nodes_, 6), log_.root());
  auto con = verify_proof_document(doc);
  ASSERT_TRUE(con.ok()) << con.status().to_string();
  EXPECT_EQ(con->type, "consistency");
}

// A node's consistency proof is checked against the caller's sizes and roots only; whatever the
// node puts in the document otherwise — lies, garbage, 60,000 levels of nesting — is refused
// with a code, never a crash.
TEST_F(ProofJsonTest, AServedConsistencyProofIsCheckedAgainstTheCallersRootsOnly) {
  const Hash first = *log_.root_at(nodes_, 6);
  const Hash second = log_.root();
  auto proof = log_.consistency_proof(nodes_, 6, 21);
  std::string doc = consistency_proof_to_json(suite_, *proof, first, second);
  EXPECT_TRUE(verify_served_consistency(doc, suite_, 6, first, 21, second).ok());
  Hash other = first;
  other[0] ^= 1;
  EXPECT_EQ(verify_served_consistency(doc, suite_, 6, other, 21, second).code(), "proof_invalid");
  EXPECT_EQ(verify_served_consistency(doc, suite_, 7, first, 21, second).code() == "", false);

  std::string deep = "{\"path\":" + std::string(60000, '[') + std::string(60000, ']') + "}";
  EXPECT_EQ(verify_served_consistency(deep, suite_, 6, first, 21, second).code(), "bad_proof_document");
  for (const char* garbage : {"", "x", "[]", "{\"path\":\"x\"}", "{\"path\":[\"zz\"]}", "{\"path\":[1]}"}) {
    EXPECT_EQ(verify_served_consistency(garbage, suite_, 6, first, 21, second).code(), "bad_proof_document")
        << garbage;
  }
}

TEST_F(ProofJsonTest, LeafDataMayReplaceLeafHash) {
  auto doc = nlohmann::json::parse(inclusion(3, 21));
  doc.erase("leaf_hash");
  doc["leaf_data"] = to_hex(as_bytes("leaf 3"));
  EXPECT_TRUE(verify_proof_document(doc.dump()).ok());
  doc["leaf_data"] = to_hex(as_bytes("leaf 4"));
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "proof_invalid");
  doc["leaf_hash"] = to_hex(leaves_[3]);
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
}

TEST_F(ProofJsonTest, AlteredDocumentsAreRejectedWithTheRightCode) {
  auto base = nlohmann::json::parse(inclusion(9, 21));
  auto changed = [&](auto edit) {
    auto doc = base;
    edit(doc);
    return verify_proof_document(doc.dump()).status().code();
  };
  EXPECT_EQ(changed([](auto& d) { d["root"] = std::string(64, '0'); }), "proof_invalid");
  EXPECT_EQ(changed([](auto& d) { d["path"][0] = std::string(64, 'a'); }), "proof_invalid");
  EXPECT_EQ(changed([](auto& d) { d["leaf_index"] = 21; }), "proof_malformed");
  EXPECT_EQ(changed([](auto& d) { d["leaf_index"] = -1; }), "bad_proof_document");
  EXPECT_EQ(changed([](auto& d) { d["root"] = "abc"; }), "bad_proof_document");
  EXPECT_EQ(changed([](auto& d) { d["path"] = "x"; }), "bad_proof_document");
  EXPECT_EQ(changed([](auto& d) { d.erase("tree_size"); }), "bad_proof_document");
  EXPECT_EQ(changed([](auto& d) { d["type"] = "exclusion"; }), "bad_proof_document");
  EXPECT_EQ(changed([](auto& d) { d["suite"] = "md5-rsa"; }), "unknown_suite");
  EXPECT_EQ(changed([](auto& d) {
              for (int i = 0; i < 200; ++i) d["path"].push_back(std::string(64, 'b'));
            }),
            "proof_malformed");
}

TEST(ProofJson, NonJsonAndOversizedInputAreRejected) {
  EXPECT_EQ(verify_proof_document("{").status().code(), "bad_proof_document");
  EXPECT_EQ(verify_proof_document("[1,2]").status().code(), "bad_proof_document");
  EXPECT_EQ(verify_proof_document(std::string(kMaxProofDocumentBytes + 1, ' ')).status().code(),
            "bad_proof_document");
}

}  // namespace
}  // namespace medtrail::ledger
