// `medtrail seal`, `open`, `encryption-key` and `qr --slip-key`, run as a user would, offline: a
// consortium from `genesis init` (keyrings and genesis keys), a prescription sealed with the keys
// genesis names, opened by the parties and by the slip, and refused to everyone else.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "client/cli_runner.h"
#include "support/chain_fixture.h"

namespace medtrail {
namespace {

using testing::CliRun;
using testing::TempDir;

const std::string kPrescription =
    R"({"v":1,"kind":"rx.issue","org":"hosp-a","actor":"hosp-a/dr-li","ts":"2026-12-05T09:00:00+08:00",)"
    R"("nonce":"seal-1","body":{"patient_ref":")" + std::string(64, 'a') +
    R"(","type":"normal","channel":"offline","diagnosis_code":"J02.9","items":[{"drug_code":"J01CA04",)"
    R"("name":"Amoxicillin capsules","strength":"250 mg","quantity":24,"unit":"capsule",)"
    R"("dosage":"500 mg three times a day","days_supply":4}]}})";

class SealCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("orgs.json"))
        << R"({"chain_name": "seal-test", "checkpoint_quorum": 1, "organisations": [)"
           R"({"id": "hosp-a", "name": "Hospital A", "roles": ["hospital"]},)"
           R"({"id": "pharm-b", "name": "Pharmacy B", "roles": ["pharmacy"]},)"
           R"({"id": "reg-c", "name": "Regulator C", "roles": ["regulator"]}],)"
           R"("nodes": [{"id": "node-1", "org": "hosp-a"}]})";
    CliRun init = run("genesis init --orgs " + dir_.file("orgs.json") + " --out " + dir_.file("c"));
    ASSERT_EQ(init.code, 0) << init.err;
    std::ofstream(dir_.file("payload.json")) << kPrescription;
  }
  CliRun run(const std::string& args) { return testing::run_cli(args, dir_.file("."), "/dev/null"); }
  std::string keyring(const std::string& org) { return dir_.file("c/orgs/" + org + "/encryption.key"); }

  TempDir dir_;
};

TEST_F(SealCliTest, APrescriptionSealedWithGenesisKeysOpensForThePartiesOnly) {
  const std::string genesis = testing::slurp(dir_.file("c/genesis.json"));
  EXPECT_NE(genesis.find("\"confidential_fields\": \"sealed\""), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(keyring("hosp-a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  CliRun sealed = run("seal --payload " + dir_.file("payload.json") + " --genesis " + dir_.file("c/genesis.json") +
                      " --slip-key-out " + dir_.file("slip.key"));
  ASSERT_EQ(sealed.code, 0) << sealed.err;
  EXPECT_NE(sealed.err.find("for hosp-a, reg-c"), std::string::npos) << sealed.err;
  EXPECT_EQ(sealed.out.find("Amoxicillin"), std::string::npos) << sealed.out;
  ASSERT_EQ(::stat(dir_.file("slip.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ofstream(dir_.file("sealed.json")) << sealed.out.substr(0, sealed.out.find('\n'));

  ASSERT_EQ(run("keygen --out " + dir_.file("doctor.key")).code, 0);
  CliRun envelope = run("sign --key " + dir_.file("doctor.key") + " --payload " + dir_.file("sealed.json"));
  ASSERT_EQ(envelope.code, 0) << envelope.err;
  std::ofstream(dir_.file("envelope.json")) << envelope.out;

  for (const std::string org : {"hosp-a", "reg-c"}) {
    CliRun opened = run("open --record " + dir_.file("envelope.json") + " --org " + org + " --keyring " + keyring(org));
    EXPECT_EQ(opened.code, 0) << opened.err;
    EXPECT_NE(opened.out.find("\"name\": \"Amoxicillin capsules\""), std::string::npos) << opened.out;
  }
  CliRun outsider =
      run("open --record " + dir_.file("envelope.json") + " --org pharm-b --keyring " + keyring("pharm-b"));
  EXPECT_EQ(outsider.code, 1);
  EXPECT_NE(outsider.err.find("not_a_recipient"), std::string::npos) << outsider.err;
  EXPECT_EQ(outsider.out, "");

  // The slip, as a file holding the key and as the QR's URL.
  CliRun slip = run("open --record " + dir_.file("envelope.json") + " --slip-key " + dir_.file("slip.key"));
  EXPECT_EQ(slip.code, 0) << slip.err;
  EXPECT_NE(slip.out.find("\"diagnosis_code\": \"J02.9\""), std::string::npos) << slip.out;
  CliRun qr = run("qr --node http://127.0.0.1:8401 --rx " + std::string(64, 'b') + " --slip-key " + dir_.file("slip.key"));
  ASSERT_EQ(qr.code, 0) << qr.err;
  const std::string url = qr.out.substr(0, qr.out.find('\n'));
  EXPECT_NE(url.find("/trace/rx/" + std::string(64, 'b') + "#k="), std::string::npos) << url;
  std::ofstream(dir_.file("url.txt")) << url << "\n";
  EXPECT_EQ(run("open --record " + dir_.file("envelope.json") + " --slip-key " + dir_.file("url.txt")).code, 0);
  EXPECT_EQ(run("qr --node http://127.0.0.1:8401 --tableware T1 --slip-key " + dir_.file("slip.key")).code, 2);
  std::ofstream(dir_.file("bad-slip.txt")) << "not-a-key\n";
  CliRun bad = run("open --record " + dir_.file("envelope.json") + " --slip-key " + dir_.file("bad-slip.txt"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad_slip_key"), std::string::npos) << bad.err;
}

TEST_F(SealCliTest, RotationKeepsOldKeysAndUsageErrorsAreClear) {
  CliRun rotated = run("encryption-key rotate --keyring " + keyring("reg-c"));
  ASSERT_EQ(rotated.code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("org.enc_key"), std::string::npos) << rotated.out;
  // Sealed for the genesis key (the old one), still opened by the rotated keyring.
  CliRun sealed = run("seal --payload " + dir_.file("payload.json") + " --genesis " + dir_.file("c/genesis.json"));
  ASSERT_EQ(sealed.code, 0) << sealed.err;
  std::ofstream(dir_.file("sealed.json")) << sealed.out.substr(0, sealed.out.find('\n'));
  ASSERT_EQ(run("keygen --out " + dir_.file("doctor.key")).code, 0);
  CliRun envelope = run("sign --key " + dir_.file("doctor.key") + " --payload " + dir_.file("sealed.json"));
  std::ofstream(dir_.file("envelope.json")) << envelope.out;
  EXPECT_EQ(run("open --record " + dir_.file("envelope.json") + " --org reg-c --keyring " + keyring("reg-c")).code, 0);

  EXPECT_EQ(run("encryption-key new --out " + keyring("reg-c")).code, 2);  // never overwritten
  EXPECT_EQ(run("seal --payload " + dir_.file("payload.json")).code, 2);   // no --node, no --genesis
  EXPECT_EQ(run("seal --payload " + dir_.file("payload.json") + " --genesis " + dir_.file("c/genesis.json") +
                " --reader nobody")
                .code,
            1);
  // A body with nothing confidential passes unchanged; a kind with nothing confidential is refused.
  std::ofstream(dir_.file("review.json"))
      << R"({"v":1,"kind":"rx.review","org":"pharm-b","actor":"pharm-b/ph-w","ts":"2026-12-05T09:00:00+08:00",)"
         R"("nonce":"r","body":{"rx_id":")" + std::string(64, 'c') + R"(","decision":"approved"}})";
  CliRun unchanged = run("seal --payload " + dir_.file("review.json") + " --genesis " + dir_.file("c/genesis.json"));
  EXPECT_EQ(unchanged.code, 0) << unchanged.err;
  EXPECT_EQ(unchanged.out.find("sealed"), std::string::npos) << unchanged.out;
  std::ofstream(dir_.file("dispense.json"))
      << R"({"v":1,"kind":"rx.dispense","org":"pharm-b","actor":"pharm-b/ph-w","ts":"2026-12-05T09:00:00+08:00",)"
         R"("nonce":"d","body":{"rx_id":")" + std::string(64, 'c') + R"(","items":[]}})";
  CliRun nothing = run("seal --payload " + dir_.file("dispense.json") + " --genesis " + dir_.file("c/genesis.json"));
  EXPECT_EQ(nothing.code, 2);
  EXPECT_NE(nothing.err.find("nothing_confidential"), std::string::npos) << nothing.err;
}

}  // namespace
}  // namespace medtrail
