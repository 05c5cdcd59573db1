// A node refuses bad input on its API and peer ports with the right answer, and keeps serving.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "integration/cluster_harness.h"
#include "integration/workload.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpClient;
using testing::HttpResponse;
using testing::RawExchange;
using testing::raw_exchange;


ledger::Envelope signed_envelope(const ledger::KeyPair& key, const std::string& org,
                                 const std::string& actor, const std::string& nonce) {
  std::string payload = R"({"v":1,"kind":"access.read","org":")" + org + R"(","actor":")" + actor +
                        R"(","ts":"2026-11-23T10:00:00Z","nonce":")" + nonce +
                        R"(","body":{}})";
  auto envelope = ledger::sign_envelope(ledger::Bytes(payload.begin(), payload.end()), key);
  EXPECT_TRUE(envelope.ok()) << envelope.status().to_string();
  return *envelope;
}

TEST(ClusterIntegration, BadHttpInputIsRefusedAndNodeKeepsServing) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  auto leader = cluster.leader();
  ASSERT_TRUE(leader.has_value()) << "no leader";
  HttpClient http = cluster.client(*leader);
  const std::string org = cluster.orgs()[0];
  const Record good = make_record(cluster.admin_key(org), org, "bad-input-good");

  HttpResponse malformed = http.post("/v1/records", R"({"payload": "abc", )");
  EXPECT_EQ(malformed.status, 400) << malformed.error << malformed.body;

  HttpResponse wrong_type = http.post("/v1/records", good.wire, "text/plain");
  EXPECT_EQ(wrong_type.status, 415) << wrong_type.error << wrong_type.body;

  // The head alone, announcing a body over max_request_bytes (8 MiB by default): the node
  // answers from the head (Expect: 100-continue), without reading a byte of body.
  RawExchange oversized = raw_exchange(
      "127.0.0.1", cluster.node(*leader).api_port,
      "POST /v1/records HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
      "Content-Length: 9000000\r\nExpect: 100-continue\r\n\r\n",
      10s);
  EXPECT_EQ(oversized.received.substr(0, 12), "HTTP/1.1 413") << oversized.received;

  ledger::Envelope forged = signed_envelope(cluster.admin_key(org), org, org + "/admin", "forged");
  forged.signature[0] ^= 0x01;
  HttpResponse bad_signature = http.post("/v1/records", ledger::envelope_to_wire(forged));
  EXPECT_EQ(bad_signature.status, 400) << bad_signature.error << bad_signature.body;

  auto stranger_key = ledger::ed25519_sha256().generate_keypair();
  ASSERT_TRUE(stranger_key.ok());
  ledger::Envelope stranger = signed_envelope(*stranger_key, org, org + "/stranger", "stranger");
  HttpResponse unknown_signer = http.post("/v1/records", ledger::envelope_to_wire(stranger));
  EXPECT_EQ(unknown_signer.status, 403) << unknown_signer.error << unknown_signer.body;

  HttpResponse first = http.post("/v1/records?wait=commit", good.wire);
  ASSERT_EQ(first.status, 200) << first.error << first.body;
  auto first_json = nlohmann::json::parse(first.body, nullptr, false);
  ASSERT_TRUE(first_json.is_object()) << first.body;
  EXPECT_EQ(first_json.value("status", ""), "committed") << first.body;
  EXPECT_EQ(first_json.value("id", ""), good.id) << first.body;

  std::vector<Record> copies(1000, good);
  size_t duplicates = 0;
  auto started = Clock::now();
  for (int round = 0; round < 10; ++round) {
    SubmitAnswer answer = submit_array(http, copies);
    ASSERT_EQ(answer.problem, "") << "round " << round;
    EXPECT_EQ(answer.http.status, 200);
    for (const auto& [id, status] : answer.statuses) {
      EXPECT_EQ(id, good.id);
      if (status == "duplicate") ++duplicates;
    }
  }
  EXPECT_EQ(duplicates, 10000u);
  std::printf("10000 duplicate submissions answered in %.2f s\n",
              std::chrono::duration<double>(Clock::now() - started).count());

  for (int i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(cluster.client(i).get("/healthz").status, 200) << cluster.node(i).id;
  }
  auto status = cluster.status(*leader);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->value("tree_size", uint64_t{0}), 1u) << status->dump();
}

TEST(ClusterIntegration, PlainTcpToThePeerPortIsRefused) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  ASSERT_TRUE(cluster.leader().has_value()) << "no leader";

  std::string garbage = "GET / HTTP/1.1\r\nHost: peer\r\n\r\n";
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) & 0xff);
  for (int i = 0; i < cluster.size(); ++i) {
    RawExchange exchange = raw_exchange("127.0.0.1", cluster.node(i).peer_port, garbage, 10s);
    EXPECT_TRUE(exchange.connected) << cluster.node(i).id;
    EXPECT_TRUE(exchange.closed) << cluster.node(i).id << " kept a plain TCP connection open";
  }

  // Every node is still healthy and the cluster still commits (which needs the peer links).
  for (int i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(cluster.client(i).get("/healthz").status, 200) << cluster.node(i).id;
  }
  std::vector<HttpClient> clients;
  for (int i = 0; i < cluster.size(); ++i) clients.push_back(cluster.client(i));
  SubmitStats stats;
  const std::string org = cluster.orgs()[1];
  EXPECT_TRUE(submit_until_final(clients, make_records(cluster, org, "after-garbage", 0, 10), 0,
                                 Clock::now() + 30s, stats))
      << stats.last_error;
  EXPECT_TRUE(cluster.wait_converged(15s));
}

}  // namespace
}  // namespace medtrail::integration
