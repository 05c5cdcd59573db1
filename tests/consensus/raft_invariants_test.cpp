// The invariant checker runs in every build. A violation aborts where the configuration says so
// (tests, the simulator) and otherwise latches failure(): a node fails closed, never crashes.

#include <gtest/gtest.h>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

// A single voter whose stored log is damaged in a way no checksum catches: the committed entry
// claims a term above the stored current term. Electing it breaks "committed term <= term".
std::unique_ptr<MemoryLogStorage> damaged_storage() {
  auto storage = make_storage(ConfState{{1}, {}});
  write_log(*storage, {5}, 1, 1);
  return storage;
}

void campaign(RaftNode& node) {
  for (int i = 0; i < 100 && node.soft_state().role != Role::kLeader && node.failure().ok(); ++i) {
    node.tick();
  }
}

TEST(RaftInvariants, ViolationLatchesInvariantViolatedByDefault) {
  auto storage = damaged_storage();
  Config config;
  config.id = 1;
  ASSERT_FALSE(config.abort_on_invariant_violation) << "the node's default never aborts";
  auto node = RaftNode::create(config, *storage);
  ASSERT_TRUE(node.ok()) << node.status().to_string();
  campaign(**node);
  EXPECT_EQ((*node)->failure().code(), "invariant_violated");
  EXPECT_NE((*node)->failure().message().find("committed term <= current term"), std::string::npos);
  EXPECT_FALSE((*node)->has_ready()) << "nothing decided after the violation leaves the node";
  EXPECT_EQ((*node)->propose("x").code(), "invariant_violated");
  EXPECT_EQ((*node)->step(msg(MessageType::kHeartbeat, 2, 1, 9)).code(), "invariant_violated");
}

TEST(RaftInvariantsDeathTest, ViolationAbortsWhenConfigured) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto storage = damaged_storage();
        Config config;
        config.id = 1;
        config.abort_on_invariant_violation = true;
        auto node = RaftNode::create(config, *storage);
        if (node.ok()) campaign(**node);
      },
      "raft invariant violated on node 1: committed term <= current term");
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
