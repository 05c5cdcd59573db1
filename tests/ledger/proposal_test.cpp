// Proposals: the Raft entry a block is derived from; a faulty leader's bytes must not hurt.

#include "medtrail/ledger/proposal.h"

#include <gtest/gtest.h>

#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

using testing::TestConsortium;

Proposal sample_proposal() {
  const CryptoSuite& suite = ed25519_sha256();
  TestConsortium consortium(suite);
  Proposal p;
  p.timestamp_ms = 1'790'000'000'123;
  for (uint64_t i = 0; i < 3; ++i) {
    p.envelopes.push_back(testing::make_envelope(consortium.author, "hosp-a", "dr-li", i));
  }
  Checkpoint cp{testing::test_chain_id(suite), 7, suite.hash(as_bytes("b")), 12,
                suite.hash(as_bytes("r"))};
  SignedCheckpoint signed_cp{cp, {}};
  signed_cp.signatures.push_back(
      *sign_checkpoint(suite, cp, consortium.node_ids[0], consortium.node_keys[0]));
  p.checkpoints.push_back(signed_cp);
  return p;
}

TEST(ProposalTest, RoundTrips) {
  const Proposal p = sample_proposal();
  auto decoded = decode_proposal(encode_proposal(p));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, p);
  EXPECT_EQ(*decode_proposal(encode_proposal(Proposal{})), Proposal{});
}

TEST(ProposalTest, EveryTruncationAndTrailingByteIsCorruption) {
  const Bytes bytes = encode_proposal(sample_proposal());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_proposal(ByteView(bytes.data(), n)).status().code(), "corruption") << n;
  }
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_proposal(longer).status().code(), "corruption");
}

TEST(ProposalTest, EveryByteFlipIsRefusedOrDecodesWithoutCrashing) {
  const Bytes bytes = encode_proposal(sample_proposal());
  for (size_t i = 0; i < bytes.size(); ++i) {
    Bytes damaged = bytes;
    damaged[i] ^= 0xff;
    auto decoded = decode_proposal(damaged);
    if (decoded.ok()) {
      EXPECT_EQ(encode_proposal(*decoded), damaged) << "flip at " << i;
    }
  }
}

}  // namespace
}  // namespace medtrail::ledger
