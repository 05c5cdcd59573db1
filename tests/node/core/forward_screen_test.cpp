// The leader's screening of forwarded records: what admission would refuse never reaches the
// log, replays of the chain cost no signature check, and a peer forwarding junk is ignored for
// a while — but not an honest follower that knows a signer the leader has not applied yet.
#include "core/forward_screen.h"

#include <gtest/gtest.h>

#include "core/block_applier.h"
#include "support/chain_fixture.h"

namespace medtrail::node {
namespace {

using namespace std::chrono_literals;
using ledger::Envelope;
using testing::TempDir;

class ForwardScreenTest : public ::testing::Test {
 protected:
  ForwardScreenTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
    signers_ = SignerDirectory::from_genesis(genesis_, medtrail::testing::test_chain_id(suite_)).value();
    ledger::ChainStoreOptions o;
    o.sync = false;
    store_ = ledger::ChainStore::open(dir_.path(), suite_, testing::test_chain_id(suite_), o).value();
  }

  Envelope record(uint64_t nonce) { return testing::make_admin_record(admin_, "hosp-a", nonce); }

  ForwardScreen screen(ForwardScreen::Options options = {}) {
    return ForwardScreen(*store_, signers_, nullptr, &verified_, options);
  }

  static ledger::Proposal proposal(std::vector<Envelope> envelopes) {
    ledger::Proposal p;
    p.envelopes = std::move(envelopes);
    return p;
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  SignerDirectory signers_;
  TempDir dir_;
  std::unique_ptr<ledger::ChainStore> store_;
  VerifiedSignatures verified_{1000};
  const ForwardScreen::Clock::time_point t0_{std::chrono::hours(1)};
};

TEST_F(ForwardScreenTest, OnlyWhatAdmissionWouldTakeIsProposedAndItsSignatureNoted) {
  Envelope forged = record(1);
  forged.signature[0] ^= 1;
  Envelope foreign = record(2);
  foreign.suite = "no-such-suite";
  ForwardScreen s = screen();
  ledger::Proposal p = proposal({forged, foreign, Envelope{}, record(3)});
  p.timestamp_ms = 1;
  p.checkpoints.push_back({});
  ForwardScreen::Verdict v = s.screen("node-2", std::move(p), t0_);
  EXPECT_EQ(v.refused, 3u);
  EXPECT_EQ(v.refused_by_code["signature_mismatch"], 1u);
  EXPECT_EQ(v.refused_by_code["wrong_suite"], 2u);
  ASSERT_EQ(v.proposals.size(), 1u);
  ASSERT_EQ(v.proposals[0].envelopes.size(), 1u);
  EXPECT_EQ(v.proposals[0].envelopes[0], record(3));
  EXPECT_EQ(v.proposals[0].timestamp_ms, 0u);  // the follower's clock and checkpoints are dropped
  EXPECT_TRUE(v.proposals[0].checkpoints.empty());
  EXPECT_TRUE(v.log);
  EXPECT_TRUE(verified_.take(VerifiedSignatures::key_of(suite_, record(3), admin_.public_key)));
}

TEST_F(ForwardScreenTest, RecordsOnTheChainAreDroppedBeforeAnySignatureCheck) {
  ledger::InlineRunner runner;
  auto applier = BlockApplier::open(*store_, signers_, runner);
  ASSERT_TRUE(applier.ok());
  ledger::Proposal first = proposal({record(1)});
  first.timestamp_ms = 1'790'000'000'000;
  ASSERT_TRUE(applier->apply(first, 1, 1).ok());
  // A replay whose signature was damaged: were it checked, it would be refused.
  Envelope replay = record(1);
  replay.signature[0] ^= 1;
  ForwardScreen s = screen();
  ForwardScreen::Verdict v = s.screen("node-2", proposal({replay, record(1)}), t0_);
  EXPECT_EQ(v.duplicates, 2u);
  EXPECT_EQ(v.refused, 0u);
  EXPECT_TRUE(v.proposals.empty());
  // Duplicates carry no penalty: an honest follower can race a record onto the chain.
  EXPECT_EQ(s.screen("node-2", proposal({record(2)}), t0_ + 1ms).proposals.size(), 1u);
}

TEST_F(ForwardScreenTest, APeerForwardingJunkIsIgnoredForThePenaltyThenScreenedAgain) {
  ForwardScreen::Options options;
  options.penalty = 5s;
  ForwardScreen s = screen(options);
  Envelope forged = record(1);
  forged.signature[0] ^= 1;
  EXPECT_EQ(s.screen("node-2", proposal({forged}), t0_).refused, 1u);
  ForwardScreen::Verdict during = s.screen("node-2", proposal({record(2), record(3)}), t0_ + 1s);
  EXPECT_EQ(during.ignored, 2u);
  EXPECT_TRUE(during.proposals.empty());
  EXPECT_FALSE(during.log);
  EXPECT_EQ(s.screen("node-3", proposal({record(4)}), t0_ + 1s).proposals.size(), 1u);  // others
  EXPECT_EQ(s.screen("node-2", proposal({record(2)}), t0_ + 6s).proposals.size(), 1u);
}

TEST_F(ForwardScreenTest, AnUnknownSignerIsRefusedWithoutPenalty) {
  // The follower may know a signer from a block this leader has not applied yet.
  auto stranger = suite_.generate_keypair();
  ASSERT_TRUE(stranger.ok());
  ForwardScreen s = screen();
  ForwardScreen::Verdict v =
      s.screen("node-2", proposal({testing::make_envelope(*stranger, "hosp-a", "dr-new", 1)}), t0_);
  EXPECT_EQ(v.refused_by_code["unknown_signer"], 1u);
  EXPECT_EQ(s.screen("node-2", proposal({record(2)}), t0_ + 1ms).proposals.size(), 1u);
}

TEST_F(ForwardScreenTest, WhatIsKeptIsRebatchedSoThatEachEntryFitsAFrame) {
  ForwardScreen::Options options;
  options.max_proposal_bytes = 2000;
  ForwardScreen s = screen(options);
  std::vector<Envelope> records;
  for (uint64_t i = 0; i < 10; ++i) records.push_back(record(i));
  ForwardScreen::Verdict v = s.screen("node-2", proposal(records), t0_);
  ASSERT_GT(v.proposals.size(), 1u);
  size_t total = 0;
  for (const ledger::Proposal& p : v.proposals) {
    uint64_t bytes = 0;
    for (const Envelope& e : p.envelopes) bytes += e.payload.size() + e.signature.size();
    EXPECT_TRUE(p.envelopes.size() == 1 || bytes <= options.max_proposal_bytes);
    total += p.envelopes.size();
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(v.proposals[0].envelopes[0], records[0]);  // order kept
}

}  // namespace
}  // namespace medtrail::node
