// Randomized runs over a lossy, reordering, duplicating network with crashes and restarts,
// checking Election Safety and State Machine Safety (Raft §5.2, §5.4.3) throughout.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>

#include "consensus/raft_test_cluster.h"

namespace medtrail::consensus::raft_test {
namespace {

class SafetyChecker {
 public:
  void observe(Cluster& c) {
    for (NodeId id : c.ids()) {
      const RaftNode& r = c.raft(id);
      if (r.soft_state().role == Role::kLeader) {
        auto [it, fresh] = leader_of_term_.emplace(r.hard_state().term, id);
        ASSERT_EQ(it->second, id) << "two leaders in term " << r.hard_state().term;
      }
      auto& applied = c.node(id).applied;
      for (const Entry& e : applied) {
        auto [it, fresh] = applied_at_.emplace(e.index, e);
        ASSERT_EQ(it->second, e) << "node " << id << " applied a different entry at " << e.index;
      }
      for (size_t i = 1; i < applied.size(); ++i) {
        // Contiguous, except where an installed snapshot covered the gap.
        const auto& snaps = c.node(id).snapshots;
        bool snapshot_gap =
            std::find(snaps.begin(), snaps.end(), applied[i].index - 1) != snaps.end();
        ASSERT_TRUE(applied[i].index == applied[i - 1].index + 1 ||
                    (snapshot_gap && applied[i].index > applied[i - 1].index))
            << "gap or repeat on node " << id << " at " << applied[i].index << " prev "
            << applied[i - 1].index << " snap " << c.node(id).snapshot_applied;
      }
    }
  }
  size_t applied_count() const { return applied_at_.size(); }

 private:
  std::map<Term, NodeId> leader_of_term_;
  std::map<Index, Entry> applied_at_;
};

void run(uint64_t seed, bool pre_vote, bool conf_changes) {
  Cluster c({1, 2, 3, 4, 5}, [&](Config& cfg) {
    cfg.seed = seed;
    cfg.pre_vote = pre_vote;
    cfg.max_message_bytes = 64;
    cfg.max_inflight_messages = 4;
  });
  std::mt19937_64 rng(seed);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  SafetyChecker checker;
  std::map<NodeId, bool> down;
  int proposals = 0;
  for (int step = 0; step < 8000; ++step) {
    for (NodeId id : c.ids()) {
      if (!down[id]) c.process_ready(id);
    }
    // Deliver a random queued message, maybe duplicating it; some are lost.
    for (int k = 0; k < 4 && !c.queue.empty(); ++k) {
      size_t pos = rng() % c.queue.size();
      Message m = c.queue[pos];
      if (!chance(20)) c.queue.erase(c.queue.begin() + pos);
      if (chance(10) || down[m.to]) continue;
      c.raft(m.to).step(m);
    }
    if (chance(30)) {
      NodeId id = 1 + rng() % 5;
      if (!down[id]) c.raft(id).tick();
    }
    if (chance(5)) {
      NodeId leader = c.leader();
      if (leader != kNoNode && !down[leader]) {
        if (c.raft(leader).propose("p" + std::to_string(proposals)).ok()) ++proposals;
      }
    }
    if (conf_changes && chance(1)) {
      // Membership churn: remove a voter (keeping three), or add a node back as a learner and
      // then promote it.
      NodeId leader = c.leader();
      NodeId n = 1 + rng() % 5;
      if (leader != kNoNode && !down[leader]) {
        ConfState conf = c.raft(leader).conf_state();
        auto has = [](const std::vector<NodeId>& v, NodeId x) {
          return std::find(v.begin(), v.end(), x) != v.end();
        };
        ConfChange cc{ConfChangeType::kAddLearner, n, ""};
        if (has(conf.voters, n)) {
          cc.type = ConfChangeType::kRemoveNode;
          if (conf.voters.size() <= 3) cc.node = kNoNode;
        } else if (has(conf.learners, n)) {
          cc.type = ConfChangeType::kAddVoter;
        }
        if (cc.node != kNoNode) c.raft(leader).propose_conf_change(cc);
      }
    }
    if (chance(1)) {
      // Log compaction: the state machine snapshots at its applied index.
      NodeId id = 1 + rng() % 5;
      Index applied = c.raft(id).applied();
      if (!down[id] && applied >= c.storage(id).first_index()) {
        c.storage(id).create_snapshot(applied, c.raft(id).conf_state(),
                                      "image@" + std::to_string(applied));
      }
    }
    if (chance(2)) {
      NodeId id = 1 + rng() % 5;
      if (down[id]) {
        c.restart(id, c.raft(id).applied());
        down[id] = false;
      } else {
        down[id] = true;  // crashes; what it persisted survives in its storage
      }
    }
    checker.observe(c);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // Heal: everyone up, reliable delivery; the cluster must converge and make progress.
  for (NodeId id : c.ids()) {
    if (down[id]) c.restart(id, c.raft(id).applied());
  }
  c.queue.clear();
  // Without pre-vote, stale candidates and simultaneous timeouts can take a while to settle.
  auto settled = [&] {
    NodeId leader = c.leader();
    if (leader == kNoNode) return false;
    for (NodeId id : c.raft(leader).conf_state().voters) {
      if (c.raft(id).soft_state().leader != leader) return false;
    }
    return true;
  };
  for (int t = 0; t < 400 && !settled(); ++t) c.tick_all(1);
  NodeId leader = c.leader();
  ASSERT_NE(leader, kNoNode) << "seed " << seed;
  ASSERT_TRUE(c.raft(leader).propose("final").ok());
  c.tick_all(10);
  checker.observe(c);
  ConfState conf = c.raft(leader).conf_state();
  std::vector<NodeId> members = conf.voters;
  members.insert(members.end(), conf.learners.begin(), conf.learners.end());
  for (NodeId id : members) {
    EXPECT_EQ(c.raft(id).hard_state().commit, c.raft(leader).hard_state().commit)
        << "seed " << seed << " node " << id;
  }
  EXPECT_GT(checker.applied_count(), 1u);
}

// MEDTRAIL_RAFT_SEEDS=N runs N seeds per test instead of 20 (for longer soak runs).
uint64_t seed_count() {
  const char* env = std::getenv("MEDTRAIL_RAFT_SEEDS");
  return env ? std::strtoull(env, nullptr, 10) : 20;
}

TEST(RaftRandomized, SafetyHoldsUnderLossReorderingAndCrashesWithPreVote) {
  for (uint64_t seed = 1; seed <= seed_count(); ++seed) {
    run(seed, true, false);
    if (HasFatalFailure()) return;
  }
}

TEST(RaftRandomized, SafetyHoldsUnderLossReorderingAndCrashesWithoutPreVote) {
  for (uint64_t seed = 100000; seed < 100000 + seed_count(); ++seed) {
    run(seed, false, false);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace medtrail::consensus::raft_test

namespace medtrail::consensus::raft_test {
namespace {

TEST(RaftRandomized, SafetyHoldsUnderMembershipChurn) {
  for (uint64_t seed = 200000; seed < 200000 + seed_count(); ++seed) {
    run(seed, true, true);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace medtrail::consensus::raft_test
