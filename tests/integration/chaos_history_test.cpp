// The chaos run's checker on histories made by hand: it passes a linearizable one and names
// each way a history can be wrong.
#include "integration/chaos_history.h"

#include <gtest/gtest.h>

namespace medtrail::integration::chaos {
namespace {

using namespace std::chrono_literals;

class ChaosHistory : public ::testing::Test {
 protected:
  // An op sent at t0 + `at` ms and answered `took` ms later.
  Op& op(const std::string& kind, const std::string& id, const std::string& rx, int64_t quantity, int at, int took,
         Outcome outcome, const std::string& code = "") {
    Op o{kind, id, rx, quantity, t0 + std::chrono::milliseconds(at), t0 + std::chrono::milliseconds(at + took),
         outcome, code};
    ops.push_back(o);
    return ops.back();
  }
  void leaf(const std::string& id, bool accepted, const std::string& code = "") {
    chain.push_back({chain.size(), id, accepted, code});
  }
  // A prescription of 10, reviewed, then dispensed 6 by one pharmacy and refused 6 to the other.
  void race() {
    op("rx.issue", "i1", "i1", 10, 0, 10, Outcome::kAccepted);
    op("rx.review", "r1", "i1", 0, 20, 10, Outcome::kAccepted);
    op("rx.dispense", "d1", "i1", 6, 40, 10, Outcome::kAccepted);
    op("rx.dispense", "d2", "i1", 6, 41, 12, Outcome::kRejected, "quantity_exceeded");
    leaf("reg", true);
    leaf("i1", true);
    leaf("r1", true);
    leaf("d1", true);
    leaf("d2", false, "quantity_exceeded");
  }
  bool mentions(const CheckReport& r, const std::string& text) {
    for (const auto& p : r.problems) {
      if (p.find(text) != std::string::npos) return true;
    }
    return false;
  }

  Clock::time_point t0 = Clock::now();
  std::vector<Op> ops;
  std::vector<ChainRecord> chain;
};

TEST_F(ChaosHistory, ARaceDecidedByTheChainHolds) {
  race();
  CheckReport r = check_history(ops, chain);
  EXPECT_TRUE(r.ok()) << r.problems.front();
  EXPECT_EQ(r.acknowledged, 4u);
  EXPECT_EQ(r.accepted_dispenses, 1u);
  EXPECT_EQ(r.refused_dispenses, 1u);
}

TEST_F(ChaosHistory, ARecordWhoseAnswerWasLostMayBeThereOrNot) {
  race();
  op("rx.dispense", "d3", "i1", 4, 60, 5000, Outcome::kUnknown);
  EXPECT_TRUE(check_history(ops, chain).ok());
  leaf("d3", true);
  CheckReport r = check_history(ops, chain);
  EXPECT_TRUE(r.ok()) << r.problems.front();
  EXPECT_EQ(r.unknown_on_chain, 1u);
}

TEST_F(ChaosHistory, ARecordTwiceOnTheChainIsCaught) {
  race();
  leaf("d2", false, "already_dispensed");
  EXPECT_TRUE(mentions(check_history(ops, chain), "on the chain twice"));
}

TEST_F(ChaosHistory, AnAcknowledgedRecordMissingIsCaught) {
  race();
  chain.pop_back();
  EXPECT_TRUE(mentions(check_history(ops, chain), "acknowledged rx.dispense d2 is not on the chain"));
}

TEST_F(ChaosHistory, AnAnswerTheChainContradictsIsCaught) {
  race();
  ops[3].outcome = Outcome::kAccepted;
  EXPECT_TRUE(mentions(check_history(ops, chain), "answered accepted but the chain has it rejected"));
  ops[3].outcome = Outcome::kRejected;
  ops[3].reason_code = "already_dispensed";
  EXPECT_TRUE(mentions(check_history(ops, chain), "answered already_dispensed but the chain says quantity_exceeded"));
}

TEST_F(ChaosHistory, AnOrderAgainstRealTimeIsCaught) {
  race();
  // d2 was sent after d1's answer came, yet the chain put it first.
  ops[3].invoked = ops[2].completed + 1ms;
  std::swap(chain[3].record_id, chain[4].record_id);
  std::swap(chain[3].accepted, chain[4].accepted);
  std::swap(chain[3].reason_code, chain[4].reason_code);
  ops[2].outcome = Outcome::kRejected;
  ops[2].reason_code = "quantity_exceeded";
  ops[3].outcome = Outcome::kAccepted;
  ops[3].reason_code = "";
  CheckReport r = check_history(ops, chain);
  EXPECT_TRUE(mentions(r, "yet it is later on the chain")) << (r.ok() ? "passed" : r.problems.front());
}

TEST_F(ChaosHistory, ARetryOfARecordAlreadyOnTheChainKeepsTheFirstAttemptsPlace) {
  race();
  // d1's first answer was lost; sent again after d2's answer came, it is found on the chain
  // where its first attempt put it, before d2. Not a violation.
  ops[2].outcome = Outcome::kUnknown;
  op("rx.dispense", "d1", "i1", 6, 100, 5, Outcome::kAccepted);
  CheckReport r = check_history(ops, chain);
  EXPECT_TRUE(r.ok()) << r.problems.front();
}

TEST_F(ChaosHistory, ADispenseBeyondTheQuantityIsCaught) {
  race();
  chain[4].accepted = true;
  chain[4].reason_code = "";
  ops[3].outcome = Outcome::kUnknown;
  CheckReport r = check_history(ops, chain);
  EXPECT_TRUE(mentions(r, "accepted; the model says quantity_exceeded"));
  EXPECT_TRUE(mentions(r, "12 dispensed of 10 prescribed"));
}

TEST_F(ChaosHistory, ADispenseBeforeTheReviewOrARefusalTheModelWouldAcceptIsCaught) {
  race();
  std::swap(chain[2], chain[3]);  // the dispense lands before the review
  chain[2].leaf = 2;
  chain[3].leaf = 3;
  ops[1].outcome = ops[2].outcome = Outcome::kUnknown;
  EXPECT_TRUE(mentions(check_history(ops, chain), "accepted; the model says not_reviewed"));

  ops.clear();
  chain.clear();
  race();
  chain[3].accepted = false;  // d1 refused though nothing was dispensed yet
  chain[3].reason_code = "already_dispensed";
  ops[2].outcome = Outcome::kUnknown;
  EXPECT_TRUE(mentions(check_history(ops, chain), "the model accepts it"));
}

}  // namespace
}  // namespace medtrail::integration::chaos
