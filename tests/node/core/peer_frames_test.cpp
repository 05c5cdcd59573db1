// Peer frames: what a follower or a peer sends reaches Raft or the leader intact; anything
// else is refused.

#include "core/peer_frames.h"

#include <gtest/gtest.h>

namespace medtrail::node {
namespace {

TEST(PeerFrames, RaftMessageRoundTrips) {
  consensus::Message m;
  m.type = consensus::MessageType::kAppend;
  m.from = 3;
  m.to = 4;
  m.term = 9;
  m.entries.push_back({9, 12, consensus::EntryType::kNormal, "abc"});
  auto back = decode_peer_frame(raft_frame(m), 1 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<consensus::Message>(*back), m);
}

TEST(PeerFrames, ForwardedProposalRoundTrips) {
  ledger::Proposal p;
  p.timestamp_ms = 5;
  ledger::Envelope e;
  e.payload = {1, 2, 3};
  e.signer = "org/admin";
  e.suite = "ed25519-sha256";
  e.signature.assign(64, 7);
  p.envelopes.push_back(e);
  auto back = decode_peer_frame(forward_frame(p), 1 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<ledger::Proposal>(*back), p);
}

TEST(PeerFrames, EmptyUnknownOrTruncatedFramesAreRefused) {
  EXPECT_EQ(decode_peer_frame("", 1 << 20).status().code(), "malformed");
  EXPECT_EQ(decode_peer_frame("X123", 1 << 20).status().code(), "malformed");
  consensus::Message m;
  m.type = consensus::MessageType::kHeartbeat;
  std::string frame = raft_frame(m);
  EXPECT_EQ(decode_peer_frame(frame.substr(0, frame.size() - 1), 1 << 20).status().code(),
            "malformed");
  EXPECT_EQ(decode_peer_frame("P\x01\x02", 1 << 20).status().code(), "malformed");
}

}  // namespace
}  // namespace medtrail::node
