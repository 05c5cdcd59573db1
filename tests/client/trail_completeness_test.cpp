// The client's check that the pages of a trail list every record about the subject
// (client/cli/trail_proofs.h, TrailCompleteness), against the proofs a real chain store serves
// (ledger::served_trail_proofs) and against what a node hiding a record would serve instead: a
// row left out at the start, in the middle, at the end, or a whole page; a row put in; another
// subject's head; another block's header. Each must fail, and never read as complete.
#include <gtest/gtest.h>

#include "cli/trail_proofs.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/served_state_proof.h"
#include "support/chain_fixture.h"
#include "support/trail_page.h"

namespace medtrail::cli {
namespace {

using nlohmann::json;

const ledger::CryptoSuite& suite() { return ledger::ed25519_sha256(); }

const std::string kSubject = "rx/R1";

class TrailCompletenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = medtrail::testing::open_test_store(dir_.file("db"), suite());
    genesis_ = consortium_.genesis(suite(), medtrail::testing::test_chain_id(suite()));
  }
  // A block of one leaf, about `subjects` (as the contracts write a trail: the entry holds the
  // head after it, and the head key the newest); its checkpoint, signed by the consortium.
  ledger::SignedCheckpoint append(std::vector<std::string> subjects) {
    const uint64_t leaf = store_->tree_size();
    ledger::BlockDraft draft;
    draft.timestamp_ms = 1'790'000'000'000 + store_->height();
    for (const std::string& subject : subjects) {
      ledger::TrailHead& head = heads_[subject];
      head = ledger::next_trail_head(suite(), head, leaf);
      draft.state_writes.emplace(ledger::trail_entry_key(subject, leaf),
                                 ledger::encode_trail_head(head));
      draft.state_writes.emplace(ledger::trail_head_key(subject), ledger::encode_trail_head(head));
    }
    draft.leaves.push_back(
        {medtrail::testing::make_envelope(consortium_.author, "hosp-a", "dr-li", leaf, 64),
         consortium_.author.public_key, ledger::ExecutionResult::accept()});
    const ledger::BlockHeader header = store_->append_block(draft).value();
    return consortium_.signed_checkpoint(
        suite(), {header.chain_id, header.height, ledger::block_hash(suite(), header),
                  header.tree_size, header.tree_root});
  }
  // A page as the node serves it (support/trail_page.h).
  json page(const ledger::SignedCheckpoint& cp, const std::vector<uint64_t>& leaves, bool last,
            const std::string& subject = kSubject) const {
    return medtrail::testing::trail_page(*store_, cp, subject, leaves, last);
  }
  // The pages taken in order; "" or the first problem.
  std::string walk(const std::vector<json>& pages, TrailCompleteness& check) const {
    for (const json& p : pages) {
      if (std::string why = check.add_page(p); !why.empty()) return why;
    }
    return "";
  }
  std::string walk(const std::vector<json>& pages) const {
    TrailCompleteness check(kSubject, genesis_);
    return walk(pages, check);
  }

  medtrail::testing::TempDir dir_;
  medtrail::testing::TestConsortium consortium_{suite()};
  std::unique_ptr<ledger::ChainStore> store_;
  ledger::LoadedGenesis genesis_;
  std::map<std::string, ledger::TrailHead> heads_;
};

// Leaves 0, 2, 3 and 5 are about the subject; 1 and 4 about another.
TEST_F(TrailCompletenessTest, TheWholeTrailInOnePageOrInSeveralIsProvenComplete) {
  append({kSubject});
  append({"rx/R2"});
  append({kSubject, "rx/R2"});
  append({kSubject});
  append({"rx/R2"});
  const auto cp = append({kSubject});
  TrailCompleteness one(kSubject, genesis_);
  EXPECT_EQ(walk({page(cp, {0, 2, 3, 5}, true)}, one), "");
  EXPECT_EQ(one.complete_at(), 6u);
  EXPECT_EQ(one.records(), 4u);

  TrailCompleteness paged(kSubject, genesis_);
  EXPECT_EQ(walk({page(cp, {0, 2}, false), page(cp, {3}, false), page(cp, {5}, true)}, paged), "");
  EXPECT_EQ(paged.complete_at(), 6u);
  EXPECT_EQ(paged.records(), 4u);
  // Until the last page, nothing says the trail ends there.
  TrailCompleteness partial(kSubject, genesis_);
  EXPECT_EQ(walk({page(cp, {0, 2}, false)}, partial), "");
  EXPECT_FALSE(partial.complete_at().has_value());
}

TEST_F(TrailCompletenessTest, ARowLeftOutAnywhereOrPutInIsCaught) {
  append({kSubject});
  append({"rx/R2"});
  append({kSubject});
  append({kSubject});
  const auto cp = append({kSubject});  // leaves 0, 2, 3, 4
  for (const auto& [name, pages] : std::vector<std::pair<std::string, std::vector<json>>>{
           {"the first row left out", {page(cp, {2, 3, 4}, true)}},
           {"a middle row left out", {page(cp, {0, 2, 4}, true)}},
           {"the last row left out", {page(cp, {0, 2, 3}, true)}},
           {"a row left out between pages", {page(cp, {0}, false), page(cp, {3, 4}, true)}},
           {"a whole page left out", {page(cp, {0, 2}, false), page(cp, {4}, true)}},
           {"every row left out", {page(cp, {}, true)}},
           {"another subject's row put in", {page(cp, {0, 1, 2, 3, 4}, true)}},
       }) {
    const std::string why = walk(pages);
    EXPECT_NE(why, "") << name;
    EXPECT_NE(why.find("left records out, or put others in"), std::string::npos)
        << name << ": " << why;
  }
}

TEST_F(TrailCompletenessTest, AnOlderCheckpointProvesTheTrailAsItStoodThenAndNewerRowsGoUnchecked) {
  append({kSubject});
  append({kSubject});
  const auto older = append({"rx/R2"});
  append({kSubject});  // leaf 3: after the older checkpoint; the head has changed since
  append({kSubject});
  TrailCompleteness check(kSubject, genesis_);
  // The node recomputes the head at the older height from the entries below its tree size.
  EXPECT_EQ(walk({page(older, {0, 1, 3, 4}, true)}, check), "");
  EXPECT_EQ(check.complete_at(), 3u);
  EXPECT_EQ(check.records(), 2u);
  // A page that reaches past its checkpoint has shown every row below it, next or not.
  TrailCompleteness past(kSubject, genesis_);
  EXPECT_EQ(walk({page(older, {0, 1, 3}, false)}, past), "");
  EXPECT_EQ(past.complete_at(), 3u);
  EXPECT_NE(walk({page(older, {1, 3}, false)}), "");
  // Read on under the same checkpoint past that point (a walk reading on to its own reads): the
  // head is the chain through the last row below it, on whichever page that row was.
  TrailCompleteness on(kSubject, genesis_);
  EXPECT_EQ(walk({page(older, {0, 1, 3}, false), page(older, {4}, true)}, on), "");
  EXPECT_EQ(on.complete_at(), 3u);
  EXPECT_EQ(on.records(), 2u);
  TrailCompleteness beyond(kSubject, genesis_);
  EXPECT_EQ(
      walk({page(older, {0, 1}, false), page(older, {3}, false), page(older, {4}, true)}, beyond),
      "");
  EXPECT_EQ(beyond.records(), 2u);
}

TEST_F(TrailCompletenessTest, ASubjectWithNoRecordIsProvenEmpty) {
  append({"rx/R2"});
  const auto cp = append({"rx/R2"});
  TrailCompleteness check(kSubject, genesis_);
  EXPECT_EQ(walk({page(cp, {}, true)}, check), "");
  EXPECT_EQ(check.complete_at(), 2u);
  EXPECT_EQ(check.records(), 0u);
}

TEST_F(TrailCompletenessTest, ProofsOfAnotherSubjectOrBlockOrMalformedOnesAreRefused) {
  append({kSubject, "rx/R2"});
  const auto first = append({kSubject});
  const auto second = append({"rx/R2"});
  const json honest = page(second, {0, 1}, true);
  ASSERT_EQ(walk({honest}), "");

  json other_head = honest;
  other_head["trail"]["head"] = page(second, {0, 2}, true, "rx/R2")["trail"]["head"];
  EXPECT_NE(walk({other_head}).find("another key"), std::string::npos) << walk({other_head});

  json other_block = honest;
  other_block["trail"]["header"] = page(first, {0, 1}, true)["trail"]["header"];
  EXPECT_NE(walk({other_block}).find("not the block the checkpoint signed"), std::string::npos);

  // The proof of the head at the older block, under the newer block's header.
  json older_head = honest;
  older_head["trail"]["head"] = page(first, {0, 1}, true)["trail"]["head"];
  EXPECT_NE(walk({older_head}), "");

  for (const char* drop : {"rows", "next", "checkpoint"}) {
    json p = honest;
    p.erase(drop);
    EXPECT_NE(walk({p}), "") << drop;
  }
  json no_first = honest;
  no_first["trail"].erase("first");
  EXPECT_NE(walk({no_first}).find("missing"), std::string::npos);
  for (const char* leaf : {R"("0")", "-1", "0.5"}) {
    json bad_leaf = honest;
    bad_leaf["rows"][0]["leaf_index"] = json::parse(leaf);
    EXPECT_NE(walk({bad_leaf}), "") << leaf;
  }
  json unsigned_checkpoint = honest;
  unsigned_checkpoint["checkpoint"]["signatures"] = json::array();
  EXPECT_NE(walk({unsigned_checkpoint}).find("does not hold for your genesis"), std::string::npos);
}

// Rows listed above their page's checkpoint wait for one that covers them, whichever page
// brings it: all of them or some, with proofs or without; one left out among them is caught.
TEST_F(TrailCompletenessTest, RowsAboveTheirCheckpointAreCheckedWhenALaterOneCoversThem) {
  append({kSubject});
  const auto a = append({kSubject});  // leaves 0, 1
  append({kSubject});
  const auto b = append({kSubject});  // leaves 2, 3
  append({kSubject});
  append({kSubject});  // leaves 4, 5
  auto without_proofs = [](json p) {
    p["trail"] = nullptr;
    return p;
  };
  TrailCompleteness part(kSubject, genesis_);
  EXPECT_EQ(walk({page(a, {0, 1, 2}, false), page(a, {3, 4}, false), page(b, {5}, true)}, part),
            "");
  EXPECT_EQ(part.complete_at(), 4u);
  EXPECT_EQ(part.records(), 4u);
  EXPECT_EQ(part.unproven_listed(), 2u);  // leaves 2 and 3, listed above checkpoint a
  TrailCompleteness popped(kSubject, genesis_);
  EXPECT_EQ(
      walk({page(a, {0, 1, 2}, false), without_proofs(page(b, {3}, false)), page(b, {4, 5}, true)},
           popped),
      "");
  EXPECT_EQ(popped.complete_at(), 4u);
  EXPECT_NE(walk({page(a, {0, 1, 2}, false), page(b, {4, 5}, true)}).find("left records out"),
            std::string::npos);
}

// A page without the trail's proofs (a node that cannot serve them now, or an older node)
// proves nothing and refutes nothing: its rows still join the chain that a later page checks.
TEST_F(TrailCompletenessTest, APageWithoutProofsLeavesCompletenessToALaterPageOrUnshown) {
  append({kSubject});
  append({"rx/R2"});
  append({kSubject});
  const auto cp = append({kSubject});  // leaves 0, 2, 3
  for (bool erased : {false, true}) {
    auto without_proofs = [erased](json p) {
      if (erased) {
        p.erase("trail");
      } else {
        p["trail"] = nullptr;
      }
      return p;
    };
    json first = without_proofs(page(cp, {0}, false));
    TrailCompleteness check(kSubject, genesis_);
    EXPECT_EQ(walk({first, page(cp, {2, 3}, true)}, check), "");
    EXPECT_EQ(check.complete_at(), 4u);
    EXPECT_EQ(check.unavailable(), "the node served no proofs of the trail's completeness");
    // A row left out on the page without proofs is still caught by the next page.
    json lying = without_proofs(page(cp, {}, true));
    lying["next"] = "0";
    EXPECT_NE(walk({lying, page(cp, {2, 3}, true)}), "");
  }
  json only = page(cp, {0, 2, 3}, true);
  only.erase("trail");
  TrailCompleteness check(kSubject, genesis_);
  EXPECT_EQ(walk({only}, check), "");
  EXPECT_FALSE(check.complete_at().has_value());
  EXPECT_NE(check.unavailable(), "");
}

// Rows an earlier page listed above its own checkpoint are on the trail a later checkpoint
// proves, but what they say was never proven: counted apart. A node's newest checkpoint can go
// back (a restart empties its pool): such a page's proofs are set aside, never taken for a lie,
// and a row it leaves out is caught by the next page's.
TEST_F(TrailCompletenessTest, ALaterCheckpointCoversEarlierUnprovenRowsAndAnOlderOneIsSetAside) {
  append({kSubject});
  const auto older = append({kSubject});  // leaves 0, 1
  append({kSubject});
  const auto newer = append({kSubject});  // leaves 2, 3
  TrailCompleteness check(kSubject, genesis_);
  EXPECT_EQ(walk({page(older, {0, 1, 2}, false), page(newer, {3}, true)}, check), "");
  EXPECT_EQ(check.complete_at(), 4u);
  EXPECT_EQ(check.records(), 4u);
  EXPECT_EQ(check.unproven_listed(), 1u);  // leaf 2, listed above the older checkpoint

  // The last page under the older checkpoint: nothing refuted, nothing proven complete.
  TrailCompleteness went_back(kSubject, genesis_);
  EXPECT_EQ(walk({page(newer, {0, 1}, false), page(older, {2, 3}, true)}, went_back), "");
  EXPECT_FALSE(went_back.complete_at().has_value());
  EXPECT_NE(went_back.unavailable().find("older than an earlier page's"), std::string::npos)
      << went_back.unavailable();
  // A page under the older checkpoint between two under the newer: complete, and its row above
  // its own checkpoint (leaf 2) counted as listed unproven.
  TrailCompleteness between(kSubject, genesis_);
  EXPECT_EQ(
      walk({page(newer, {0}, false), page(older, {1, 2}, false), page(newer, {3}, true)}, between),
      "");
  EXPECT_EQ(between.complete_at(), 4u);
  EXPECT_EQ(between.records(), 4u);
  EXPECT_EQ(between.unproven_listed(), 1u);
  // A row left out on the page under the older checkpoint is caught by the next page.
  EXPECT_NE(walk({page(newer, {0}, false), page(older, {1}, false), page(newer, {3}, true)})
                .find("left records out"),
            std::string::npos);
}

}  // namespace
}  // namespace medtrail::cli
