// `medtrail checkpoint watch` against a real cluster: it trusts the genesis file and its own
// state, never the node. A history that does not extend the one it verified before is caught.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/cluster_harness.h"
#include "integration/workload.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/merkle.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpClient;
using testing::HttpResponse;
using testing::wait_until;
namespace fs = std::filesystem;

class CheckpointWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.start_all();
    ASSERT_TRUE(cluster_.wait_all_ready());
    state_dir_ = cluster_.dir() + "/watch-state";
  }

  // Commits `n` more records and waits until the newest quorum checkpoint covers them all.
  void grow(const std::string& prefix, size_t n) {
    std::vector<HttpClient> clients = clients_for(cluster_, {0, 1, 2});
    SubmitStats stats;
    ASSERT_TRUE(submit_until_final(clients, make_records(cluster_, cluster_.orgs()[0], prefix, 0, n), 0,
                                   Clock::now() + 30s, stats))
        << stats.last_error;
    const uint64_t size = cluster_.status(0)->value("tree_size", uint64_t{0});
    // Checkpoints are signed after each block; the next block carries the quorum.
    ASSERT_TRUE(wait_until([&] {
      HttpResponse r = cluster_.client(0).get("/v1/checkpoints/latest");
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      return r.status == 200 && j.is_object() && j.value("tree_size", uint64_t{0}) >= size;
    }, 30s, kClusterPoll));
  }

  int watch(int node, std::string* output, const std::string& genesis = "") {
    return cluster_.run_cli({"checkpoint", "watch", "--node",
                             "http://127.0.0.1:" + std::to_string(cluster_.node(node).api_port),
                             "--genesis", genesis.empty() ? cluster_.genesis_path() : genesis,
                             "--state-dir", state_dir_, "--once"},
                            output);
  }

  std::string state_file() const {
    for (const auto& e : fs::directory_iterator(state_dir_)) return e.path().string();
    return "";
  }

  // Rewrites the kept checkpoint as if an earlier node had served another history.
  void forge_state(uint64_t tree_size) {
    std::ifstream in(state_file());
    nlohmann::json kept = nlohmann::json::parse(in);
    std::string root = kept["tree_root"];
    root[0] = root[0] == '0' ? '1' : '0';
    kept["tree_root"] = root;
    kept["tree_size"] = tree_size;
    std::ofstream(state_file(), std::ios::trunc) << kept.dump();
  }

  Cluster cluster_;
  std::string state_dir_;
};

TEST_F(CheckpointWatchTest, AGrowingHonestLogIsVerifiedCheckpointByCheckpoint) {
  grow("watch-a", 5);
  std::string out;
  ASSERT_EQ(watch(0, &out), 0) << out;
  EXPECT_NE(out.find("the first checkpoint"), std::string::npos) << out;
  const std::string kept = state_file();
  ASSERT_FALSE(kept.empty());
  EXPECT_NE(kept.find(nlohmann::json::parse(cluster_.client(0).get("/v1/status").body)["chain_id"]
                          .get<std::string>()),
            std::string::npos)
      << "the state is named by the chain id";

  grow("watch-b", 10);
  ASSERT_EQ(watch(1, &out), 0) << out;  // another node: the same history
  EXPECT_NE(out.find("extends the tree of"), std::string::npos) << out;
}

TEST_F(CheckpointWatchTest, AHistoryThatDoesNotExtendTheVerifiedOneIsCaught) {
  grow("fork-a", 6);
  std::string out;
  ASSERT_EQ(watch(0, &out), 0) << out;
  const uint64_t verified = nlohmann::json::parse(std::ifstream(state_file()))["tree_size"];

  // Same size, another root.
  forge_state(verified);
  EXPECT_EQ(watch(0, &out), 1) << out;
  EXPECT_NE(out.find("history_diverges"), std::string::npos) << out;
  EXPECT_NE(out.find("verified before"), std::string::npos) << out;

  // A smaller tree with another root: the node's consistency proof cannot join them.
  forge_state(verified - 2);
  grow("fork-b", 3);
  EXPECT_EQ(watch(2, &out), 1) << out;
  EXPECT_NE(out.find("not_consistent"), std::string::npos) << out;
}

// Not a forged state file but real nodes: the same consortium (same genesis, same chain id)
// restarted on fresh stores grows another history. The kept checkpoint catches it.
TEST_F(CheckpointWatchTest, NodesOnADivergingStoreAreCaught) {
  grow("first-history", 8);
  std::string out;
  ASSERT_EQ(watch(0, &out), 0) << out;
  const uint64_t verified = nlohmann::json::parse(std::ifstream(state_file()))["tree_size"];

  for (int i = 0; i < 3; ++i) cluster_.stop(i);
  for (int i = 0; i < 3; ++i) fs::remove_all(cluster_.data_dir(i));
  cluster_.start_all();
  ASSERT_TRUE(cluster_.wait_all_ready());
  grow("second-history", 12);
  ASSERT_NE(cluster_.status(0)->value("tree_size", uint64_t{0}), 0u);
  EXPECT_EQ(watch(1, &out), 1) << "kept tree " << verified << "\n" << out;
  EXPECT_TRUE(out.find("not_consistent") != std::string::npos || out.find("history_diverges") != std::string::npos)
      << out;
  EXPECT_NE(out.find("served now"), std::string::npos) << out;
}

// The citizen's lookup names the newest quorum checkpoint, also when the quorum for the head
// block gathered after it applied and no block has come since (the vouch was once cached by
// height: asked in between, it kept the older checkpoint until the next block).
TEST_F(CheckpointWatchTest, TheLookupVouchFollowsAQuorumGatheredAfterTheHeadBlock) {
  std::vector<HttpClient> clients = clients_for(cluster_, {0, 1, 2});
  SubmitStats stats;
  ASSERT_TRUE(submit_until_final(clients, make_records(cluster_, cluster_.orgs()[0], "vouch", 0, 3), 0,
                                 Clock::now() + 30s, stats))
      << stats.last_error;
  auto lookup_height = [&] {
    HttpResponse r = cluster_.client(0).get("/v1/trace/tableware/no-such-batch");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() ? j["verified"].value("checkpoint_height", uint64_t{0}) : uint64_t{0};
  };
  lookup_height();  // asked at once: the head block's quorum may not be there yet
  uint64_t newest = 0;
  ASSERT_TRUE(wait_until([&] {
    HttpResponse r = cluster_.client(0).get("/v1/checkpoints/latest");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    newest = j.is_object() ? j.value("height", uint64_t{0}) : 0;
    return newest > 0 && newest == cluster_.status(0)->value("height", uint64_t{0});
  }, 30s, kClusterPoll));
  EXPECT_TRUE(wait_until([&] { return lookup_height() == newest; }, 3s, kClusterPoll))
      << "the lookup still names checkpoint " << lookup_height() << ", the newest is " << newest;
}

TEST_F(CheckpointWatchTest, ANodeOfAnotherChainIsRefused) {
  grow("other", 3);
  // One byte more in the genesis file is another chain id.
  std::ifstream in(cluster_.genesis_path());
  std::stringstream text;
  text << in.rdbuf() << " ";
  const std::string other = cluster_.dir() + "/other-genesis.json";
  std::ofstream(other) << text.str();
  std::string out;
  EXPECT_EQ(watch(0, &out, other), 1) << out;
  EXPECT_NE(out.find("wrong_chain"), std::string::npos) << out;
}

// The C2SP face of the same log: the signed-note checkpoint carries the co-signatures of a
// quorum of the organisations in genesis, and the hash tiles give the root it signs.
TEST_F(CheckpointWatchTest, TheSignedNoteCheckpointAndTheTilesAgreeWithTheJsonCheckpoint) {
  grow("note", 4);
  auto genesis = ledger::load_genesis_file(cluster_.genesis_path());
  ASSERT_TRUE(genesis.ok());
  const ledger::CheckpointTrust trust = ledger::genesis_checkpoint_trust(genesis->genesis);
  for (size_t node = 0; node < 3; ++node) {
    // grow() waited for node 0's quorum checkpoint; the others apply the block carrying it a
    // moment later (and a node serves none until it has one near its head).
    HttpResponse note;
    EXPECT_TRUE(wait_until([&] {
      note = cluster_.client(node).get("/checkpoint");
      return note.status == 200;
    }, 30s, kClusterPoll));
    ASSERT_EQ(note.status, 200) << note.body;
    EXPECT_EQ(note.header("content-type"), "text/plain; charset=utf-8");
    auto signed_cp = ledger::checkpoint_from_note(*genesis->suite, note.body, genesis->chain_id, trust);
    ASSERT_TRUE(signed_cp.ok()) << signed_cp.status().to_string() << "\n" << note.body;
    ASSERT_TRUE(ledger::verify_checkpoint_for_genesis(*genesis, *signed_cp).ok()) << note.body;
    EXPECT_GE(ledger::signing_organisations(trust, *signed_cp).size(), trust.quorum);

    // The hash tiles of that tree size give the root the note signs.
    const uint64_t size = signed_cp->checkpoint.tree_size;
    std::vector<ledger::Hash> leaves;
    for (uint64_t tile = 0; tile * 256 < size; ++tile) {
      const uint64_t width = std::min<uint64_t>(256, size - tile * 256);
      std::string index = std::to_string(tile);
      ASSERT_LT(tile, 1000u);
      std::string path = "/tile/0/" + std::string(3 - index.size(), '0') + index;
      if (width < 256) path += ".p/" + std::to_string(width);
      HttpResponse reply = cluster_.client(node).get(path);
      ASSERT_EQ(reply.status, 200) << path << " " << reply.body;
      ASSERT_EQ(reply.body.size(), width * ledger::kHashSize);
      for (size_t i = 0; i < width; ++i) {
        ledger::Hash h;
        std::copy_n(reply.body.begin() + static_cast<ptrdiff_t>(i * ledger::kHashSize), ledger::kHashSize, h.begin());
        leaves.push_back(h);
      }
    }
    EXPECT_EQ(ledger::merkle_root_of(*genesis->suite, leaves), signed_cp->checkpoint.tree_root) << "node " << node;
  }
}

}  // namespace
}  // namespace medtrail::integration
