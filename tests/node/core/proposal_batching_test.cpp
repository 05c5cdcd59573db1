// The leader's batching under load: records that come while its entries are in flight wait, and
// then go out together — its own and those a follower forwarded — as one proposal, one block.
// A stepped three-node cluster whose frames the test holds and hands over, so every step is
// deterministic.

#include <gtest/gtest.h>

#include <functional>
#include <string_view>

#include "node_stack.h"

namespace medtrail::node {
namespace {

using testing::NodeStack;
using testing::StackOptions;

struct HeldFrame {
  std::string from;
  std::string to;
  std::string frame;
};

class ProposalBatchingTest : public ::testing::Test {
 protected:
  ProposalBatchingTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
    net_.intercept([this](const std::string& from, const std::string& to, std::string frame) {
      held_.push_back({from, to, std::move(frame)});
    });
  }

  void start(uint32_t max_in_flight, uint32_t queue_capacity = 20000) {
    for (size_t i = 0; i < ids_.size(); ++i) {
      dirs_.push_back(std::make_unique<medtrail::testing::TempDir>());
      StackOptions o;
      o.time = &time_;
      o.stepped = true;
      o.raft_seed = 7 + i;
      o.max_proposals_in_flight = max_in_flight;
      o.queue_capacity = queue_capacity;
      nodes_.push_back(std::make_unique<NodeStack>((dirs_.back()->path() / "db").string(), ids_[i],
                                                   ids_, genesis_, net_, o));
    }
  }

  // Hands over the frames held so far (only those from `from`, when named).
  void deliver(std::string_view from = {}) {
    std::vector<HeldFrame> now;
    std::vector<HeldFrame> keep;
    for (HeldFrame& f : held_) {
      (from.empty() || f.from == from ? now : keep).push_back(std::move(f));
    }
    held_ = std::move(keep);
    for (HeldFrame& f : now) net_.deliver(f.from, f.to, std::move(f.frame));
  }

  void step(NodeStack& node) { node.driver->step(); }

  // A millisecond at a time, every frame delivered and every node stepped, until `done`.
  bool run_until(const std::function<bool()>& done) {
    for (int ms = 0; ms < 30000; ++ms) {
      if (done()) return true;
      ++time_.ms;
      deliver();
      for (auto& n : nodes_) step(*n);
    }
    return done();
  }

  NodeStack* leader() {
    for (auto& n : nodes_) {
      if (n->driver->is_leader()) return n.get();
    }
    return nullptr;
  }
  NodeStack* a_follower() {
    for (auto& n : nodes_) {
      if (!n->driver->is_leader()) return n.get();
    }
    return nullptr;
  }

  // Every node applied everything the leader has.
  bool settled() {
    NodeStack* l = leader();
    if (l == nullptr) return false;
    for (auto& n : nodes_) {
      if (n->driver->status().applied_index != l->driver->status().last_index) return false;
    }
    return held_.empty();
  }

  void submit(NodeStack& node, uint64_t first, size_t n) {
    for (const RecordStatus& s : node.submit(testing::admin_records(admin_, first, n), false)) {
      ASSERT_EQ(s.state, RecordState::kPending) << s.code;
    }
  }

  // The leader proposes 3 records past their linger; nobody hears of it yet.
  void put_an_entry_in_flight(NodeStack& leader) {
    const uint64_t proposals = leader.driver->stats().proposals;
    submit(leader, 1, 3);
    time_.ms += 2;
    step(leader);
    ASSERT_EQ(leader.driver->stats().proposals, proposals + 1);
  }

  // `n` records reach `follower`, which forwards them past their linger; the leader takes them.
  void forward(NodeStack& follower, NodeStack& leader, uint64_t first, size_t n) {
    submit(follower, first, n);
    time_.ms += 2;
    step(follower);
    deliver(follower.id);
    step(leader);
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  testing::LocalNet net_;
  testing::SteppedTime time_;
  std::vector<HeldFrame> held_;
  const std::vector<std::string> ids_{"n1", "n2", "n3"};
  std::vector<std::unique_ptr<medtrail::testing::TempDir>> dirs_;
  std::vector<std::unique_ptr<NodeStack>> nodes_;
};

TEST_F(ProposalBatchingTest, RecordsThatComeWhileAnEntryIsInFlightShareTheNextBlock) {
  start(/*max_in_flight=*/1);
  ASSERT_TRUE(run_until([&] { return settled(); }));
  NodeStack& leader = *this->leader();
  NodeStack& follower = *a_follower();
  const uint64_t proposals = leader.driver->stats().proposals;
  const uint64_t height = leader.store->height();

  put_an_entry_in_flight(leader);
  // Meanwhile 4 more reach the leader and 5 reach a follower, which forwards them.
  submit(leader, 10, 4);
  forward(follower, leader, 20, 5);
  EXPECT_EQ(follower.driver->stats().proposals_forwarded, 1u);
  EXPECT_EQ(leader.driver->stats().proposals, proposals + 1) << "proposed while one is in flight";
  EXPECT_EQ(leader.queue->size(), 9u);

  // The first entry commits; the 9 waiting records go out together.
  ASSERT_TRUE(run_until([&] { return settled() && leader.store->height() >= height + 2; }));
  EXPECT_EQ(leader.driver->stats().proposals, proposals + 2);
  EXPECT_EQ(leader.store->height(), height + 2);
  EXPECT_EQ(leader.store->block_at(height + 1)->header.leaf_count, 3u);
  EXPECT_EQ(leader.store->block_at(height + 2)->header.leaf_count, 9u);
  for (auto& n : nodes_) EXPECT_EQ(n->store->tree_size(), leader.store->tree_size());
}

TEST_F(ProposalBatchingTest, AFullBatchIsProposedEvenWithEntriesInFlight) {
  start(/*max_in_flight=*/1);
  ASSERT_TRUE(run_until([&] { return settled(); }));
  NodeStack& leader = *this->leader();
  const uint64_t proposals = leader.driver->stats().proposals;
  const uint64_t leaves = leader.store->tree_size();

  put_an_entry_in_flight(leader);
  // max_batch_records is 500 in the stack: a full batch does not wait for the entry in flight.
  submit(leader, 100, 500);
  step(leader);
  EXPECT_EQ(leader.driver->stats().proposals, proposals + 2);
  EXPECT_EQ(leader.queue->size(), 0u);
  ASSERT_TRUE(run_until([&] { return settled(); }));
  EXPECT_EQ(leader.store->tree_size(), leaves + 503);
}

TEST_F(ProposalBatchingTest, AForwardThatFindsTheLeadersQueueFullIsDroppedAndCounted) {
  start(/*max_in_flight=*/1, /*queue_capacity=*/10);
  ASSERT_TRUE(run_until([&] { return settled(); }));
  NodeStack& leader = *this->leader();
  NodeStack& follower = *a_follower();
  const uint64_t leaves = leader.store->tree_size();

  put_an_entry_in_flight(leader);
  submit(leader, 10, 6);  // held behind the entry in flight: 6 of the 10 places
  forward(follower, leader, 20, 5);
  EXPECT_EQ(leader.queue->size(), 6u);
  EXPECT_EQ(leader.driver->stats().peer_refusals[follower.id].forwarded_ignored, 5u);
  ASSERT_TRUE(run_until([&] { return settled() && leader.store->tree_size() == leaves + 9; }));
}

}  // namespace
}  // namespace medtrail::node
