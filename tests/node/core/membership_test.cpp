// Membership: a node added as a learner catches up, is promoted, another is removed, and the
// chain goes on; every member's record survives restarts.

#include <gtest/gtest.h>

#include "core/member_record.h"
#include "core/raft_ids.h"
#include "node_stack.h"
#include "support/poll.h"

namespace medtrail::node {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::wait_until;
using testing::LocalNet;
using testing::NodeStack;
using TempDir = medtrail::testing::TempDir;

class MembershipTest : public ::testing::Test {
 protected:
  MembershipTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
  }

  std::unique_ptr<NodeStack> open(const std::string& id) {
    if (!dirs_.count(id)) dirs_[id] = std::make_unique<TempDir>();
    return std::make_unique<NodeStack>((dirs_[id]->path() / "db").string(), id, founders_, genesis_,
                                       net_);
  }
  std::vector<ledger::Envelope> records(uint64_t first, size_t n) {
    return testing::admin_records(admin_, first, n);
  }
  ledger::GenesisNode record_of(const std::string& id) {
    ledger::GenesisNode n;
    n.id = id;
    n.org = "hosp-a";
    n.public_key = suite_.generate_keypair()->public_key;
    n.tls_spki_sha256.fill(7);
    n.peer_address = "127.0.0.1:1";
    n.api_address = "127.0.0.1:2";
    return n;
  }
  NodeStack* leader() {
    for (auto& [id, n] : nodes_) {
      if (n && n->driver->is_leader()) return n.get();
    }
    return nullptr;
  }
  Status change(consensus::ConfChangeType type, const std::string& id, std::string context = "") {
    std::promise<Status> result;
    auto f = result.get_future();
    if (!wait_until([&] { return leader() != nullptr; }, 10s)) {
      return Status::error("no_leader", "");
    }
    leader()->driver->propose_conf_change({type, raft_id_of(id), std::move(context)},
                                          [&](Status s) { result.set_value(s); });
    return f.get();
  }
  bool all_agree(const std::vector<std::string>& ids, uint64_t tree_size) {
    return wait_until([&] {
      for (const auto& id : ids) {
        if (nodes_[id]->store->tree_size() != tree_size) return false;
        if (nodes_[id]->store->tree_root() != nodes_[ids[0]]->store->tree_root()) return false;
      }
      return true;
    }, 10s);
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  LocalNet net_;
  std::vector<std::string> founders_{"n1", "n2", "n3"};
  std::map<std::string, std::unique_ptr<TempDir>> dirs_;
  std::map<std::string, std::unique_ptr<NodeStack>> nodes_;
};

TEST_F(MembershipTest, AddLearnerPromoteItRemoveAnotherChainContinues) {
  for (const auto& id : founders_) nodes_[id] = open(id);
  ASSERT_TRUE(wait_until([&] { return leader() != nullptr; }, 10s));
  leader()->submit(records(1, 30), true);

  nodes_["n4"] = open("n4");  // knows genesis only; not a member yet
  ASSERT_TRUE(change(consensus::ConfChangeType::kAddLearner, "n4", member_to_json(record_of("n4"))).ok());
  ASSERT_TRUE(all_agree({"n1", "n2", "n3", "n4"}, 30));  // the learner caught up by log
  EXPECT_TRUE(wait_until([&] {
    return nodes_["n4"]->driver->status().learners == std::vector<std::string>{"n4"};
  }, 10s));
  ASSERT_TRUE(nodes_["n1"]->driver->find_node("n4").has_value());

  ASSERT_TRUE(wait_until([&] {
    return change(consensus::ConfChangeType::kAddVoter, "n4").ok();
  }, 10s));
  ASSERT_TRUE(wait_until([&] { return nodes_["n2"]->driver->status().voters.size() == 4; }, 10s));

  // Remove a founder that is not the leader, then keep writing.
  std::string gone = "n1";
  if (nodes_["n1"]->driver->is_leader()) gone = "n2";
  ASSERT_TRUE(wait_until([&] {
    return change(consensus::ConfChangeType::kRemoveNode, gone).ok();
  }, 10s));
  std::vector<std::string> remaining;
  for (const auto& id : {"n1", "n2", "n3", "n4"}) {
    if (id != gone) remaining.push_back(id);
  }
  ASSERT_TRUE(wait_until([&] {
    return nodes_[remaining[0]]->driver->status().voters.size() == 3;
  }, 10s));
  nodes_[gone].reset();
  auto out = nodes_["n4"]->submit(records(100, 20), true);
  ASSERT_EQ(out[0].state, RecordState::kCommitted) << out[0].message;
  ASSERT_TRUE(all_agree(remaining, 50));

  // The added member's record is on disk: a restarted n4 still knows itself and its peers.
  nodes_["n4"].reset();
  nodes_["n4"] = open("n4");
  EXPECT_TRUE(nodes_["n4"]->driver->find_node("n4").has_value());
  ASSERT_TRUE(wait_until([&] {
    auto members = nodes_["n4"]->driver->members();
    return members.size() == 1;  // genesis names none here; n4 is the one recorded member
  }, 10s));
}

TEST(MemberRecord, StrictJsonRoundTripsAndRefusesBadRecords) {
  const auto& suite = ledger::ed25519_sha256();
  ledger::GenesisNode n;
  n.id = "node-9";
  n.org = "pharm-b";
  n.public_key = suite.generate_keypair()->public_key;
  n.tls_spki_sha256.fill(3);
  n.peer_address = "10.0.0.9:7101";
  n.api_address = "10.0.0.9:8101";
  auto back = member_from_json(member_to_json(n), suite);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, n);
  EXPECT_FALSE(member_from_json("[]", suite).ok());
  EXPECT_FALSE(member_from_json("{\"id\":\"x\"}", suite).ok());
  std::string bad_addr = member_to_json(n);
  bad_addr.replace(bad_addr.find("10.0.0.9:7101"), 13, "10.0.0.9:port");
  EXPECT_EQ(member_from_json(bad_addr, suite).status().code(), "bad_member");
  std::string bad_id = member_to_json(n);
  bad_id.replace(bad_id.find("node-9"), 6, "Node_9");
  EXPECT_EQ(member_from_json(bad_id, suite).status().code(), "bad_member");
}

}  // namespace
}  // namespace medtrail::node
