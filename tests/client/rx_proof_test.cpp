// What `medtrail rx verify` proves of a pharmacist's view (client/cli/rx_proof.h), against the
// proofs a real chain store serves and what a lying node would serve instead: a step of the
// trail dropped (a refused second dispense, a dispense elsewhere), a step put in, a stale status
// (a dispense or a cancellation hidden behind the facts from before it), another prescription's
// facts. Each must be refuted, and never allow a dispense.
#include "cli/rx_proof.h"

#include <gtest/gtest.h>

#include <map>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/public_facts.h"
#include "medtrail/ledger/served_state_proof.h"
#include "medtrail/ledger/trail_head.h"
#include "support/chain_fixture.h"

namespace medtrail::cli {
namespace {

using ledger::PublicFacts;
using nlohmann::json;

const ledger::CryptoSuite& suite() { return ledger::ed25519_sha256(); }

const std::string kId(64, 'e');
const std::string kOther(64, 'f');
const int64_t kNow = 1'790'000'100'000;

PublicFacts rx_facts(const std::string& status, int64_t dispenses) {
  return {{"org", std::string("hosp-a")},
          {"status", status},
          {"issued_on", std::string("2026-11-20")},
          {"valid_until", std::string("2099-12-31")},
          {"dispenses", dispenses}};
}

class RxProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = medtrail::testing::open_test_store(dir_.file("db"), suite());
    genesis_ = consortium_.genesis(suite(), medtrail::testing::test_chain_id(suite()));
    genesis_.genesis.time_zone = "+08:00";
  }
  // A block of one leaf, a step of `id` of `kind` (its trail extended, as the contracts extend
  // it) that leaves its facts `facts` (none: a refused step, which writes no facts); its
  // checkpoint.
  ledger::SignedCheckpoint step(const std::string& kind, const std::optional<PublicFacts>& facts,
                                const std::string& id = kId) {
    const uint64_t leaf = store_->tree_size();
    ledger::BlockDraft draft;
    draft.timestamp_ms = 1'790'000'000'000 + store_->height();
    const std::string subject = "rx/" + id;
    ledger::TrailHead& head = heads_[subject];
    head = ledger::next_trail_head(suite(), head, leaf);
    draft.state_writes.emplace(ledger::trail_entry_key(subject, leaf),
                               ledger::encode_trail_head(head));
    draft.state_writes.emplace(ledger::trail_head_key(subject), ledger::encode_trail_head(head));
    if (facts)
      draft.state_writes.emplace("pub/" + subject, ledger::encode_public_facts(*facts).value());
    draft.leaves.push_back(
        {medtrail::testing::make_envelope(consortium_.author, "hosp-a", "dr-li", leaf, 64),
         consortium_.author.public_key, ledger::ExecutionResult::accept()});
    steps_[leaf] = {kind, facts.has_value()};
    const ledger::BlockHeader header = store_->append_block(draft).value();
    return consortium_.signed_checkpoint(
        suite(), {header.chain_id, header.height, ledger::block_hash(suite(), header),
                  header.tree_size, header.tree_root});
  }
  // The view as the node serves it (node/src/api/prescription_view.cpp), with what the check
  // reads: the status, the trail's steps, the prescription's dispenses, and the proofs at `cp`.
  json view(const ledger::SignedCheckpoint& cp, const std::string& status,
            const std::vector<uint64_t>& leaves, bool truncated = false) const {
    json proof = ledger::served_state_proofs(*store_, cp, {"pub/rx/" + kId}).value();
    std::optional<uint64_t> first, last;
    json rows = json::array();
    json dispenses = json::array();
    for (uint64_t leaf : leaves) {
      const auto& [kind, accepted] = steps_.at(leaf);
      rows.push_back({{"leaf_index", leaf}, {"kind", kind}, {"accepted", accepted}});
      if (kind == "rx.dispense" && accepted) dispenses.push_back({{"org", "pharm-a"}});
      if (leaf >= cp.checkpoint.tree_size) continue;
      if (!first) first = leaf;
      last = leaf;
    }
    proof["trail"] = ledger::served_trail_proofs(*store_, cp, "rx/" + kId, first, last).value();
    return {{"status", status},
            {"prescription", {{"dispenses", dispenses}}},
            {"trail", rows},
            {"trail_truncated", truncated},
            {"proof", proof}};
  }
  RxProof check(const json& body, const ledger::SignedCheckpoint& cp, int64_t now = kNow) const {
    return check_rx_view(body, kId, genesis_, cp, now);
  }

  medtrail::testing::TempDir dir_;
  medtrail::testing::TestConsortium consortium_{suite()};
  std::unique_ptr<ledger::ChainStore> store_;
  ledger::LoadedGenesis genesis_;
  std::map<std::string, ledger::TrailHead> heads_;
  std::map<uint64_t, std::pair<std::string, bool>> steps_;  // leaf -> kind, accepted
};

TEST_F(RxProofTest, AnHonestViewIsProvenWithEveryStepListed) {
  step("rx.issue", rx_facts("issued", 0));                         // leaf 0
  step("rx.issue", rx_facts("issued", 0), kOther);                 // leaf 1: another prescription
  step("rx.review", rx_facts("approved", 0));                      // leaf 2
  const auto cp = step("rx.dispense", rx_facts("dispensing", 1));  // leaf 3: half dispensed
  const RxProof p = check(view(cp, "dispensing", {0, 2, 3}), cp);
  EXPECT_EQ(p.word, "PARTLY_DISPENSED") << p.report;
  EXPECT_TRUE(p.status_matches);
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_EQ(p.complete_at, 4u) << p.report;
  EXPECT_EQ(p.block_time_ms, 1'790'000'000'003);
  EXPECT_TRUE(p.allows_dispense());
  EXPECT_NE(p.report.find("complete: the chain holds 3 steps of this prescription up to block 4"),
            std::string::npos)
      << p.report;
}

TEST_F(RxProofTest, AStepDroppedFromTheTrailOrPutInIsRefuted) {
  step("rx.review", rx_facts("approved", 0));         // leaf 0
  step("rx.dispense", rx_facts("dispensed", 1));      // leaf 1: dispensed in full elsewhere
  step("rx.issue", rx_facts("issued", 0), kOther);    // leaf 2: another prescription
  const auto cp = step("rx.dispense", std::nullopt);  // leaf 3: a refused second dispense
  for (const auto& [name, leaves] : std::vector<std::pair<std::string, std::vector<uint64_t>>>{
           {"the refused dispense dropped", {0, 1}},
           {"the first step dropped", {1, 3}},
           {"a step of another prescription put in", {0, 1, 2, 3}}}) {
    SCOPED_TRACE(name);
    RxProof p = check(view(cp, "dispensed", leaves), cp);
    EXPECT_TRUE(p.refuted) << p.report;
    EXPECT_EQ(p.complete_at, 0u);
    EXPECT_NE(p.report.find("trail NOT complete"), std::string::npos) << p.report;
  }
  // The dispense dropped: the trail and the count both show it.
  RxProof p = check(view(cp, "dispensed", {0, 3}), cp);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_NE(p.report.find("where the proven facts count 1"), std::string::npos) << p.report;
  // The honest list is complete, and the status allows no dispense.
  const RxProof honest = check(view(cp, "dispensed", {0, 1, 3}), cp);
  EXPECT_FALSE(honest.refuted) << honest.report;
  EXPECT_EQ(honest.complete_at, 4u);
  EXPECT_EQ(honest.word, "DISPENSED");
  EXPECT_FALSE(honest.allows_dispense());
}

TEST_F(RxProofTest, ADispenseHiddenWhileTheStatusStaysPartlyDispensedIsRefuted) {
  step("rx.review", rx_facts("approved", 0));                      // leaf 0
  step("rx.dispense", rx_facts("dispensing", 1));                  // leaf 1
  const auto cp = step("rx.dispense", rx_facts("dispensing", 2));  // leaf 2: a second part
  // The second dispense left out of the list and of the prescription's value, the list said to
  // be cut short so that no proof of completeness is owed: the proven count still shows it.
  RxProof p = check(view(cp, "dispensing", {0, 1}, /*truncated=*/true), cp);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_NE(p.report.find("where the proven facts count 2"), std::string::npos) << p.report;
  EXPECT_FALSE(p.allows_dispense());
  // An honest list cut short (a trail of more than 500 steps) may end before a dispense: not a
  // lie, and no dispense follows, as nothing shows the rest.
  json cut_short = view(cp, "dispensing", {0, 1}, /*truncated=*/true);
  cut_short["prescription"] = view(cp, "dispensing", {0, 1, 2})["prescription"];
  p = check(cut_short, cp);
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_TRUE(p.status_matches);
  EXPECT_FALSE(p.allows_dispense());
  // But a list cut short cannot hold more dispenses than there are.
  json padded = cut_short;
  padded["trail"][0]["kind"] = "rx.dispense";
  padded["trail"].push_back({{"leaf_index", 2}, {"kind", "rx.dispense"}, {"accepted", true}});
  p = check(padded, cp);
  EXPECT_TRUE(p.refuted) << p.report;
  // Relabelled as another kind of step, the value left as it is: the trail shows one fewer.
  json relabelled = view(cp, "dispensing", {0, 1, 2});
  relabelled["trail"][2]["kind"] = "rx.review";
  p = check(relabelled, cp);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_NE(p.report.find("1 on its trail"), std::string::npos) << p.report;
  EXPECT_FALSE(p.allows_dispense());
  // Listed, but left out of the prescription's own record of dispenses: the same.
  json unrecorded = view(cp, "dispensing", {0, 1, 2});
  unrecorded["prescription"]["dispenses"].erase(1);
  p = check(unrecorded, cp);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_TRUE(check(view(cp, "dispensing", {0, 1, 2}), cp).allows_dispense());
}

TEST_F(RxProofTest, AStaleStatusOrAnotherPrescriptionsFactsAreRefuted) {
  const auto before = step("rx.review", rx_facts("approved", 0));
  // The proof the node could serve while the prescription was still valid.
  const json valid_then = view(before, "valid", {0});
  ASSERT_TRUE(valid_then["proof"]["states"][0].contains("value"));
  const auto cp = step("rx.cancel", rx_facts("cancelled", 0));
  // The node says the prescription is still valid: the proven facts say cancelled.
  RxProof p = check(view(cp, "valid", {0, 1}), cp);
  EXPECT_EQ(p.word, "CANCELLED");
  EXPECT_FALSE(p.status_matches);
  EXPECT_TRUE(p.refuted);
  EXPECT_FALSE(p.allows_dispense());
  // The facts from before the cancellation under the newer checkpoint do not verify.
  json stale = view(cp, "valid", {0, 1});
  stale["proof"]["states"][0] = valid_then["proof"]["states"][0];
  p = check(stale, cp);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_EQ(p.word, "");
  EXPECT_FALSE(p.allows_dispense());
  // The whole answer from before, under its own checkpoint, verifies: what tells it from now is
  // the checkpoint's age (rx verify's --max-age, the block time it gives) and the newer
  // checkpoints this client has seen (the checkpoint keeper).
  p = check(valid_then, before);
  EXPECT_EQ(p.word, "VALID");
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_EQ(p.block_time_ms, 1'790'000'000'000);
  // Asked at that checkpoint now, an honest node cannot prove the facts: they changed since.
  p = check(view(before, "valid", {0}), before);
  EXPECT_EQ(p.word, "");
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_NE(p.report.find("status NOT proven yet"), std::string::npos) << p.report;
  EXPECT_FALSE(p.allows_dispense());
  // Another prescription's facts are not this one's.
  step("rx.issue", rx_facts("approved", 0), kOther);
  const auto later = step("rx.review", std::nullopt, kOther);
  // (The node's status is the other's word, so that only the key can give it away.)
  json other = view(later, "valid", {0, 1});
  other["proof"]["states"] =
      ledger::served_state_proofs(*store_, later, {"pub/rx/" + kOther}).value()["states"];
  p = check(other, later);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_NE(p.report.find("status NOT proven: proof_invalid"), std::string::npos) << p.report;
  EXPECT_FALSE(p.allows_dispense());
  // Proofs against another checkpoint than the one the client judged: the client checks them
  // against its own, whatever checkpoint the answer names.
  p = check(valid_then, later);
  EXPECT_TRUE(p.refuted) << p.report;
  EXPECT_FALSE(p.allows_dispense());
}

TEST_F(RxProofTest, AStatusADayApartOnlyByTheClocksIsNeitherALieNorAMatch) {
  // Valid until 2026-11-23 in +08:00, which ends at 2026-11-23T16:00:00Z.
  PublicFacts facts = rx_facts("approved", 0);
  facts["valid_until"] = std::string("2026-11-23");
  const auto cp = step("rx.review", facts);
  const int64_t midnight = 1'795'449'600'000;  // 2026-11-24T00:00:00+08:00
  // The node read its clock just before midnight, this client just after.
  RxProof p = check(view(cp, "valid", {0}), cp, midnight + 60'000);
  EXPECT_EQ(p.word, "EXPIRED");
  EXPECT_FALSE(p.status_matches);
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_NE(p.report.find("the day turned"), std::string::npos) << p.report;
  EXPECT_FALSE(p.allows_dispense());
  // An hour after midnight it is a lie.
  p = check(view(cp, "valid", {0}), cp, midnight + 3'600'000);
  EXPECT_TRUE(p.refuted) << p.report;
}

TEST_F(RxProofTest, ATrailCutShortOrWithoutProofsIsNotProvenNorRefutedAndAllowsNoDispense) {
  step("rx.review", rx_facts("approved", 0));
  const auto cp = step("rx.dispense", rx_facts("dispensing", 1));
  RxProof p = check(view(cp, "dispensing", {0, 1}, /*truncated=*/true), cp);
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_EQ(p.complete_at, 0u);
  EXPECT_NE(p.report.find("trail NOT proven complete"), std::string::npos) << p.report;
  EXPECT_EQ(p.word, "PARTLY_DISPENSED");
  EXPECT_FALSE(p.allows_dispense());

  json no_proofs = view(cp, "dispensing", {0, 1});
  no_proofs["proof"]["trail"] = nullptr;
  p = check(no_proofs, cp);
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_EQ(p.complete_at, 0u);
  EXPECT_FALSE(p.allows_dispense());

  // A step after the checkpoint: listed, and not proven; the ones below it are complete.
  step("rx.dispense", std::nullopt);
  p = check(view(cp, "dispensing", {0, 1, 2}), cp);
  EXPECT_FALSE(p.refuted) << p.report;
  EXPECT_EQ(p.complete_at, 2u) << p.report;
  EXPECT_NE(p.report.find("1 newer than the checkpoint"), std::string::npos) << p.report;
  EXPECT_TRUE(p.allows_dispense());

  // No proof at all proves nothing and refutes nothing.
  p = check(json{{"status", "valid"}, {"trail", json::array()}, {"proof", nullptr}}, cp);
  EXPECT_FALSE(p.refuted);
  EXPECT_FALSE(p.allows_dispense());
  // Nor does a body of another shape.
  for (const json& body : {json::array(), json{{"proof", json::array()}}}) {
    SCOPED_TRACE(body.dump());
    p = check(body, cp);
    EXPECT_FALSE(p.refuted);
    EXPECT_FALSE(p.allows_dispense());
  }
}

TEST_F(RxProofTest, StepsOfAnotherShapeOrOrderAreRefuted) {
  step("rx.review", rx_facts("approved", 0));
  const auto cp = step("rx.dispense", rx_facts("dispensing", 1));
  const json honest = view(cp, "dispensing", {0, 1});
  ASSERT_TRUE(check(honest, cp).allows_dispense());
  const auto with_trail = [&](json rows) {
    json body = honest;
    body["trail"] = std::move(rows);
    return body;
  };
  const json first = honest["trail"][0], second = honest["trail"][1];
  json as_text = second, as_float = second, negative = second;
  as_text["leaf_index"] = "1";
  as_float["leaf_index"] = 1.0;
  negative["leaf_index"] = -1;
  for (const auto& [name, body] : std::vector<std::pair<std::string, json>>{
           {"no list", with_trail("x")},
           {"a step that is no object", with_trail({first, 1})},
           {"a leaf index as text", with_trail({first, as_text})},
           {"a leaf index as a fraction", with_trail({first, as_float})},
           {"a negative leaf index", with_trail({first, negative})},
           {"a step twice", with_trail({first, second, second})},
           {"steps out of order", with_trail({second, first})}}) {
    SCOPED_TRACE(name);
    const RxProof p = check(body, cp);
    EXPECT_TRUE(p.refuted) << p.report;
    EXPECT_NE(p.report.find("trail NOT complete"), std::string::npos) << p.report;
    EXPECT_FALSE(p.allows_dispense());
  }
}

}  // namespace
}  // namespace medtrail::cli
