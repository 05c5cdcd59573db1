// Confidential fields end to end, as people use them: on a chain that seals them, the doctor's
// client (`medtrail seal`) seals a prescription for the hospital and the regulator and puts the
// data key on the patient's slip; every node stores and enforces it without being able to read
// it; `medtrail open` reads it with the regulator's keyring or the slip, and not with the
// keyring of a pharmacy the patient did not give the slip to.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "integration/cluster_harness.h"
#include "integration/member_reader.h"
#include "integration/sealing_cluster.h"
#include "integration/submitter.h"

namespace medtrail::integration {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResponse;



class ConfidentialFields : public SealingClusterTest {
 protected:
  ConfidentialFields() : SealingClusterTest("sealed") {}

  // `medtrail seal` of the doctor's prescription, signed and committed; returns the record id.
  std::string issue_sealed(const Person& doctor, const std::string& slip_path) {
    json result = s.commit_sealed(0, doctor, "rx.issue", amoxicillin_prescription(),
                                  {"--node", url(0), "--slip-key-out", slip_path});
    EXPECT_NE(result.value("seal_output", "").find("for hosp-a, reg-c"), std::string::npos) << result.dump();
    for (const char* secret : kPrescriptionSecrets) {
      EXPECT_EQ(result.value("sealed_payload", "").find(secret), std::string::npos) << secret;
    }
    EXPECT_EQ(result.value("accepted", false), true) << result.dump();
    return result.value("record_id", "");
  }

  int open(const std::vector<std::string>& how, const std::string& record_path, std::string* output) {
    std::vector<std::string> args = {"open", "--record", record_path};
    args.insert(args.end(), how.begin(), how.end());
    return cluster.run_cli(args, output);
  }

};

TEST_F(ConfidentialFields, OnlyTheReadersAndTheSlipHolderCanReadAPrescriptionEveryNodeEnforces) {
  ASSERT_TRUE(ready);
  Person doctor = s.registered("hosp-a", "dr-li", "doctor");
  Person pharmacist = s.registered("pharm-b", "ph-wang", "pharmacist");

  // A body with its confidential fields in clear is refused by the chain, not just the client.
  EXPECT_EQ(s.commit(0, s.sign(doctor, "rx.issue", amoxicillin_prescription())).value("reason_code", ""), "confidential_in_clear");

  const std::string slip = cluster.dir() + "/slip.key";
  const std::string rx_id = issue_sealed(doctor, slip);
  const std::string other_slip = cluster.dir() + "/other-slip.key";
  issue_sealed(doctor, other_slip);

  // Every node stores the record and serves it; none holds its confidential text.
  MemberReader reader(cluster, "auditor-wu");
  std::string record;
  for (int i = 0; i < cluster.size(); ++i) {
    HttpClient client = cluster.client(i);
    HttpResponse r = reader.get(client, cluster.node(i).id, "/v1/records/" + rx_id);
    ASSERT_EQ(r.status, 200) << r.body;
    auto leaf = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(leaf.is_object()) << r.body;
    auto payload = ledger::envelope_from_wire(leaf["envelope"].dump());
    ASSERT_TRUE(payload.ok());
    const std::string bytes(ledger::as_chars(payload->payload));
    for (const char* secret : kPrescriptionSecrets) EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
    for (const char* secret : kPrescriptionSecrets) {
      EXPECT_EQ(cluster.log_tail(i, 100000).find(secret), std::string::npos) << "node log holds " << secret;
    }
    if (i == 0) record = r.body;
  }
  const std::string record_path = cluster.dir() + "/record.json";
  std::ofstream(record_path) << record;

  // The parties read it: the hospital and the regulator with their keyrings, and the pharmacy
  // the patient gives the slip to.
  std::string output;
  for (const std::string org : {"hosp-a", "reg-c"}) {
    EXPECT_EQ(open({"--org", org, "--keyring", keyring(org)}, record_path, &output), 0) << output;
    EXPECT_NE(output.find("Amoxicillin capsules"), std::string::npos) << output;
    EXPECT_NE(output.find("\"diagnosis_code\": \"J02.9\""), std::string::npos) << output;
  }
  EXPECT_EQ(open({"--slip-key", slip}, record_path, &output), 0) << output;
  EXPECT_NE(output.find("500 mg three times a day"), std::string::npos) << output;

  // A member node's organisation that is not a party, and a pharmacy without the slip, cannot;
  // nor does another prescription's slip open this one.
  for (const std::string org : {"pharm-b", "pharm-e"}) {
    EXPECT_EQ(open({"--org", org, "--keyring", keyring(org)}, record_path, &output), 1) << output;
    EXPECT_NE(output.find("not_a_recipient"), std::string::npos) << output;
    EXPECT_EQ(output.find("Amoxicillin"), std::string::npos) << output;
  }
  EXPECT_EQ(open({"--org", "hosp-a", "--keyring", keyring("pharm-b")}, record_path, &output), 1) << output;
  EXPECT_EQ(open({"--slip-key", other_slip}, record_path, &output), 1) << output;
  EXPECT_NE(output.find("open_failed"), std::string::npos) << output;

  // The clear fields carry the rules on every node: reviewed, then a dispense beyond the
  // prescribed quantity is refused and the full one accepted.
  EXPECT_EQ(s.commit(1, s.sign(pharmacist, "rx.review", {{"rx_id", rx_id}, {"decision", "approved"}}))
                .value("accepted", false),
            true);
  json over = {{"rx_id", rx_id}, {"items", {{{"drug_code", "J01CA04"}, {"quantity", 25}}}}};
  EXPECT_EQ(s.commit(2, s.sign(pharmacist, "rx.dispense", over)).value("reason_code", ""), "quantity_exceeded");
  json all = {{"rx_id", rx_id}, {"items", {{{"drug_code", "J01CA04"}, {"quantity", 24}}}}};
  EXPECT_EQ(s.commit(1, s.sign(pharmacist, "rx.dispense", all)).value("accepted", false), true);
}

TEST_F(ConfidentialFields, TheKeyDirectoryFollowsARotationAndSealingUsesTheNewKey) {
  ASSERT_TRUE(ready);
  HttpClient client = cluster.client(1);
  HttpResponse before = client.get("/v1/encryption-keys");
  ASSERT_EQ(before.status, 200) << before.body;
  auto directory = json::parse(before.body, nullptr, false);
  ASSERT_TRUE(directory.is_object()) << before.body;
  EXPECT_EQ(directory["confidential_fields"], "sealed");
  ASSERT_EQ(directory["organisations"].size(), 5u);
  // `medtrail encryption-key rotate`, then the admin registers the new key.
  std::string output;
  ASSERT_EQ(cluster.run_cli({"encryption-key", "rotate", "--keyring", keyring("reg-c")}, &output), 0) << output;
  const size_t at = output.find("public_key: ");
  ASSERT_NE(at, std::string::npos) << output;
  const std::string public_key = output.substr(at + 12, 64);
  json registered = s.commit(0, s.sign(s.admin("reg-c"), "org.enc_key", {{"public_key", public_key}}));
  ASSERT_EQ(registered.value("accepted", false), true) << registered.dump();
  ASSERT_TRUE(cluster.wait_converged());
  HttpResponse after = client.get("/v1/encryption-keys");
  EXPECT_NE(after.body.find(public_key), std::string::npos) << after.body;

  // A record sealed now is wrapped for the new key, and the rotated keyring opens it.
  Person doctor = s.registered("hosp-a", "dr-li", "doctor");
  const std::string rx_id = issue_sealed(doctor, cluster.dir() + "/slip.key");
  MemberReader reader(cluster, "auditor-wu");
  HttpClient reads = cluster.client(0);
  HttpResponse r = reader.get(reads, cluster.node(0).id, "/v1/records/" + rx_id);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string record_path = cluster.dir() + "/record.json";
  std::ofstream(record_path) << r.body;
  EXPECT_EQ(open({"--org", "reg-c", "--keyring", keyring("reg-c")}, record_path, &output), 0) << output;
  EXPECT_NE(output.find("Amoxicillin capsules"), std::string::npos) << output;
}

}  // namespace
}  // namespace medtrail::integration
