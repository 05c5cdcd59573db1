// GET /v1/blocks/{height} and GET /v1/checkpoints/latest against a real single-node stack.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/envelope.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

class ChainApiTest : public ::testing::Test {
 protected:
  ChainApiTest() : client_(stack_.port()) {}
  void SetUp() override { ASSERT_TRUE(stack_.wait_for_leader()); }

  ApiStack stack_;
  HttpClient client_;
};

TEST_F(ChainApiTest, BlockOneDescribesItsHeaderAndRecords) {
  ledger::Envelope e = stack_.envelope(1);
  ASSERT_EQ(client_.post("/v1/records?wait=commit", ledger::envelope_to_wire(e)).status, 200);
  HttpResponse reply = client_.get("/v1/blocks/1");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json block = json::parse(reply.body);
  auto header = *stack_.store().header_at(1);
  const std::string chain_id = ledger::to_hex(stack_.store().chain_id());
  EXPECT_EQ(block["height"], 1);
  EXPECT_EQ(block["chain_id"], chain_id);
  EXPECT_EQ(block["prev_block_hash"], chain_id);  // block 1 links to the chain id
  EXPECT_EQ(block["hash"], ledger::to_hex(ledger::block_hash(stack_.store().suite(), header)));
  EXPECT_EQ(block["first_leaf"], 0);
  EXPECT_EQ(block["leaf_count"], 1);
  EXPECT_EQ(block["tree_size"], 1);
  EXPECT_EQ(block["tree_root"], ledger::to_hex(header.tree_root));
  EXPECT_EQ(block["timestamp_ms"], header.timestamp_ms);
  EXPECT_EQ(block["raft_index"], header.raft_index);
  EXPECT_FALSE(block.contains("record_ids"));  // to members only
  EXPECT_EQ(block["checkpoints"], 0);

  // A member's signed read lists the block's record ids.
  Person auditor = stack_.register_person("reg-c", "auditor", "auditor");
  HttpResponse member = client_.get("/v1/blocks/1", {{"Authorization", stack_.authorization(auditor, "/v1/blocks/1")}});
  ASSERT_EQ(member.status, 200) << member.body;
  EXPECT_EQ(json::parse(member.body)["record_ids"], json::array({ledger::record_id(e).value()}));
}

TEST_F(ChainApiTest, HeightsOutsideTheChainAreRefused) {
  for (const char* bad : {"0", "-1", "01", "1.0", "abc", "99999999999999999999999"}) {
    HttpResponse reply = client_.get(std::string("/v1/blocks/") + bad);
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_EQ(json::parse(reply.body)["error"]["code"], "bad_height") << bad;
  }
  HttpResponse beyond = client_.get("/v1/blocks/1");
  EXPECT_EQ(beyond.status, 404);
  EXPECT_EQ(json::parse(beyond.body)["error"]["code"], "not_found");
}

TEST_F(ChainApiTest, AChainWithoutCheckpointsHasNoLatestCheckpoint) {
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(2)).status, 200);
  HttpResponse reply = client_.get("/v1/checkpoints/latest");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(json::parse(reply.body)["error"]["code"], "no_checkpoint");
}

TEST_F(ChainApiTest, ACheckpointOfAHeightIsRefusedOutsideTheChainOrWhenNoneWasSigned) {
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(3)).status, 200);
  for (const char* bad : {"0", "01", "x"}) {
    HttpResponse reply = client_.get(std::string("/v1/checkpoints/") + bad);
    EXPECT_EQ(reply.status, 400) << bad;
  }
  HttpResponse beyond = client_.get("/v1/checkpoints/2");
  EXPECT_EQ(beyond.status, 404);
  EXPECT_EQ(json::parse(beyond.body)["error"]["code"], "not_found");
  HttpResponse unsigned_height = client_.get("/v1/checkpoints/1");  // this stack signs none
  EXPECT_EQ(unsigned_height.status, 404);
  EXPECT_EQ(json::parse(unsigned_height.body)["error"]["code"], "no_checkpoint");
}

}  // namespace
}  // namespace medtrail::node::api::testing
