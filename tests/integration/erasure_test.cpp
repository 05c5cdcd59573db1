// Erasure end to end, as people use it (docs/privacy.md, "Erasure"): on a chain founded
// erasable, the doctor's client seals a prescription with the patient's share from the key
// service (the regulator's node); the parties open it — the regulator with its keyring, a
// pharmacy with the slip — each asking the key service under a recorded query. Then the
// regulator approves the patient's erasure: from then on neither opens it, not even after the
// key service restarts, while the rules still hold and every node's chain still verifies. Nor
// once the key service is rebuilt after the erasure: its chain from a leader's ledger image, its
// key store from a backup taken before the erasure.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "integration/cluster_harness.h"
#include "integration/member_reader.h"
#include "integration/sealing_cluster.h"
#include "integration/submitter.h"
#include "medtrail/ledger/key_file.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResponse;
using testing::wait_until;

constexpr int kKeyService = 2;  // reg-c's node runs the pseudonym service, and so the key service

class Erasure : public SealingClusterTest {
 protected:
  explicit Erasure(const std::string& extra_toml = "") : SealingClusterTest("erasable", extra_toml) {}
  std::string key_file(const Person& p) {
    const std::string path = cluster.dir() + "/" + p.id.substr(p.id.find('/') + 1) + ".key";
    EXPECT_TRUE(ledger::save_key_file(path, p.key).ok());
    return path;
  }
  // The key service options of `who`, asking for `purpose`.
  std::vector<std::string> as(const Person& who, const std::string& purpose) {
    return {"--key-service", url(kKeyService), "--genesis", cluster.genesis_path(), "--key", key_file(who),
            "--as",          who.id,           "--purpose", purpose};
  }
  // `medtrail seal` (erasable when `key_service`), signed and committed; the commit's result.
  json issue_sealed(const Person& doctor, const std::vector<std::string>& key_service, const std::string& slip_path) {
    std::vector<std::string> args = {"--node", url(0), "--slip-key-out", slip_path};
    args.insert(args.end(), key_service.begin(), key_service.end());
    json result = s.commit_sealed(0, doctor, "rx.issue", amoxicillin_prescription(), args);
    for (const char* secret : kPrescriptionSecrets) {
      EXPECT_EQ(result.value("sealed_payload", "").find(secret), std::string::npos) << secret;
    }
    return result;
  }
  // The regulator's way to open: its keyring, and a share asked for as `inspector`.
  std::vector<std::string> as_regulator(const Person& inspector) {
    std::vector<std::string> how = {"--org", "reg-c", "--keyring", keyring("reg-c")};
    for (const std::string& a : as(inspector, "audit")) how.push_back(a);
    return how;
  }
  // GET /v1/records/<id> on node i, read by a regulator's auditor (registered at the first read).
  HttpResponse read_record(int i, const std::string& id) {
    if (!reader_) reader_.emplace(cluster, "auditor-wu");
    HttpClient client = cluster.client(i);
    return reader_->get(client, cluster.node(i).id, "/v1/records/" + id);
  }
  json erase(int via, const Person& inspector) {
    const std::string patient = amoxicillin_prescription()["patient_ref"];
    return s.commit(via, s.sign(inspector, "patient.erase",
                                {{"patient_ref", patient}, {"basis", "consent_withdrawn"}, {"request_ref", "REQ-1"}}));
  }
  // The prescription sealed erasably by `doctor` (its slip key to `slip`), committed, read back
  // through node 0 and kept at record_path for `medtrail open`: the record as read, or null.
  json issue_and_keep(const Person& doctor, const std::string& slip) {
    json issued = issue_sealed(doctor, as(doctor, "treatment"), slip);
    EXPECT_EQ(issued.value("accepted", false), true) << issued.dump();
    rx_id = issued.value("record_id", "");
    if (rx_id.empty()) return nullptr;
    HttpResponse r = read_record(0, rx_id);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return nullptr;
    record_path = cluster.dir() + "/record.json";
    std::ofstream(record_path) << r.body;
    return json::parse(r.body);
  }
  bool logged(int i, const std::string& line) { return cluster.log_tail(i, 100000).find(line) != std::string::npos; }
  int open(const std::vector<std::string>& how, std::string* output) {
    std::vector<std::string> args = {"open", "--record", record_path};
    args.insert(args.end(), how.begin(), how.end());
    return cluster.run_cli(args, output);
  }

  std::string record_path;
  std::string rx_id;

 private:
  std::optional<MemberReader> reader_;
};

TEST_F(Erasure, AfterTheRegulatorErasesAPatientNoPartyOpensTheirFieldsAndEveryProofStillHolds) {
  ASSERT_TRUE(ready);
  ASSERT_EQ(cluster.node(kKeyService).org, "reg-c");
  Person doctor = s.registered("hosp-a", "dr-li", "doctor");
  Person pharmacist = s.registered("pharm-b", "ph-wang", "pharmacist");
  Person inspector = s.registered("reg-c", "insp-zhou", "inspector");

  // Sealed without the patient's share: this chain refuses it.
  const std::string slip = cluster.dir() + "/slip.key";
  EXPECT_EQ(issue_sealed(doctor, {}, cluster.dir() + "/v1-slip.key").value("reason_code", ""), "not_erasable");
  ASSERT_FALSE(issue_and_keep(doctor, slip).is_null());

  // The parties open it, each asking the key service for the share.
  std::string output;
  // Erasable: the keyring alone does not open it.
  ASSERT_EQ(open({"--org", "reg-c", "--keyring", keyring("reg-c")}, &output), 2) << output;
  EXPECT_NE(output.find("share_needed"), std::string::npos) << output;
  std::vector<std::string> regulator = as_regulator(inspector);
  ASSERT_EQ(open(regulator, &output), 0) << output;
  EXPECT_NE(output.find("Amoxicillin capsules"), std::string::npos) << output;
  std::vector<std::string> pharmacy = {"--slip-key", slip};
  for (const std::string& a : as(pharmacist, "dispensing")) pharmacy.push_back(a);
  ASSERT_EQ(open(pharmacy, &output), 0) << output;
  EXPECT_NE(output.find("500 mg three times a day"), std::string::npos) << output;

  // The regulator approves the patient's erasure request.
  json erased = erase(1, inspector);
  ASSERT_EQ(erased.value("accepted", false), true) << erased.dump();
  ASSERT_TRUE(cluster.wait_converged());

  // Nobody opens it now: not the regulator with its keyring, not the pharmacy with the slip.
  for (const std::vector<std::string>* how : {&regulator, &pharmacy}) {
    EXPECT_EQ(open(*how, &output), 1) << output;
    EXPECT_NE(output.find("patient_key_erased"), std::string::npos) << output;
    EXPECT_EQ(output.find("Amoxicillin"), std::string::npos) << output;
  }
  // The key service destroyed the key once it applied the erasure, whether anyone asked or not.
  EXPECT_TRUE(wait_until([&] { return logged(kKeyService, "patient keys: 1 destroyed for 1 erasure(s)"); }, 10s))
      << cluster.log_tail(kKeyService, 3000);
  // Nor after the key service restarts (its startup sweep finds nothing to bring back).
  ASSERT_EQ(cluster.stop(kKeyService), 0);
  cluster.start(kKeyService);
  ASSERT_TRUE(cluster.wait_ready(kKeyService));
  EXPECT_EQ(open(regulator, &output), 1) << output;
  EXPECT_NE(output.find("patient_key_erased"), std::string::npos) << output;

  // The rules still hold on the clear fields: the prescription is reviewed and dispensed once.
  EXPECT_EQ(s.commit(1, s.sign(pharmacist, "rx.review", {{"rx_id", rx_id}, {"decision", "approved"}}))
                .value("accepted", false),
            true);
  json over = {{"rx_id", rx_id}, {"items", {{{"drug_code", "J01CA04"}, {"quantity", 25}}}}};
  EXPECT_EQ(s.commit(0, s.sign(pharmacist, "rx.dispense", over)).value("reason_code", ""), "quantity_exceeded");
  ASSERT_TRUE(cluster.wait_converged());

  // Every node's chain, erasure and all, still verifies from genesis.
  for (int i = 0; i < cluster.size(); ++i) ASSERT_EQ(cluster.stop(i), 0);
  for (int i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(i), "--genesis", cluster.genesis_path(),
                               "--quiet"},
                              &output),
              0)
        << cluster.node(i).id << ": " << output;
  }
  for (const char* secret : kPrescriptionSecrets) {
    for (int i = 0; i < cluster.size(); ++i) {
      EXPECT_EQ(cluster.log_tail(i, 100000).find(secret), std::string::npos) << "node log holds " << secret;
    }
  }
}

// Every node snapshots every 5 applied entries and compacts its log: a node with an empty data
// directory can only be rebuilt from a ledger image.
class ErasureRebuilt : public Erasure {
 protected:
  ErasureRebuilt() : Erasure("\n[limits]\nsnapshot_every = 5\n") {}
};

TEST_F(ErasureRebuilt, AKeyServiceRebuiltFromAnImageWithItsKeysFromBeforeTheErasureOpensNothing) {
  ASSERT_TRUE(ready);
  Person doctor = s.registered("hosp-a", "dr-li", "doctor");
  Person inspector = s.registered("reg-c", "insp-zhou", "inspector");
  const json before = issue_and_keep(doctor, cluster.dir() + "/slip.key");
  ASSERT_FALSE(before.is_null());
  std::string output;
  const std::vector<std::string> regulator = as_regulator(inspector);
  ASSERT_EQ(open(regulator, &output), 0) << output;

  // A backup of the key service's key store, taken (the node stopped) before the erasure.
  namespace fs = std::filesystem;
  const std::string keys = cluster.data_dir(kKeyService) + "/patient-keys";
  const std::string backup = cluster.dir() + "/patient-keys-backup";
  ASSERT_EQ(cluster.stop(kKeyService), 0);
  fs::copy(keys, backup, fs::copy_options::recursive);
  ASSERT_TRUE(cluster.leader().has_value()) << "the other two elect no leader";

  // The erasure, then records until each running node has finished a snapshot begun after it
  // (two more than when it was committed), so its log no longer holds the erasure's block.
  std::vector<double> taken;
  for (int i : {0, 1}) taken.push_back(cluster.metric(i, "medtrail_snapshots_taken_total"));
  json erased = erase(0, inspector);
  ASSERT_EQ(erased.value("accepted", false), true) << erased.dump();
  auto compacted_past_erasure = [&] {
    return cluster.metric(0, "medtrail_snapshots_taken_total") >= taken[0] + 2 &&
           cluster.metric(1, "medtrail_snapshots_taken_total") >= taken[1] + 2;
  };
  for (int k = 0; k < 40 && !compacted_past_erasure(); ++k) s.registered("hosp-a", "dr-" + std::to_string(k), "doctor");
  ASSERT_TRUE(compacted_past_erasure());

  // The key service comes back with an empty chain and the key store of before the erasure.
  fs::remove_all(cluster.data_dir(kKeyService));
  fs::create_directories(cluster.data_dir(kKeyService));
  fs::copy(backup, keys, fs::copy_options::recursive);
  cluster.start(kKeyService);
  ASSERT_TRUE(cluster.wait_ready(kKeyService));
  ASSERT_TRUE(cluster.wait_converged());
  EXPECT_GE(cluster.metric(kKeyService, "medtrail_snapshots_installed_total"), 1);
  // It started with the restored key (its empty chain knew no erasure), and destroyed it once
  // the image brought the erasure, before anyone asked.
  EXPECT_TRUE(wait_until([&] { return logged(kKeyService, "patient keys: 1 destroyed for erasures in an installed ledger image"); },
                         10s))
      << cluster.log_tail(kKeyService, 3000);
  EXPECT_EQ(open(regulator, &output), 1) << output;
  EXPECT_NE(output.find("patient_key_erased"), std::string::npos) << output;
  EXPECT_EQ(output.find("Amoxicillin"), std::string::npos) << output;

  // The rebuilt node serves the record as every node does (the same sealed bytes under the same
  // leaf), and its chain, rebuilt from the image, verifies.
  HttpResponse after = read_record(kKeyService, rx_id);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(json::parse(after.body), before);
  ASSERT_EQ(cluster.stop(kKeyService), 0);
  EXPECT_EQ(cluster.run_cli({"verify-chain", "--data-dir", cluster.data_dir(kKeyService), "--genesis",
                             cluster.genesis_path(), "--quiet"},
                            &output),
            0)
      << output;
}

}  // namespace
}  // namespace medtrail::integration
