// `medtrail witness`, run as an operator would: init prints the verifier key; serve answers
// POST /add-checkpoint over HTTP on a port of its own choosing on 127.0.0.1, with the protocol's
// statuses, and stops by itself; the state outlives it and is never made twice.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "client/cli_runner.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/cosignature.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/merkle.h"
#include "support/chain_fixture.h"
#include "support/http_client.h"
#include "support/poll.h"

namespace medtrail::testing {
namespace {

const std::string kName = "court.example.cn/medtrail-witness";

class WitnessCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string orgs =
        (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "scripts" / "demo-orgs.json")
            .string();
    ASSERT_EQ(run("genesis init --orgs " + orgs + " --out " + dir_.file("consortium")).code, 0);
    ASSERT_EQ(run("keygen --out " + dir_.file("witness.key")).code, 0);
    common_ = " --genesis " + dir_.file("consortium/genesis.json") + " --key " +
              dir_.file("witness.key") + " --name " + kName + " --state " +
              dir_.file("witness.json");
  }
  void TearDown() override {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  CliRun run(const std::string& args) { return run_cli(args, dir_.path().string()); }
  // Starts `witness serve` on a port it picks; returns the port, 0 when it did not listen.
  uint16_t serve() {
    const std::string out = dir_.file("serve.out");
    const std::string cmd = std::string(MEDTRAIL_CLI_PATH) + " witness serve" + common_ +
                            " --listen 127.0.0.1:0 --stop-after 120 >" + out + " 2>" +
                            dir_.file("serve.err") + " & echo $! >" + dir_.file("serve.pid");
    if (std::system(cmd.c_str()) != 0) return 0;
    std::smatch m;
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    std::string text;
    const bool up = wait_until(
        [&] {
          text = slurp(out);
          return std::regex_search(text, m, listening);
        },
        std::chrono::seconds(30), std::chrono::milliseconds(20));
    pid_ = std::stoi(slurp(dir_.file("serve.pid")));
    return up ? static_cast<uint16_t>(std::stoi(m[1].str())) : 0;
  }
  // The empty tree's checkpoint of the chain, signed by the node keys of two organisations.
  std::string empty_tree_note() const {
    auto genesis = ledger::load_genesis_file(dir_.file("consortium/genesis.json")).value();
    const ledger::CryptoSuite& suite = *genesis.suite;
    ledger::Checkpoint cp{genesis.chain_id, 1, {}, 0, ledger::merkle_empty_root(suite)};
    ledger::SignedCheckpoint signed_cp{cp, {}};
    for (size_t i = 0; i < 2; ++i) {
      const ledger::GenesisNode& node = genesis.genesis.nodes[i];
      auto key = ledger::load_key_file(dir_.file("consortium/nodes/" + node.id + "/node.key"));
      signed_cp.signatures.push_back(
          ledger::sign_checkpoint(suite, cp, node.org + "/" + node.id, key.value()).value());
    }
    return ledger::checkpoint_note(suite, signed_cp);
  }

  TempDir dir_;
  std::string common_;
  pid_t pid_ = 0;
};

TEST_F(WitnessCliTest, InitPrintsTheVerifierKeyAndServeAnswersTheProtocol) {
  CliRun init = run("witness init" + common_);
  ASSERT_EQ(init.code, 0) << init.err;
  const ledger::KeyPair key = ledger::load_key_file(dir_.file("witness.key")).value();
  EXPECT_EQ(init.out, ledger::cosigner_vkey(kName, key.public_key) + "\n");
  // Never twice: a second init would start the witness afresh.
  CliRun again = run("witness init" + common_);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("state_exists"), std::string::npos) << again.err;

  const uint16_t port = serve();
  ASSERT_NE(port, 0) << slurp(dir_.file("serve.out")) << slurp(dir_.file("serve.err"));
  HttpClient client(port);
  const std::string note = empty_tree_note();
  HttpResponse r = client.post("/add-checkpoint", "old 0\n\n" + note);
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  const std::string text = note.substr(0, note.find("\n\n") + 1);
  auto time = ledger::verify_cosignature(r.body, kName, key.public_key, text);
  EXPECT_TRUE(time.ok()) << time.status().to_string() << " " << r.body;
  r = client.post("/add-checkpoint", "old 7\n\n" + note);
  EXPECT_EQ(r.status, 400) << r.body;  // an old size beyond the checkpoint's
  r = client.post("/add-checkpoint", "old 0\n\n" + note.substr(0, note.find('\n') + 1));
  EXPECT_EQ(r.status, 400) << r.body;
  r = client.get("/add-checkpoint");
  EXPECT_EQ(r.status, 405);
  r = client.post("/checkpoint", "x");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(slurp(dir_.file("serve.err")).find("add-checkpoint: 200"), std::string::npos);
}

TEST_F(WitnessCliTest, ServeWithoutItsStateRefusesToStart) {
  CliRun r = run("witness serve" + common_ + " --stop-after 5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no_state"), std::string::npos) << r.err;
  ASSERT_EQ(run("witness init" + common_).code, 0);
  r = run("witness serve" + common_ + " --listen 127.0.0.1:http --stop-after 5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad_listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace medtrail::testing
