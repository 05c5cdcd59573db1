// A trail page with proofs, as a node serves it, checked against the reader's genesis: an honest
// page holds; any change to a row, a leaf, a path or the checkpoint is caught, naming the leaf.
#include "cli/trail_proofs.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/envelope.h"
#include "support/chain_fixture.h"

namespace medtrail::cli {
namespace {

using nlohmann::json;

class TrailProofsTest : public ::testing::Test {
 protected:
  TrailProofsTest() : suite_(ledger::ed25519_sha256()), consortium_(suite_) {
    ledger::ChainStoreOptions options;
    options.sync = false;
    store_ = ledger::ChainStore::open(dir_.path().string(), suite_, testing::test_chain_id(suite_),
                                      options)
                 .value();
    testing::build_chain(*store_, consortium_, testing::ChainSpec{});
    genesis_ = consortium_.genesis(suite_, store_->chain_id());
  }

  // A page of every leaf the newest carried checkpoint covers, and two newer ones without proofs.
  json honest_page() {
    std::optional<ledger::SignedCheckpoint> cp;
    for (uint64_t h = store_->height(); h > 0 && !cp; --h) {
      auto block = store_->block_at(h).value();
      if (!block.checkpoints.empty()) cp = block.checkpoints.back();
    }
    EXPECT_TRUE(cp.has_value());
    json rows = json::array();
    for (uint64_t i = 0; i < store_->tree_size(); ++i) {
      ledger::LeafRecord leaf = store_->leaf_at(i).value();
      auto fields = ledger::parse_payload(leaf.envelope).value();
      json row = {{"leaf_index", i},
                  {"record_id", ledger::record_id(suite_, leaf.envelope)},
                  {"at_ms", leaf.timestamp_ms},
                  {"kind", fields.kind},
                  {"actor", leaf.envelope.signer},
                  {"accepted", leaf.result.accepted}};
      if (!leaf.result.accepted) row["reason_code"] = leaf.result.reason_code;
      if (i < cp->checkpoint.tree_size) {
        auto proof = store_->inclusion_proof(i, cp->checkpoint.tree_size).value();
        json path = json::array();
        for (const auto& h : proof.path) path.push_back(ledger::to_hex(h));
        row["proof"] = {{"leaf_data", ledger::to_hex(ledger::encode_leaf(leaf))},
                        {"leaf_index", i},
                        {"tree_size", cp->checkpoint.tree_size},
                        {"path", path}};
      } else {
        row["proof"] = nullptr;
      }
      rows.push_back(row);
    }
    return {{"rows", rows}, {"checkpoint", ledger::checkpoint_to_json(*cp)}};
  }

  const ledger::CryptoSuite& suite_;
  testing::TestConsortium consortium_;
  testing::TempDir dir_;
  std::unique_ptr<ledger::ChainStore> store_;
  ledger::LoadedGenesis genesis_;
};

TEST_F(TrailProofsTest, AnHonestPageHoldsAndNewerRowsCountAsUnproven) {
  json page = honest_page();
  TrailPageCheck check = check_trail_page(page, genesis_);
  EXPECT_EQ(check.problem, "");
  EXPECT_GT(check.proven, 10u);
  EXPECT_GT(check.unproven, 0u);
  EXPECT_EQ(check.proven + check.unproven, page["rows"].size());
}

// A citizen's vaccination record: every row must claim a dose given, and a proven row must be
// one by its leaf — a node that passes off other records (here the fixture's, which are no
// vaccinations and name no patient) is caught, naming the leaf.
TEST_F(TrailProofsTest, ACitizensRecordHoldsOnlyDosesGivenToThem) {
  const std::string ref(64, 'a');
  json page = honest_page();
  EXPECT_EQ(first_row_not_a_dose_of(page, ref),
            "leaf 0: the row is not an accepted vaccine.administer");
  // Rows that claim to be doses, over leaves that are not about the citizen.
  for (json& row : page["rows"]) {
    row["kind"] = "vaccine.administer";
    row["accepted"] = true;
  }
  EXPECT_EQ(first_row_not_a_dose_of(page, ref), "leaf 0: the record is about someone else");
  // Unproven rows carry no leaf to judge them by: their claims alone are checked.
  for (json& row : page["rows"]) row["proof"] = nullptr;
  EXPECT_EQ(first_row_not_a_dose_of(page, ref), "");
  page["rows"][1]["accepted"] = false;
  EXPECT_EQ(first_row_not_a_dose_of(page, ref),
            "leaf 1: the row is not an accepted vaccine.administer");
  page["rows"] = json::array({{{"leaf_index", 3},
                               {"kind", "vaccine.administer"},
                               {"accepted", true},
                               {"proof", {{"leaf_data", "zz"}}}}});
  EXPECT_EQ(first_row_not_a_dose_of(page, ref), "leaf 3: leaf_data is not hex");
  page["rows"] = json::array({"not an object"});
  EXPECT_EQ(first_row_not_a_dose_of(page, ref), "a row is not an object");
  page["rows"] = "not a list";
  EXPECT_EQ(first_row_not_a_dose_of(page, ref), "the page's rows are not a list");
}

TEST_F(TrailProofsTest, EveryLieIsCaught) {
  const json honest = honest_page();
  struct Lie {
    const char* label;
    std::function<void(json&)> tell;
  };
  auto flip_hex = [](json& j) {
    std::string s = j.get<std::string>();
    s[s.size() / 2] = s[s.size() / 2] == '0' ? '1' : '0';
    j = s;
  };
  const std::vector<Lie> lies = {
      {"a row's kind", [](json& p) { p["rows"][1]["kind"] = "rx.cancel"; }},
      {"a row's actor", [](json& p) { p["rows"][1]["actor"] = "hosp-a/someone-else"; }},
      {"a refused record shown accepted",
       [](json& p) {
         for (json& r : p["rows"]) {
           if (!r["accepted"].get<bool>()) {
             r["accepted"] = true;
             r.erase("reason_code");
             return;
           }
         }
       }},
      {"a row's time",
       [](json& p) { p["rows"][1]["at_ms"] = p["rows"][1]["at_ms"].get<int64_t>() + 1; }},
      {"a row's record id", [&](json& p) { flip_hex(p["rows"][1]["record_id"]); }},
      {"a byte of a leaf", [&](json& p) { flip_hex(p["rows"][1]["proof"]["leaf_data"]); }},
      {"a hash of the path", [&](json& p) { flip_hex(p["rows"][1]["proof"]["path"][0]); }},
      {"a proof at another index", [](json& p) { p["rows"][1]["proof"]["leaf_index"] = 2; }},
      {"a proof withheld under the checkpoint", [](json& p) { p["rows"][1]["proof"] = nullptr; }},
      {"the checkpoint's root", [&](json& p) { flip_hex(p["checkpoint"]["tree_root"]); }},
      {"no checkpoint", [](json& p) { p.erase("checkpoint"); }},
      {"a field of the wrong type", [](json& p) { p["rows"][1]["leaf_index"] = "1"; }},
      {"a proof of the wrong type", [](json& p) { p["rows"][1]["proof"]["tree_size"] = "many"; }},
  };
  for (const Lie& lie : lies) {
    SCOPED_TRACE(lie.label);
    json page = honest;
    lie.tell(page);
    EXPECT_NE(check_trail_page(page, genesis_).problem, "");
  }
  // Another chain's genesis does not vouch for this checkpoint.
  ledger::LoadedGenesis other = genesis_;
  other.chain_id = testing::test_chain_id(suite_, "another chain");
  EXPECT_NE(check_trail_page(honest, other).problem, "");
  // Nor does a genesis whose quorum the signatures do not reach.
  ledger::LoadedGenesis stricter = genesis_;
  stricter.genesis.checkpoint_quorum = 4;
  EXPECT_NE(check_trail_page(honest, stricter).problem, "");
}

}  // namespace
}  // namespace medtrail::cli
