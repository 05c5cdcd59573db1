// A member node turned hostile (or anyone holding its TLS key) sends the cluster every kind of
// frame the peer protocol has, crafted to hurt. For each: every node keeps running and
// committing, nothing invalid enters a block, the refusal is counted in a metric, and a node
// restarted afterwards replays its chain cleanly.
//
// Four nodes in genesis; three run. The hostile peer takes node-4's identity (its process
// never starts), so the honest three are a quorum of four.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/peer_frames.h"
#include "core/raft_ids.h"
#include "integration/cluster_harness.h"
#include "integration/hostile_peer.h"
#include "integration/member_reader.h"
#include "integration/workload.h"
#include "medtrail/consensus/codec.h"
#include "medtrail/consensus/raft.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/ledger_image.h"
#include "medtrail/ledger/proposal.h"
#include "support/chain_fixture.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

using Clock = std::chrono::steady_clock;
using testing::HttpClient;
using testing::HttpResponse;
using testing::wait_until;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
constexpr int kHonest = 3;
constexpr int kHostile = 3;  // node-4

double metric_on_any(const Cluster& cluster, const std::string& series) {
  double total = 0;
  for (int i = 0; i < kHonest; ++i) total += cluster.metric(i, series);
  return total;
}

std::string refusals(const std::string& what) {
  return "medtrail_peer_refusals_total{peer=\"node-4\",what=\"" + what + "\"}";
}

ledger::Envelope envelope_of(const Record& record) {
  auto e = ledger::envelope_from_wire(record.wire);
  if (!e.ok()) throw std::runtime_error(e.status().to_string());
  return std::move(e).value();
}

class HostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClusterOptions options;
    options.nodes = 4;
    cluster_ = std::make_unique<Cluster>(options);
    for (int i = 0; i < kHonest; ++i) cluster_->start(i);
    ASSERT_TRUE(cluster_->wait_all_ready());
    ASSERT_TRUE(cluster_->leader().has_value()) << "no leader";
    hostile_ = std::make_unique<HostilePeer>(*cluster_, kHostile);
  }

  void TearDown() override { hostile_.reset(); }

  // Sends `frame` to every honest node.
  void send_to_all(const std::string& frame) {
    for (int i = 0; i < kHonest; ++i) {
      EXPECT_TRUE(hostile_->send(i, frame)) << "no link to " << cluster_->node(i).id;
    }
  }

  // Every honest node is up and healthy, and a new record commits through each of them.
  void expect_running_and_committing(const std::string& label) {
    for (int i = 0; i < kHonest; ++i) {
      EXPECT_EQ(cluster_->client(i, 5s).get("/healthz").status, 200) << cluster_->node(i).id;
    }
    const std::string org = cluster_->orgs()[1];
    for (int i = 0; i < kHonest; ++i) {
      std::vector<HttpClient> clients = clients_for(*cluster_, {i});
      SubmitStats stats;
      EXPECT_TRUE(submit_until_final(clients, make_records(*cluster_, org, label, i, 1), 0,
                                     Clock::now() + 60s, stats))
          << "through " << cluster_->node(i).id << ": " << stats.last_error;
    }
    EXPECT_TRUE(cluster_->wait_converged(30s));
  }

  // Stops node i cleanly, verifies its chain offline against genesis, restarts it and waits
  // until it has caught up: the committed log replays without a stop.
  void expect_clean_restart(int i) {
    EXPECT_EQ(cluster_->stop(i), 0) << cluster_->log_tail(i);
    std::string output;
    EXPECT_EQ(cluster_->run_cli({"verify-chain", "--data-dir", cluster_->data_dir(i), "--genesis",
                                 cluster_->genesis_path()},
                                &output),
              0)
        << output;
    cluster_->start(i);
    ASSERT_TRUE(cluster_->wait_ready(i));
    EXPECT_TRUE(wait_until([&] { return cluster_->leader(2s).has_value(); }, 30s, kClusterPoll));
    EXPECT_TRUE(cluster_->wait_converged(30s));
  }

  uint64_t tree_size(int i) {
    auto s = cluster_->status(i);
    return s ? s->value("tree_size", uint64_t{0}) : 0;
  }

  uint64_t term_of(int i) {
    auto s = cluster_->status(i);
    return s ? s->value("term", uint64_t{0}) : 0;
  }

  consensus::Message raft_message(consensus::MessageType type, int to, uint64_t term) {
    consensus::Message m;
    m.type = type;
    m.from = node::raft_id_of(hostile_->node_id());
    m.to = node::raft_id_of(cluster_->node(to).id);
    m.term = term;
    return m;
  }

  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<HostilePeer> hostile_;
};

// The reproduction of the outage: one forwarded proposal holding an envelope of a suite no
// node has. The leader used to propose it unscreened and every node aborted applying it.
TEST_F(HostilePeerTest, ForwardedEnvelopeOfAnUnknownSuiteDoesNotStopTheCluster) {
  const std::string org = cluster_->orgs()[0];
  ledger::Proposal proposal;
  for (const char* suite : {"no-such-suite", ""}) {
    ledger::Envelope e = envelope_of(make_record(cluster_->admin_key(org), org, std::string("suite-") + suite));
    e.suite = suite;
    proposal.envelopes.push_back(e);
  }
  send_to_all(node::forward_frame(proposal));

  EXPECT_TRUE(wait_until([&] {
    return metric_on_any(*cluster_, refusals("forwarded_record")) >= 2;
  }, 20s, kClusterPoll));
  expect_running_and_committing("after-unknown-suite");
  EXPECT_EQ(tree_size(0), 3u);  // the three records committed since
  // Each honest node, asked by a regulator's auditor (signed reads add their own records now).
  MemberReader reader(*cluster_);
  for (const ledger::Envelope& e : proposal.envelopes) {
    const std::string id = ledger::record_id(ledger::ed25519_sha256(), e);
    for (int i = 0; i < kHonest; ++i) {
      auto client = cluster_->client(i);
      EXPECT_EQ(reader.get(client, cluster_->node(i).id, "/v1/records/" + id).status, 404) << cluster_->node(i).id;
    }
  }
  expect_clean_restart(1);
}

TEST_F(HostilePeerTest, ForwardedRecordsAdmissionWouldRefuseNeverReachABlock) {
  const std::string org = cluster_->orgs()[0];
  const ledger::KeyPair& admin = cluster_->admin_key(org);
  const Record committed = make_record(admin, org, "committed-first");
  {
    std::vector<HttpClient> clients = clients_for(*cluster_, {0});
    SubmitStats stats;
    ASSERT_TRUE(submit_until_final(clients, {committed}, 0, Clock::now() + 30s, stats))
        << stats.last_error;
  }

  std::vector<ledger::Envelope> bad;
  {  // a suite the node has, but not the chain's
    auto sm2 = ledger::find_suite("sm2-sm3")->generate_keypair();
    ASSERT_TRUE(sm2.ok());
    std::string payload = testing::make_admin_payload(org, "foreign-suite", 32);
    auto e = ledger::sign_envelope(ledger::Bytes(payload.begin(), payload.end()), *sm2);
    ASSERT_TRUE(e.ok()) << e.status().to_string();
    bad.push_back(*e);
  }
  {  // a payload that is not JSON
    ledger::Envelope e = envelope_of(make_record(admin, org, "not-json"));
    e.payload = ledger::Bytes{'n', 'o', 't', ' ', 'j', 's', 'o', 'n'};
    bad.push_back(e);
  }
  {  // a forged signature of a known signer
    ledger::Envelope e = envelope_of(make_record(admin, org, "forged"));
    e.signature[0] ^= 1;
    bad.push_back(e);
  }
  {  // a signer the chain does not know
    auto stranger = ledger::ed25519_sha256().generate_keypair();
    ASSERT_TRUE(stranger.ok());
    ledger::Envelope e = envelope_of(make_record(*stranger, org, "stranger"));
    bad.push_back(e);
  }
  bad.push_back(ledger::Envelope{});  // every field empty
  {  // oversized fields: the frame's decoder refuses the whole frame, before any screening
    ledger::Envelope e = envelope_of(make_record(admin, org, "oversized"));
    e.signer = std::string(10000, 'a');
    ledger::Envelope big = envelope_of(make_record(admin, org, "oversized-payload"));
    big.payload.resize(ledger::kMaxPayloadBytes + 1, ' ');
    for (const ledger::Envelope& oversized : {e, big}) {
      ledger::Proposal p;
      p.envelopes.push_back(oversized);
      send_to_all(node::forward_frame(p));
    }
    EXPECT_TRUE(wait_until([&] {
      return metric_on_any(*cluster_, refusals("malformed_frame")) >= 6;
    }, 20s, kClusterPoll));
  }

  ledger::Proposal proposal;
  proposal.envelopes = bad;
  proposal.envelopes.push_back(envelope_of(committed));  // a duplicate of a committed record
  proposal.timestamp_ms = kMax;                          // the leader's clock stamps blocks
  ledger::SignedCheckpoint junk;
  junk.checkpoint.height = 1;
  proposal.checkpoints.push_back(junk);  // checkpoints come from the leader's pool only
  const Record forwarded = make_record(admin, org, "forwarded-valid");
  proposal.envelopes.push_back(envelope_of(forwarded));  // and one record admission takes
  send_to_all(node::forward_frame(proposal));

  // The most envelopes a proposal may hold, all empty.
  ledger::Proposal flood;
  flood.envelopes.resize(ledger::kMaxProposalEnvelopes);
  send_to_all(node::forward_frame(flood));

  // Reads are a regulator auditor's signed queries: the registration and each read are records.
  MemberReader reader(*cluster_);
  auto client = cluster_->client(0);
  uint64_t reads = 0;
  auto read = [&](const std::string& id) {
    ++reads;
    return reader.get(client, cluster_->node(0).id, "/v1/records/" + id).status;
  };
  EXPECT_TRUE(wait_until([&] { return read(forwarded.id) == 200; }, 30s, kClusterPoll))
      << "a valid forwarded record still commits";
  // The bad records are refused one by one; the flood that follows finds the peer penalised
  // for them (and is over the cap of one batch anyway): ignored whole.
  EXPECT_TRUE(wait_until([&] {
    return metric_on_any(*cluster_, refusals("forwarded_record")) >= static_cast<double>(bad.size()) &&
           metric_on_any(*cluster_, refusals("forwarded_ignored")) >=
               static_cast<double>(ledger::kMaxProposalEnvelopes);
  }, 30s, kClusterPoll)) << metric_on_any(*cluster_, refusals("forwarded_record")) << " refused, "
           << metric_on_any(*cluster_, refusals("forwarded_ignored")) << " ignored";
  EXPECT_GE(metric_on_any(*cluster_, refusals("forwarded_duplicate")), 1.0);

  expect_running_and_committing("after-bad-forwards");
  for (const ledger::Envelope& e : bad) {
    const std::string id = ledger::record_id(ledger::ed25519_sha256(), e);
    EXPECT_EQ(read(id), 404);
  }
  // committed-first, forwarded-valid, one record through each node, the auditor's registration
  // and one access.query per read: nothing else.
  const uint64_t expected = 5 + 1 + reads;
  EXPECT_TRUE(wait_until([&] { return tree_size(0) == expected; }, 10s, kClusterPoll))
      << tree_size(0) << " leaves, expected " << expected;
  auto block = nlohmann::json::parse(cluster_->client(0).get("/v1/blocks/2").body, nullptr, false);
  ASSERT_TRUE(block.is_object());
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(block.value("timestamp_ms", kMax), static_cast<uint64_t>(now_ms) + 60000)
      << block.dump();
  expect_clean_restart(2);
}

TEST_F(HostilePeerTest, AbsurdRaftMessagesFromAMemberLeaveTheClusterCommitting) {
  const uint64_t term = term_of(0);
  ASSERT_GT(term, 0u);
  using consensus::MessageType;
  for (int to = 0; to < kHonest; ++to) {
    std::vector<consensus::Message> lies;
    auto m = raft_message(MessageType::kHeartbeat, to, kMax);  // the reported outage
    m.commit = kMax;
    lies.push_back(m);
    for (MessageType t : {MessageType::kVote, MessageType::kPreVote}) {
      m = raft_message(t, to, kMax);
      m.index = kMax;
      m.log_term = kMax;
      lies.push_back(m);
    }
    m = raft_message(MessageType::kHeartbeat, to, term + (uint64_t{1} << 40));
    lies.push_back(m);
    m = raft_message(MessageType::kAppend, to, term);
    m.index = kMax - 1;
    m.log_term = term;
    m.commit = kMax;
    m.entries.push_back({term, kMax, consensus::EntryType::kNormal, "junk"});
    lies.push_back(m);
    m = raft_message(MessageType::kAppendResponse, to, term);
    m.index = kMax;
    m.commit = kMax;
    lies.push_back(m);
    m = raft_message(MessageType::kHeartbeatResponse, to, term);
    m.commit = kMax;
    lies.push_back(m);
    m = raft_message(MessageType::kSnapshotChunk, to, term);
    m.snapshot.index = kMax;
    m.snapshot.term = term;
    m.snapshot_offset = kMax - 2;
    m.snapshot_size = kMax;
    m.snapshot_chunk = "junk";
    lies.push_back(m);
    m = raft_message(MessageType::kSnapshotResponse, to, term);
    m.snapshot_offset = kMax;
    m.index = kMax;
    lies.push_back(m);
    m = raft_message(MessageType::kReadIndex, to, term);
    m.context = std::string(64 * 1024, 'x');
    lies.push_back(m);
    lies.push_back(raft_message(MessageType::kTimeoutNow, to, term));
    m = raft_message(MessageType::kHeartbeat, to, term + 1);
    m.from = node::raft_id_of(cluster_->node((to + 1) % kHonest).id);  // not the link's sender
    lies.push_back(m);
    for (const consensus::Message& lie : lies) {
      EXPECT_TRUE(hostile_->send(to, node::raft_frame(lie)));
    }
  }

  EXPECT_TRUE(wait_until([&] {
    return metric_on_any(*cluster_, refusals("raft_message")) >= 3;
  }, 20s, kClusterPoll));
  expect_running_and_committing("after-raft-lies");
  for (int i = 0; i < kHonest; ++i) {
    // Each lie may move a term one margin at most (docs/raft-safety.md), never to the max.
    EXPECT_LT(term_of(i), term + 3 * consensus::kMaxTermJump) << cluster_->node(i).id;
  }
  expect_clean_restart(0);
  expect_running_and_committing("after-raft-lies-restart");
}

// The reproduction of the second outage: one heartbeat at the largest term, to the leader. It
// once left every node a follower at that term, leaderless for good, restarts included.
TEST_F(HostilePeerTest, HeartbeatAtTheLargestTermDoesNotLeaveTheClusterLeaderless) {
  auto leader = cluster_->leader();
  ASSERT_TRUE(leader.has_value());
  const uint64_t term = term_of(*leader);
  EXPECT_TRUE(hostile_->send(*leader, node::raft_frame(raft_message(consensus::MessageType::kHeartbeat,
                                                                     *leader, kMax))));
  EXPECT_TRUE(wait_until([&] {
    return cluster_->metric(*leader, "medtrail_raft_messages_dropped_total{reason=\"implausible_term\"}") >= 1;
  }, 20s, kClusterPoll));
  expect_running_and_committing("after-max-term");
  for (int i = 0; i < kHonest; ++i) EXPECT_LT(term_of(i), term + 10) << cluster_->node(i).id;
  expect_clean_restart(*leader);
  expect_running_and_committing("after-max-term-restart");
}

// A snapshot that does not decode, and one of another chain, each handed to a follower as if
// from a new leader: the follower refuses to install it and keeps its own chain.
TEST_F(HostilePeerTest, SnapshotsThatAreNotThisChainsImageAreRefused) {
  auto leader = cluster_->leader();
  ASSERT_TRUE(leader.has_value());
  const int follower = (*leader + 1) % kHonest;

  testing::TempDir other_dir;
  const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
  std::string other_image;
  {
    auto store = ledger::ChainStore::open(other_dir.file("chain"), suite,
                                          testing::test_chain_id(suite, "another chain"));
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    testing::TestConsortium consortium(suite);
    testing::ChainSpec spec;
    spec.blocks = 3;
    testing::build_chain(**store, consortium, spec);
    auto image = ledger::export_ledger_image(**store, {});
    ASSERT_TRUE(image.ok()) << image.status().to_string();
    other_image = std::move(*image);
  }
  auto status = cluster_->status(follower);
  ASSERT_TRUE(status.has_value());
  std::vector<consensus::NodeId> voters;
  for (int i = 0; i < cluster_->size(); ++i) voters.push_back(node::raft_id_of(cluster_->node(i).id));
  std::sort(voters.begin(), voters.end());

  uint64_t term = term_of(follower);
  for (const std::string& image : {std::string("not an image at all"), other_image}) {
    ++term;  // a "new leader": Raft itself lets it send a snapshot
    auto m = raft_message(consensus::MessageType::kSnapshotChunk, follower, term);
    m.snapshot.index = status->value("commit_index", uint64_t{0}) + 1000;
    m.snapshot.term = term;
    m.snapshot.conf.voters = voters;
    m.snapshot_offset = 0;
    m.snapshot_size = image.size();
    m.snapshot_chunk = image;
    EXPECT_TRUE(hostile_->send(follower, node::raft_frame(m)));
  }

  EXPECT_TRUE(wait_until([&] {
    return cluster_->metric(follower, "medtrail_raft_snapshots_refused_total") >= 2;
  }, 30s, kClusterPoll)) << cluster_->log_tail(follower);
  expect_running_and_committing("after-bad-snapshots");
  expect_clean_restart(follower);
}

TEST_F(HostilePeerTest, CheckpointSignaturesThatDoNotBelongAreRefused) {
  expect_running_and_committing("before-checkpoints");
  auto genesis = ledger::load_genesis_file(cluster_->genesis_path());
  ASSERT_TRUE(genesis.ok());
  const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
  const std::string signer = hostile_->node_signer();
  auto sign = [&](const ledger::Checkpoint& cp, const ledger::KeyPair& key) {
    auto sig = ledger::sign_checkpoint(suite, cp, signer, key);
    EXPECT_TRUE(sig.ok());
    return ledger::SignedCheckpoint{cp, {*sig}};
  };
  ledger::Checkpoint cp;
  cp.chain_id = genesis->chain_id;
  cp.height = 1;

  ledger::Checkpoint other_chain = cp;
  other_chain.chain_id[0] ^= 1;
  send_to_all(node::checkpoint_frame(sign(other_chain, hostile_->node_key())));
  auto stranger = suite.generate_keypair();
  ASSERT_TRUE(stranger.ok());
  send_to_all(node::checkpoint_frame(sign(cp, *stranger)));  // a key genesis does not pin
  ledger::SignedCheckpoint forged = sign(cp, hostile_->node_key());
  forged.signatures[0].signature[0] ^= 1;
  send_to_all(node::checkpoint_frame(forged));
  // A flood: many versions of every height in the window, signed with the member's real key.
  for (uint64_t h = 1; h <= 64; ++h) {
    for (int v = 0; v < 8; ++v) {
      ledger::Checkpoint wrong = cp;
      wrong.height = h;
      wrong.tree_size = 1000 + v;  // a wrong hash, a wrong size: not this chain's block
      send_to_all(node::checkpoint_frame(sign(wrong, hostile_->node_key())));
    }
  }
  EXPECT_TRUE(wait_until([&] {
    return metric_on_any(*cluster_, refusals("checkpoint_signature")) >= 3.0 * (3 + 64 * 7);
  }, 30s, kClusterPoll)) << metric_on_any(*cluster_, refusals("checkpoint_signature"));

  // Honest checkpoints still reach a quorum and the chain: new blocks carry them.
  expect_running_and_committing("after-checkpoint-flood");
  EXPECT_TRUE(wait_until([&] {
    HttpResponse r = cluster_->client(0).get("/v1/checkpoints/latest");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return r.status == 200 && j.is_object() && j.value("height", uint64_t{0}) >= 2;
  }, 30s, kClusterPoll));
  // The honest checkpoint is also served by its height, with the root of the node's own block.
  auto latest = nlohmann::json::parse(cluster_->client(0).get("/v1/checkpoints/latest").body);
  const std::string height = std::to_string(latest.value("height", uint64_t{0}));
  HttpResponse by_height = cluster_->client(0).get("/v1/checkpoints/" + height);
  ASSERT_EQ(by_height.status, 200) << by_height.body;
  auto block = nlohmann::json::parse(cluster_->client(0).get("/v1/blocks/" + height).body);
  EXPECT_EQ(nlohmann::json::parse(by_height.body).value("tree_root", ""), block.value("tree_root", "x"));
  expect_clean_restart(1);
}

TEST_F(HostilePeerTest, FramesOfNoKnownKindAreCountedAndIgnored) {
  for (const std::string& frame :
       {std::string("X"), std::string("\0junk", 5), std::string("Rjunk"),
        std::string("Pjunk"), std::string("Cjunk"), std::string(1 << 20, 'Z')}) {
    send_to_all(frame);
  }
  EXPECT_TRUE(wait_until([&] {
    return metric_on_any(*cluster_, refusals("malformed_frame")) >= 3.0 * 6;
  }, 20s, kClusterPoll)) << metric_on_any(*cluster_, refusals("malformed_frame"));
  expect_running_and_committing("after-unknown-frames");
}

}  // namespace
}  // namespace medtrail::integration
