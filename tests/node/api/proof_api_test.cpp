// GET /v1/proofs/inclusion and /v1/proofs/consistency against a real single-node stack: every
// proof served verifies with the client's own checker (ledger/proof_json.h), against the roots
// the store holds, and a proof with one bit flipped does not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/proof_json.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

class ProofApiTest : public ::testing::Test {
 protected:
  ProofApiTest() : client_(stack_.port()) {}
  void SetUp() override {
    ASSERT_TRUE(stack_.wait_for_leader());
    for (uint64_t i = 1; i <= 7; ++i) {  // seven blocks of one record: tree sizes 1..7
      ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(i)).status, 200);
    }
    ASSERT_EQ(stack_.store().tree_size(), 7u);
  }

  // The document verifies, and names the root block `size` committed to in its header (one
  // record per block: the tree of `size` leaves is block `size`'s; size 0 is the empty tree).
  void expect_valid(const std::string& body, const char* root_field, uint64_t size) {
    auto checked = ledger::verify_proof_document(body);
    ASSERT_TRUE(checked.ok()) << checked.status().to_string() << "\n" << body;
    const ledger::Hash root = size == 0 ? ledger::merkle_empty_root(stack_.store().suite())
                                        : stack_.store().header_at(size)->tree_root;
    EXPECT_EQ(json::parse(body)[root_field], ledger::to_hex(root)) << body;
  }

  ApiStack stack_;
  HttpClient client_;
};

TEST_F(ProofApiTest, EveryLeafHasAnInclusionProofToEveryLaterTreeSize) {
  for (uint64_t size = 1; size <= 7; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      HttpResponse reply = client_.get("/v1/proofs/inclusion?leaf=" + std::to_string(leaf) +
                                "&tree_size=" + std::to_string(size));
      ASSERT_EQ(reply.status, 200) << reply.body;
      expect_valid(reply.body, "root", size);
      EXPECT_EQ(json::parse(reply.body)["leaf_hash"],
                ledger::to_hex(ledger::leaf_hash(stack_.store().suite(), *stack_.store().leaf_at(leaf))));
    }
  }
  HttpResponse head = client_.get("/v1/proofs/inclusion?leaf=3");  // tree_size: the head's
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(json::parse(head.body)["tree_size"], 7);
}

TEST_F(ProofApiTest, EveryTreeSizeIsConsistentWithEveryLaterOne) {
  for (uint64_t to = 0; to <= 7; ++to) {
    for (uint64_t from = 0; from <= to; ++from) {
      HttpResponse reply = client_.get("/v1/proofs/consistency?from=" + std::to_string(from) +
                                "&to=" + std::to_string(to));
      ASSERT_EQ(reply.status, 200) << from << ".." << to << ": " << reply.body;
      expect_valid(reply.body, "second_root", to);
    }
  }
}

TEST_F(ProofApiTest, AProofWithAnyBitFlippedDoesNotVerify) {
  HttpResponse reply = client_.get("/v1/proofs/inclusion?leaf=2&tree_size=7");
  ASSERT_EQ(reply.status, 200);
  json doc = json::parse(reply.body);
  for (const char* field : {"leaf_hash", "root"}) {
    json bad = doc;
    std::string hex = bad[field];
    hex[10] = hex[10] == '0' ? '1' : '0';
    bad[field] = hex;
    EXPECT_EQ(ledger::verify_proof_document(bad.dump()).status().code(), "proof_invalid") << field;
  }
  for (size_t i = 0; i < doc["path"].size(); ++i) {
    json bad = doc;
    std::string hex = bad["path"][i];
    hex[0] = hex[0] == 'f' ? 'e' : 'f';
    bad["path"][i] = hex;
    EXPECT_EQ(ledger::verify_proof_document(bad.dump()).status().code(), "proof_invalid") << i;
  }
}

TEST_F(ProofApiTest, BadOrOutOfRangeQueriesAreRefused) {
  struct Case {
    const char* target;
    int status;
    const char* code;
  };
  for (const Case& c : {Case{"/v1/proofs/inclusion", 400, "bad_query"},
                        Case{"/v1/proofs/inclusion?leaf=-1", 400, "bad_query"},
                        Case{"/v1/proofs/inclusion?leaf=01", 400, "bad_query"},
                        Case{"/v1/proofs/inclusion?leaf=1&tree_size=x", 400, "bad_query"},
                        Case{"/v1/proofs/inclusion?leaf=7", 400, "bad_range"},
                        Case{"/v1/proofs/inclusion?leaf=3&tree_size=3", 400, "bad_range"},
                        Case{"/v1/proofs/inclusion?leaf=0&tree_size=8", 404, "not_found"},
                        Case{"/v1/proofs/inclusion?leaf=18446744073709551615", 400, "bad_range"},
                        Case{"/v1/proofs/consistency", 400, "bad_query"},
                        Case{"/v1/proofs/consistency?from=5&to=4", 400, "bad_range"},
                        Case{"/v1/proofs/consistency?from=1&to=99", 404, "not_found"},
                        Case{"/v1/proofs/consistency?from=99999999999999999999999", 400, "bad_query"}}) {
    HttpResponse reply = client_.get(c.target);
    EXPECT_EQ(reply.status, c.status) << c.target << ": " << reply.body;
    auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << c.target;
    EXPECT_EQ(body["error"]["code"], c.code) << c.target;
  }
}

}  // namespace
}  // namespace medtrail::node::api::testing
