// POST /v1/admin/membership: only a regulator's admin key, only fresh requests, only once;
// the change goes through Raft and shows in /v1/status.

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/member_record.h"
#include "medtrail/ledger/envelope.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"
#include "support/poll.h"

namespace medtrail::node::api {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using medtrail::testing::wait_until;
using testing::ApiStack;

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() { EXPECT_TRUE(stack_.wait_for_leader()); }

  std::string request(const nlohmann::json& body, const ledger::KeyPair& key, const std::string& org,
                      std::chrono::system_clock::time_point ts = std::chrono::system_clock::now(),
                      const std::string& kind = "node.membership") {
    nlohmann::json payload = {{"v", 1},          {"kind", kind},           {"org", org},
                              {"actor", org + "/admin"}, {"ts", rfc3339(ts)},
                              {"nonce", std::to_string(++nonce_)}, {"body", body}};
    std::string text = payload.dump();
    auto envelope = ledger::sign_envelope(ledger::Bytes(text.begin(), text.end()), key);
    EXPECT_TRUE(envelope.ok()) << envelope.status().to_string();
    return ledger::envelope_to_wire(*envelope);
  }
  nlohmann::json add(const std::string& id) {
    ledger::GenesisNode n;
    n.id = id;
    n.org = "hosp-a";
    n.public_key = ledger::ed25519_sha256().generate_keypair()->public_key;
    n.tls_spki_sha256.fill(9);
    n.peer_address = "127.0.0.1:1";
    n.api_address = "127.0.0.1:2";
    return {{"action", "add_learner"}, {"node", nlohmann::json::parse(member_to_json(n))}};
  }
  HttpResponse post(const std::string& body) {
    return client_.post("/v1/admin/membership", body, "application/json");
  }
  nlohmann::json status() { return nlohmann::json::parse(client_.get("/v1/status").body); }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  uint64_t nonce_ = 0;
};

TEST_F(AdminApiTest, RegulatorAddsALearnerAndRemovesIt) {
  auto reply = post(request(add("n2"), stack_.regulator(), "reg-c"));
  ASSERT_EQ(reply.status, 202) << reply.body;
  ASSERT_TRUE(wait_until([&] {
    return status()["learners"] == nlohmann::json::array({"n2"});
  }, 5s));
  ASSERT_TRUE(stack_.driver().find_node("n2").has_value());

  // A new request each try (each is accepted once): the previous change may still be pending.
  nlohmann::json remove = {{"action", "remove"}, {"node_id", "n2"}};
  ASSERT_TRUE(wait_until([&] {
    return post(request(remove, stack_.regulator(), "reg-c")).status == 202;
  }, 5s));
  ASSERT_TRUE(wait_until([&] { return status()["learners"].empty(); }, 5s));
  // The chain goes on with its lone voter.
  auto record = client_.post("/v1/records?wait=commit", stack_.wire_envelope(1), "application/json");
  EXPECT_EQ(record.status, 200) << record.body;
}

TEST_F(AdminApiTest, OnlyARegulatorsAdminKeyMayChangeMembership) {
  auto reply = post(request(add("n2"), stack_.admin(), "hosp-a"));
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.body.find("not_regulator"), std::string::npos);
  // The regulator's org named, but signed by another key: the signature fails.
  auto forged = post(request(add("n2"), stack_.admin(), "reg-c"));
  EXPECT_EQ(forged.status, 400);
  EXPECT_NE(forged.body.find("signature_mismatch"), std::string::npos);
  EXPECT_TRUE(status()["learners"].empty());
}

TEST_F(AdminApiTest, StaleReplayedAndMalformedRequestsAreRefused) {
  const auto old = std::chrono::system_clock::now() - std::chrono::minutes(30);
  EXPECT_EQ(post(request(add("n2"), stack_.regulator(), "reg-c", old)).status, 400);
  EXPECT_EQ(post(request(add("n2"), stack_.regulator(), "reg-c",
                         std::chrono::system_clock::now(), "demo.note"))
                .status,
            400);
  EXPECT_EQ(post(request({{"action", "explode"}}, stack_.regulator(), "reg-c")).status, 400);
  EXPECT_EQ(post(request({{"action", "promote"}, {"node_id", "n9"}}, stack_.regulator(), "reg-c")).status,
            409);
  EXPECT_EQ(post(request({{"action", "remove"}, {"node_id", "n9"}}, stack_.regulator(), "reg-c")).status,
            404);
  nlohmann::json bad_node = add("n2");
  bad_node["node"]["peer_address"] = "nowhere";
  EXPECT_EQ(post(request(bad_node, stack_.regulator(), "reg-c")).status, 400);
  EXPECT_EQ(post("{not json").status, 400);

  const std::string once = request(add("n3"), stack_.regulator(), "reg-c");
  EXPECT_EQ(post(once).status, 202);
  auto replay = post(once);
  EXPECT_EQ(replay.status, 409) << replay.body;
  EXPECT_NE(replay.body.find("replayed"), std::string::npos) << replay.body;
}

}  // namespace
}  // namespace medtrail::node::api
