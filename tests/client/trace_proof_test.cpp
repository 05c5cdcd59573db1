// The client's check of a lookup's proof (client/cli/trace_proof.h) against proofs a real chain
// store serves (ledger/served_state_proof.h), and against what a lying node would serve instead:
// a recall hidden behind an older value, a value changed, another code's facts, another block's
// header, a state left out. Every lie must fail or leave the word unproven, never reassure.
#include "cli/trace_proof.h"

#include <gtest/gtest.h>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/public_facts.h"
#include "medtrail/ledger/served_state_proof.h"
#include "support/chain_fixture.h"

namespace medtrail::cli {
namespace {

using ledger::PublicFacts;
using nlohmann::json;

const ledger::CryptoSuite& suite() { return ledger::ed25519_sha256(); }

const std::string kDose = "01069012345678922112";  // canonical
const std::string kLotKey = "vlot/06901234567892/L1";
const int64_t kNow = 1'790'000'100'000;

std::string facts(const PublicFacts& f) { return ledger::encode_public_facts(f).value(); }

PublicFacts dose_facts(const std::string& status = "in_stock") {
  return {{"lot", kLotKey},
          {"holder", std::string("clinic-a")},
          {"status", status},
          {"doses_given", int64_t{0}}};
}
PublicFacts lot_facts(const std::string& status = "released") {
  return {
      {"status", status}, {"expiry", std::string("2099-12-31")}, {"owner", std::string("maker-a")}};
}

class TraceProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = medtrail::testing::open_test_store(dir_.file("db"), suite());
    genesis_.suite = &suite();
    genesis_.chain_id = medtrail::testing::test_chain_id(suite());
    genesis_.genesis.time_zone = "+08:00";
  }
  // A block writing `writes`; its checkpoint (check_trace_proof takes one already judged).
  ledger::SignedCheckpoint append(ledger::StateWrites writes) {
    ledger::BlockDraft draft;
    draft.timestamp_ms = 1'790'000'000'000 + store_->height();
    draft.state_writes = std::move(writes);
    draft.leaves.push_back({medtrail::testing::make_envelope(consortium_.author, "hosp-a", "dr-li",
                                                             store_->tree_size(), 64),
                            consortium_.author.public_key, ledger::ExecutionResult::accept()});
    const ledger::BlockHeader header = store_->append_block(draft).value();
    return {{header.chain_id, header.height, ledger::block_hash(suite(), header), header.tree_size,
             header.tree_root},
            {}};
  }
  json proof(const ledger::SignedCheckpoint& cp, std::vector<std::string> keys) const {
    return ledger::served_state_proofs(*store_, cp, keys).value();
  }
  json dose_proof(const ledger::SignedCheckpoint& cp) const {
    return proof(cp, {"pub/vcode/" + kDose, "pub/" + kLotKey});
  }
  ledger::Result<ProvenTrace> check(const json& p, const ledger::SignedCheckpoint& cp,
                                    TraceKind kind = TraceKind::kVaccine,
                                    const std::string& code = kDose) const {
    return check_trace_proof(p, genesis_, cp, kind, PrintedCode{code, std::nullopt}, kNow);
  }

  medtrail::testing::TempDir dir_;
  medtrail::testing::TestConsortium consortium_{suite()};
  std::unique_ptr<ledger::ChainStore> store_;
  ledger::LoadedGenesis genesis_;
};

TEST_F(TraceProofTest, ADoseAndItsLotProvenGiveTheWordAndARecallAfterTheCheckpointWaitsForTheNext) {
  const auto first =
      append({{"pub/vcode/" + kDose, facts(dose_facts())}, {"pub/" + kLotKey, facts(lot_facts())}});
  auto proven = check(dose_proof(first), first);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "GENUINE");
  EXPECT_EQ(proven->height, 1u);
  EXPECT_EQ(proven->block_time_ms, 1'790'000'000'000);
  EXPECT_EQ(*proven->subject, dose_facts());
  EXPECT_EQ(proven->lot, lot_facts());

  const auto second = append({{"pub/" + kLotKey, facts(lot_facts("recalled"))}});
  // Against the first checkpoint the lot has changed since: no word, and why.
  proven = check(dose_proof(first), first);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "");
  EXPECT_NE(proven->pending.find("changed after block 1"), std::string::npos) << proven->pending;
  proven = check(dose_proof(second), second);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "RECALLED");
}

TEST_F(TraceProofTest, APrescriptionsStatusIsProvenFromItsPublicFacts) {
  const std::string id(64, 'c');
  const PublicFacts approved = {{"org", std::string("hosp-a")},
                                {"status", std::string("approved")},
                                {"issued_on", std::string("2026-11-20")},
                                {"valid_until", std::string("2099-12-31")},
                                {"dispenses", int64_t{0}}};
  PublicFacts dispensed = approved;
  dispensed["status"] = std::string("dispensed");
  dispensed["dispenses"] = int64_t{1};
  const auto first = append({{"pub/rx/" + id, facts(approved)}});
  const json approved_then = proof(first, {"pub/rx/" + id});
  ASSERT_TRUE(approved_then["states"][0].contains("value"));
  auto proven = check(approved_then, first, TraceKind::kRx, id);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "VALID");
  EXPECT_EQ(*proven->subject, approved);

  // Dispensed since: the older facts under the newer checkpoint do not verify, and another
  // prescription's facts are not this one's.
  const auto second = append({{"pub/rx/" + id, facts(dispensed)}});
  proven = check(proof(second, {"pub/rx/" + id}), second, TraceKind::kRx, id);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "DISPENSED");
  json stale = proof(second, {"pub/rx/" + id});
  stale["states"][0] = approved_then["states"][0];
  EXPECT_EQ(check(stale, second, TraceKind::kRx, id).status().code(), "proof_invalid");
  json stale_value = proof(second, {"pub/rx/" + id});
  stale_value["states"][0]["value"] = approved_then["states"][0].at("value");
  EXPECT_EQ(check(stale_value, second, TraceKind::kRx, id).status().code(), "proof_invalid");
  const std::string other(64, 'd');
  EXPECT_EQ(check(proof(second, {"pub/rx/" + id}), second, TraceKind::kRx, other).status().code(),
            "proof_invalid");
  // A prescription the chain does not hold is proven absent.
  proven = check(proof(second, {"pub/rx/" + other}), second, TraceKind::kRx, other);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "UNKNOWN_CODE");
  // A dose's two states are not a prescription's one.
  EXPECT_EQ(check(proof(second, {"pub/rx/" + id, "pub/" + kLotKey}), second, TraceKind::kRx, id)
                .status()
                .code(),
            "proof_invalid");
}

TEST_F(TraceProofTest, AnUnknownCodeIsProvenAbsent) {
  const auto cp = append({{"pub/" + kLotKey, facts(lot_facts())}});
  auto proven = check(proof(cp, {"pub/vcode/" + kDose}), cp);
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "UNKNOWN_CODE");
  EXPECT_FALSE(proven->subject.has_value());
  proven = check(proof(cp, {"pub/tw/TW-1"}), cp, TraceKind::kTableware, "TW-1");
  ASSERT_TRUE(proven.ok()) << proven.status().to_string();
  EXPECT_EQ(proven->word, "UNKNOWN_CODE");
}

TEST_F(TraceProofTest, AHiddenRecallIsCaughtOrLeftUnproven) {
  const auto first =
      append({{"pub/vcode/" + kDose, facts(dose_facts())}, {"pub/" + kLotKey, facts(lot_facts())}});
  const json before = dose_proof(first);
  const auto second = append({{"pub/" + kLotKey, facts(lot_facts("recalled"))}});
  const json honest = dose_proof(second);

  // The lot's state from before the recall, under the newer checkpoint: it does not lead to
  // that block's root.
  json stale = honest;
  stale["states"][1] = before["states"][1];
  EXPECT_EQ(check(stale, second).status().code(), "proof_invalid");
  // The older value's bytes with the newer proof: the same.
  json swapped = honest;
  swapped["states"][1]["value"] = before["states"][1]["value"];
  EXPECT_EQ(check(swapped, second).status().code(), "proof_invalid");
  // The lot left out, or said to have changed: never a word.
  json left_out = honest;
  left_out["states"].erase(1);
  EXPECT_EQ(check(left_out, second).status().code(), "proof_invalid");
  json said_changed = honest;
  said_changed["states"][1] = {{"key", ledger::to_hex(ledger::as_bytes("pub/" + kLotKey))},
                               {"changed_after_checkpoint", true}};
  auto proven = check(said_changed, second);
  ASSERT_TRUE(proven.ok());
  EXPECT_EQ(proven->word, "");
  // The whole answer from before, under its own checkpoint, is honest and says GENUINE: the
  // checkpoint's age is what tells it from now (trace.cpp's --max-age; checkpoint_keeper).
  EXPECT_EQ(check(before, first)->word, "GENUINE");
}

TEST_F(TraceProofTest, AProofOfAnotherCodeOrBlockOrNoProofAtAllIsRefused) {
  const auto first =
      append({{"pub/vcode/" + kDose, facts(dose_facts())},
              {"pub/" + kLotKey, facts(lot_facts())},
              {"pub/vcode/01069012345678922113", facts(dose_facts("administered"))}});
  const auto second = append({{"other", "x"}});
  const json honest = dose_proof(second);
  ASSERT_TRUE(check(honest, second).ok());
  // Another code's facts.
  EXPECT_EQ(check(proof(second, {"pub/vcode/01069012345678922113", "pub/" + kLotKey}), second)
                .status()
                .code(),
            "proof_invalid");
  // Another block's header, or another chain's checkpoint.
  json other_header = honest;
  other_header["header"] = dose_proof(first)["header"];
  EXPECT_EQ(check(other_header, second).status().code(), "proof_invalid");
  EXPECT_EQ(check(honest, first).status().code(), "proof_invalid");
  ledger::SignedCheckpoint foreign = second;
  foreign.checkpoint.chain_id[0] ^= 1;
  EXPECT_EQ(check(honest, foreign).status().code(), "proof_invalid");
  // "Changed" said of a key it does not ask for.
  json wrong_key = honest;
  wrong_key["states"][0] = {{"key", "00"}, {"changed_after_checkpoint", true}};
  EXPECT_EQ(check(wrong_key, second).status().code(), "proof_invalid");
  // Shapes that do not read.
  for (const json& bad :
       {json(nullptr), json::object(), json{{"header", "zz"}, {"states", json::array()}},
        json{{"header", honest["header"]}, {"states", json::array()}},
        json{{"header", honest["header"]}, {"states", {1, 2, 3}}}}) {
    EXPECT_FALSE(check(bad, second).ok()) << bad.dump();
  }
  // Facts that are not public facts.
  const auto third = append({{"pub/vcode/" + kDose, "not facts"}});
  EXPECT_EQ(check(dose_proof(third), third).status().code(), "bad_public_facts");
}

TEST_F(TraceProofTest, APrintedCodeKeysAsTheChainKeysIt) {
  auto key = [](TraceKind kind, const std::string& code) -> std::optional<std::string> {
    auto printed = printed_code(kind, code);
    return printed ? std::optional<std::string>(printed->key_code) : std::nullopt;
  };
  EXPECT_EQ(key(TraceKind::kVaccine, "86901234569999999999"), "86901234569999999999");
  const auto gs1 =
      printed_code(TraceKind::kVaccine, "(01)06901234567892(17)281231(10)L2026A(21)SN1");
  ASSERT_TRUE(gs1.has_value());
  EXPECT_EQ(gs1->key_code, "010690123456789221SN1");
  ASSERT_TRUE(gs1->label.has_value());
  EXPECT_EQ(gs1->label->gtin, "06901234567892");
  EXPECT_EQ(gs1->label->expiry, "281231");
  EXPECT_EQ(gs1->label->lot, "L2026A");
  for (const char* bad :
       {"(01)0690123456789(17)281231(10)L(21)SN1", "(01)06901234567892(17)281231(10)L(21)",
        "(01)06901234567892(17)2812(10)L(21)S", "(01)06901234567892(10)L(17)281231(21)S",
        "(01)06901234567892(17)281231(10)(21)S", "1234"}) {
    EXPECT_EQ(key(TraceKind::kVaccine, bad), std::nullopt) << bad;
  }
  EXPECT_EQ(key(TraceKind::kTableware, "TW-1"), "TW-1");
}

// A label copied onto a package of another lot keys the real dose: the proven lot must be the
// label's, as the contracts require at every use (code_lot_mismatch).
TEST_F(TraceProofTest, ALabelThatNamesAnotherLotOrExpiryThanTheProvenOneIsCaught) {
  const std::string key = "010690123456789221SN1";
  PublicFacts lot = {{"status", std::string("released")},
                     {"expiry", std::string("2028-02-29")},
                     {"product_code", std::string("06901234567892")},
                     {"lot", std::string("L1")}};
  const auto cp =
      append({{"pub/vcode/" + key, facts(dose_facts())}, {"pub/" + kLotKey, facts(lot)}});
  const json p = proof(cp, {"pub/vcode/" + key, "pub/" + kLotKey});
  const auto mismatch = [&](const std::string& label) {
    auto proven = check_trace_proof(p, genesis_, cp, TraceKind::kVaccine,
                                    *printed_code(TraceKind::kVaccine, label), kNow);
    EXPECT_TRUE(proven.ok()) << proven.status().to_string();
    EXPECT_EQ(proven->word, "GENUINE");
    return proven->label_mismatch;
  };
  EXPECT_EQ(mismatch("(01)06901234567892(17)280229(10)L1(21)SN1"), "");
  EXPECT_EQ(mismatch("(01)06901234567892(17)280200(10)L1(21)SN1"),
            "");  // DD 00: the month's last day
  EXPECT_NE(mismatch("(01)06901234567892(17)280228(10)L1(21)SN1"), "");  // another day
  EXPECT_NE(mismatch("(01)06901234567892(17)280229(10)L2(21)SN1"), "");  // another lot
  EXPECT_NE(mismatch("(01)06901234567892(17)290229(10)L1(21)SN1"), "");  // another year
  EXPECT_NE(mismatch("(01)06901234567892(17)280229(10)FAKE(21)SN1").find("a copied code"),
            std::string::npos);
  // The same dose looked up by its key alone has no label to compare.
  PrintedCode bare{key, std::nullopt};
  EXPECT_EQ(check_trace_proof(p, genesis_, cp, TraceKind::kVaccine, bare, kNow)->label_mismatch,
            "");
}

}  // namespace
}  // namespace medtrail::cli
