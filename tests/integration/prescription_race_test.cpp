// The contracts through a real cluster: two pharmacies dispense the same prescription at the same
// moment through different nodes; exactly one dispense is accepted, the other is on the chain as
// rejected, and every node holds the same contract state.
#include <gtest/gtest.h>

#include <thread>

#include "integration/cluster_harness.h"
#include "integration/member_reader.h"
#include "integration/submitter.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::integration {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

TEST(ContractsIntegration, TwoPharmaciesRacingForOnePrescriptionGetExactlyOneDispense) {
  Cluster cluster;
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  ASSERT_TRUE(cluster.leader().has_value());
  Submitter s(cluster);

  Person doctor = s.registered("hosp-a", "dr-li", "doctor");
  Person pharmacist_b = s.registered("pharm-b", "ph-wang", "pharmacist");
  Person pharmacist_e = s.registered("pharm-e", "ph-zhao", "pharmacist");

  ledger::Envelope issue = s.sign(doctor, "rx.issue", amoxicillin_prescription());
  ASSERT_EQ(s.commit(0, issue).value("accepted", false), true);
  const std::string rx_id = ledger::record_id(issue).value();
  ASSERT_EQ(s.commit(1, s.sign(pharmacist_b, "rx.review", {{"rx_id", rx_id}, {"decision", "approved"}}))
                .value("accepted", false),
            true);

  nlohmann::json dispense = {{"rx_id", rx_id}, {"items", {{{"drug_code", "J01CA04"}, {"quantity", 24}}}}};
  ledger::Envelope from_b = s.sign(pharmacist_b, "rx.dispense", dispense);
  ledger::Envelope from_e = s.sign(pharmacist_e, "rx.dispense", dispense);
  nlohmann::json result_b, result_e;
  std::thread tb([&] { result_b = s.commit(1, from_b); });
  std::thread te([&] { result_e = s.commit(2, from_e); });
  tb.join();
  te.join();

  const bool b_won = result_b.value("accepted", false);
  const bool e_won = result_e.value("accepted", false);
  EXPECT_NE(b_won, e_won) << "b: " << result_b.dump() << " e: " << result_e.dump();
  const nlohmann::json& loser = b_won ? result_e : result_b;
  const std::string code = loser.value("reason_code", "");
  EXPECT_TRUE(code == "already_dispensed" || code == "quantity_exceeded") << loser.dump();

  // Every node reached the same state: the digest of one height, compared on each.
  ASSERT_TRUE(cluster.wait_converged());
  auto first = cluster.status(0);
  ASSERT_TRUE(first.has_value());
  const std::string height = std::to_string(first->value("height", 0));
  std::string digest;
  for (int i = 0; i < cluster.size(); ++i) {
    HttpResponse head = cluster.client(i).get("/v1/blocks/" + height);
    auto block = nlohmann::json::parse(head.body, nullptr, false);
    ASSERT_TRUE(block.is_object()) << head.body;
    const std::string d = block.value("state_root", "");
    if (i == 0) digest = d;
    EXPECT_EQ(d, digest) << "state root differs on " << cluster.node(i).id;
  }

  // The refused dispense is evidence: on the chain, with its reason, read back from every node
  // by a regulator's auditor.
  const std::string loser_id = ledger::record_id(b_won ? from_e : from_b).value();
  MemberReader reader(cluster);
  for (int i = 0; i < cluster.size(); ++i) {
    HttpClient client = cluster.client(i);
    HttpResponse r = reader.get(client, cluster.node(i).id, "/v1/records/" + loser_id);
    ASSERT_EQ(r.status, 200) << r.body;
    auto leaf = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_EQ(leaf["result"].value("reason_code", ""), code) << r.body;
  }
}

}  // namespace
}  // namespace medtrail::integration
