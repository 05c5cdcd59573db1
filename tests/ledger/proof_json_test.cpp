#include "medtrail/ledger/proof_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "medtrail/ledger/merkle_log.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
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

class StateProofJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<StateMapChange> changes;
    for (int i = 0; i < 50; ++i) {
      const std::string key = "rx/" + std::to_string(i);
      changes.push_back({state_key_hash(suite_, as_bytes(key)),
                         state_value_hash(suite_, as_bytes("issued " + key))});
    }
    nodes_.apply(*map_.update(std::nullopt, 1, changes));
    root_ = *map_.root(1);
  }
  std::string document(const std::string& key, const std::optional<std::string>& value) {
    auto proof = map_.prove(1, state_key_hash(suite_, as_bytes(key)));
    std::optional<ByteView> v;
    if (value) v = as_bytes(*value);
    return state_proof_to_json(suite_, as_bytes(key), v, *proof, root_);
  }

  const CryptoSuite& suite_ = ed25519_sha256();
  StateMapMemoryNodes nodes_;
  StateMap map_{suite_, nodes_};
  Hash root_{};
};

TEST_F(StateProofJsonTest, PresenceAndAbsenceDocumentsVerify) {
  auto present = verify_proof_document(document("rx/7", "issued rx/7"));
  ASSERT_TRUE(present.ok()) << present.status().to_string();
  EXPECT_EQ(present->type, "state");
  EXPECT_NE(present->description.find("the key \"rx/7\" holds the value \"issued rx/7\""),
            std::string::npos)
      << present->description;
  auto absent = verify_proof_document(document("rx/70", std::nullopt));
  ASSERT_TRUE(absent.ok()) << absent.status().to_string();
  EXPECT_NE(absent->description.find("the key \"rx/70\" holds nothing"), std::string::npos)
      << absent->description;
}

TEST_F(StateProofJsonTest, HashesMayReplaceKeyAndValue) {
  auto doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc.erase("key");
  doc.erase("value");
  doc["key_hash"] = to_hex(state_key_hash(suite_, as_bytes("rx/7")));
  doc["value_hash"] = to_hex(state_value_hash(suite_, as_bytes("issued rx/7")));
  auto hashed = verify_proof_document(doc.dump());
  ASSERT_TRUE(hashed.ok()) << hashed.status().to_string();
  // Only hashes given: the key and value are named by them.
  EXPECT_NE(hashed->description.find("the key with hash " + doc["key_hash"].get<std::string>()),
            std::string::npos)
      << hashed->description;
  doc["key"] = to_hex(as_bytes("rx/7"));
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
}

TEST_F(StateProofJsonTest, AlteredDocumentsAreRejectedWithTheRightCode) {
  // The value claimed is not the one held; a present key claimed absent.
  auto doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc["value"] = to_hex(as_bytes("dispensed"));
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "proof_invalid");
  doc["value"] = nullptr;
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "proof_invalid");
  // A sibling changed.
  doc = nlohmann::json::parse(document("rx/70", std::nullopt));
  ASSERT_FALSE(doc["siblings"].empty());
  std::string s = doc["siblings"][0];
  s[0] = s[0] == '0' ? '1' : '0';
  doc["siblings"][0] = s;
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "proof_invalid");
  // Shapes a verifier must refuse before hashing anything.
  doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc.erase("value");
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
  doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc["leaf"] = "entry";
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
  doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc["siblings"] = std::vector<std::string>(kStateMapDepth + 1, to_hex(Hash{}));
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "proof_malformed");
  doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc["value"] = 7;
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
  doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc.erase("leaf");
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
  doc = nlohmann::json::parse(document("rx/7", "issued rx/7"));
  doc["leaf"]["value_hash"] = "zz";
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "bad_proof_document");
  // Absence "shown" by an entry whose path leaves the key's before the proof's depth.
  doc = nlohmann::json::parse(document("rx/70", std::nullopt));
  Hash off = state_key_hash(suite_, as_bytes("rx/70"));
  off[0] ^= 0x80;
  doc["leaf"] = {{"key_hash", to_hex(off)}, {"value_hash", to_hex(Hash{})}};
  EXPECT_EQ(verify_proof_document(doc.dump()).status().code(), "proof_malformed");
}

}  // namespace
}  // namespace medtrail::ledger
