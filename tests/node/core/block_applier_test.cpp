// The apply step: committed proposals become blocks, identically on every node.

#include "core/block_applier.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "medtrail/ledger/thread_pool.h"
#include "support/chain_fixture.h"

namespace medtrail::node {
namespace {

using ledger::Envelope;
using ledger::Proposal;
using testing::TempDir;

class BlockApplierTest : public ::testing::Test {
 protected:
  BlockApplierTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    ledger::GenesisOrg org{"hosp-a", "Hospital A", {"hospital"}, admin_.public_key};
    genesis_.organisations.push_back(org);
    signers_ = SignerDirectory::from_genesis(genesis_, medtrail::testing::test_chain_id(suite_)).value();
    reopen();
  }

  void reopen() {
    applier_.reset();
    store_.reset();
    ledger::ChainStoreOptions o;
    o.sync = false;
    store_ = std::move(
        ledger::ChainStore::open(dir_.path(), suite_, testing::test_chain_id(suite_), o).value());
    auto applier = BlockApplier::open(*store_, signers_, runner_);
    ASSERT_TRUE(applier.ok()) << applier.status().to_string();
    applier_.emplace(std::move(*applier));
  }

  Envelope record(uint64_t nonce) {
    return testing::make_admin_record(admin_, "hosp-a", nonce);
  }

  Proposal proposal(std::vector<Envelope> envelopes, uint64_t ts = 1'790'000'000'000) {
    Proposal p;
    p.timestamp_ms = ts;
    p.envelopes = std::move(envelopes);
    return p;
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  SignerDirectory signers_;
  ledger::InlineRunner runner_;
  TempDir dir_;
  std::unique_ptr<ledger::ChainStore> store_;
  std::optional<BlockApplier> applier_;
};

TEST_F(BlockApplierTest, ValidRecordsBecomeOneBlock) {
  auto out = applier_->apply(proposal({record(1), record(2), record(3)}), 2, 5);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_TRUE(out->block.has_value());
  EXPECT_EQ(out->block->height, 1u);
  EXPECT_EQ(out->block->leaf_count, 3u);
  EXPECT_EQ(out->block->raft_term, 2u);
  EXPECT_EQ(out->block->raft_index, 5u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(out->records[i].kind, RecordOutcome::Kind::kIncluded);
    EXPECT_EQ(out->records[i].leaf_index, i);
    EXPECT_EQ(out->records[i].height, 1u);
    EXPECT_TRUE(out->records[i].result.accepted);
  }
  EXPECT_EQ(applier_->applied_index(), 5u);
}

TEST_F(BlockApplierTest, ForgedOrUnknownSignerRecordsAreLeftOut) {
  Envelope forged = record(1);
  forged.signature[0] ^= 1;
  auto stranger = *suite_.generate_keypair();
  Envelope unknown = testing::make_envelope(stranger, "hosp-a", "dr-x", 2);
  auto out = applier_->apply(proposal({forged, record(3), unknown}), 1, 1);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->block.has_value());
  EXPECT_EQ(out->block->leaf_count, 1u);
  EXPECT_EQ(out->records[0].kind, RecordOutcome::Kind::kForged);
  EXPECT_EQ(out->records[0].result.reason_code, "signature_mismatch");
  EXPECT_EQ(out->records[1].kind, RecordOutcome::Kind::kIncluded);
  EXPECT_EQ(out->records[2].kind, RecordOutcome::Kind::kForged);
  EXPECT_EQ(out->records[2].result.reason_code, "unknown_signer");
}

// Apply is total: a committed entry holding envelopes no node can hash under their own suite
// (or that carry junk in every field) still applies, the same on every node. It once aborted
// every node, and again at every restart while replaying the entry.
TEST_F(BlockApplierTest, EnvelopesOfUnknownSuitesOrEmptyFieldsAreLeftOutNotFatal) {
  Envelope unknown = record(1);
  unknown.suite = "no-such-suite";
  Envelope unnamed = record(2);
  unnamed.suite = "";
  Envelope foreign = record(3);
  foreign.suite = "sm2-sm3";
  auto out = applier_->apply(proposal({unknown, unnamed, foreign, Envelope{}, record(4)}), 1, 1);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_TRUE(out->block.has_value());
  EXPECT_EQ(out->block->leaf_count, 1u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(out->records[i].kind, RecordOutcome::Kind::kForged) << i;
    EXPECT_FALSE(out->records[i].result.reason_code.empty()) << i;
  }
  EXPECT_EQ(out->records[0].result.reason_code, "wrong_suite");
  // Refusals are reported under the record's id on this chain.
  EXPECT_EQ(out->records[0].record_hash, ledger::record_hash(suite_, unknown));
  EXPECT_EQ(out->records[4].kind, RecordOutcome::Kind::kIncluded);
}

TEST_F(BlockApplierTest, DuplicatesPointAtTheFirstOccurrence) {
  ASSERT_TRUE(applier_->apply(proposal({record(1)}), 1, 1).ok());
  auto out = applier_->apply(proposal({record(2), record(1), record(2)}), 1, 2);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->block.has_value());
  EXPECT_EQ(out->block->leaf_count, 1u);
  EXPECT_EQ(out->records[1].kind, RecordOutcome::Kind::kDuplicate);
  EXPECT_EQ(out->records[1].height, 1u);
  EXPECT_EQ(out->records[1].leaf_index, 0u);
  EXPECT_EQ(out->records[2].kind, RecordOutcome::Kind::kDuplicate);
  EXPECT_EQ(out->records[2].height, 2u);
  EXPECT_EQ(out->records[2].leaf_index, 1u);
  EXPECT_EQ(store_->tree_size(), 2u);
}

TEST_F(BlockApplierTest, AllDuplicatesMakeNoBlockButAdvanceTheIndex) {
  ASSERT_TRUE(applier_->apply(proposal({record(1)}), 1, 1).ok());
  auto out = applier_->apply(proposal({record(1)}), 1, 2);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->block.has_value());
  EXPECT_EQ(store_->height(), 1u);
  EXPECT_EQ(applier_->applied_index(), 2u);
}

TEST_F(BlockApplierTest, AnEntryIsAppliedOnceEvenAcrossRestart) {
  ASSERT_TRUE(applier_->apply(proposal({record(1)}), 1, 3).ok());
  ASSERT_TRUE(applier_->skip(4).ok());
  reopen();
  EXPECT_EQ(applier_->applied_index(), 4u);
  EXPECT_EQ(applier_->apply(proposal({record(2)}), 1, 4).status().code(), "already_applied");
  EXPECT_EQ(applier_->skip(2).code(), "already_applied");
  EXPECT_EQ(store_->height(), 1u);
}

TEST_F(BlockApplierTest, BlockTimeNeverGoesBackwards) {
  ASSERT_TRUE(applier_->apply(proposal({record(1)}, 2000), 1, 1).ok());
  auto out = applier_->apply(proposal({record(2)}, 1000), 1, 2);  // a leader with a slow clock
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->block->timestamp_ms, 2000u);
}

TEST_F(BlockApplierTest, TwoNodesDeriveTheSameBlocks) {
  TempDir other_dir;
  ledger::ChainStoreOptions o;
  o.sync = false;
  auto other = std::move(
      ledger::ChainStore::open(other_dir.path(), suite_, testing::test_chain_id(suite_), o).value());
  auto other_applier = *BlockApplier::open(*other, signers_, runner_);
  for (uint64_t i = 1; i <= 5; ++i) {
    Proposal p = proposal({record(i * 2), record(i * 2 + 1)}, 1000 * i);
    ASSERT_TRUE(applier_->apply(p, 1, i).ok());
    ASSERT_TRUE(other_applier.apply(p, 1, i).ok());
  }
  EXPECT_EQ(store_->last_block_hash(), other->last_block_hash());
  EXPECT_EQ(store_->tree_root(), other->tree_root());
}

// A doctor registered by the hospital's admin, with the key to sign as them.
struct Doctor {
  ledger::KeyPair key;
  Envelope registration;
};

Doctor doctor(const ledger::KeyPair& admin, const std::string& user) {
  Doctor d{*ledger::ed25519_sha256().generate_keypair(), {}};
  nlohmann::json payload = {{"v", 1}, {"kind", "identity.register"}, {"org", "hosp-a"},
                            {"actor", "hosp-a/admin"}, {"ts", "2026-11-23T10:00:00Z"},
                            {"nonce", "reg-" + user},
                            {"body", {{"user_id", user}, {"role", "doctor"},
                                      {"public_key", ledger::to_hex(d.key.public_key)},
                                      {"licence_no", "LIC-1"}, {"valid_from", "2026-01-01"},
                                      {"valid_until", "2099-12-31"}}}};
  d.registration = *ledger::sign_envelope(ledger::to_bytes(payload.dump()), admin);
  return d;
}

Envelope signed_as(const ledger::KeyPair& key, const std::string& actor, const std::string& kind,
                   const nlohmann::json& body, const std::string& nonce) {
  nlohmann::json payload = {{"v", 1}, {"kind", kind}, {"org", "hosp-a"}, {"actor", actor},
                            {"ts", "2026-11-23T10:00:00Z"}, {"nonce", nonce}, {"body", body}};
  return *ledger::sign_envelope(ledger::to_bytes(payload.dump()), key);
}

TEST_F(BlockApplierTest, ContractVerdictsBecomeLeafResultsAndStateChangesTheRoot) {
  const ledger::Hash empty_root = ledger::state_map_empty_root();
  Doctor dr = doctor(admin_, "dr-1");
  Envelope unknown_kind = signed_as(admin_, "hosp-a/admin", "note.write", nlohmann::json::object(), "x");
  auto out = applier_->apply(proposal({dr.registration, unknown_kind}), 1, 1);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_TRUE(out->records[0].result.accepted);
  EXPECT_EQ(out->records[1].kind, RecordOutcome::Kind::kIncluded);
  EXPECT_EQ(out->records[1].result.reason_code, "unknown_kind");
  auto stored = store_->get_state("id/hosp-a/dr-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_NE(out->block->state_root, empty_root);
  EXPECT_EQ(out->block->state_root, store_->state_map().audit(out->block->height)->root);
}

TEST_F(BlockApplierTest, SignerRegisteredEarlierInTheBlockSignsLaterInIt) {
  Doctor dr = doctor(admin_, "dr-1");
  // rx.issue with an empty body: past the signer checks, the contract names the missing field.
  Envelope by_doctor = signed_as(dr.key, "hosp-a/dr-1", "rx.issue", nlohmann::json::object(), "d1");
  auto out = applier_->apply(proposal({by_doctor, dr.registration, by_doctor}), 1, 1);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // Before the registration the signer is unknown: left out. After it, a leaf.
  EXPECT_EQ(out->records[0].kind, RecordOutcome::Kind::kForged);
  EXPECT_EQ(out->records[0].result.reason_code, "unknown_signer");
  EXPECT_EQ(out->records[2].kind, RecordOutcome::Kind::kIncluded);
  EXPECT_EQ(out->records[2].result.reason_code, "missing_field");
  // A forged signature by a signer registered in the block is still caught.
  Doctor dr2 = doctor(admin_, "dr-2");
  Envelope forged = signed_as(dr2.key, "hosp-a/dr-2", "rx.issue", nlohmann::json::object(), "d2");
  forged.signature[0] ^= 1;
  out = applier_->apply(proposal({dr2.registration, forged}), 1, 2);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->records[1].kind, RecordOutcome::Kind::kForged);
}

TEST_F(BlockApplierTest, ReplayingTheChainOnAFreshStoreGivesTheSameStateRoots) {
  Doctor dr = doctor(admin_, "dr-1");
  ASSERT_TRUE(applier_->apply(proposal({dr.registration, record(1)}, 1'790'000'000'000), 1, 1).ok());
  ASSERT_TRUE(applier_->apply(proposal({record(2), signed_as(dr.key, "hosp-a/dr-1", "rx.issue",
                                                             nlohmann::json::object(), "d1")},
                                       1'790'000'100'000), 1, 2).ok());
  Envelope revoke = signed_as(admin_, "hosp-a/admin", "identity.revoke",
                              {{"user_id", "dr-1"}, {"reason", "left"}}, "rv");
  ASSERT_TRUE(applier_->apply(proposal({revoke, record(3)}, 1'790'000'200'000), 1, 3).ok());

  TempDir fresh_dir;
  ledger::ChainStoreOptions o;
  o.sync = false;
  auto fresh = std::move(ledger::ChainStore::open(fresh_dir.path(), suite_,
                                                  testing::test_chain_id(suite_), o).value());
  // Four threads: the contracts speculate on them, and must reach the same headers.
  ledger::ThreadPool pool(4);
  auto replayer = *BlockApplier::open(*fresh, signers_, pool);
  for (uint64_t h = 1; h <= store_->height(); ++h) {
    ledger::Block block = *store_->block_at(h);
    std::vector<Envelope> envelopes;
    for (uint64_t l = block.header.first_leaf; l < block.header.tree_size; ++l) {
      envelopes.push_back(store_->leaf_at(l)->envelope);
    }
    auto out = replayer.apply(proposal(envelopes, block.header.timestamp_ms), 1, h);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(out->block->state_root, block.header.state_root) << "height " << h;
    EXPECT_EQ(*out->block, block.header) << "height " << h;
  }
  EXPECT_EQ(fresh->state_map().audit(fresh->height())->root,
            store_->state_map().audit(store_->height())->root);
}

}  // namespace
}  // namespace medtrail::node
