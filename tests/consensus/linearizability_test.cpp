// The linearizability checker on hand-made histories of an append-only log. Times are the
// logical clock of History: each invoke and return is one tick, in real-time order.

#include "sim/linearizability.h"

#include <gtest/gtest.h>

#include <vector>

namespace medtrail::sim {
namespace {

constexpr uint64_t kNever = Operation::kPending;

Operation append(uint64_t value, uint64_t invoked, uint64_t returned, int client = 0) {
  Operation op;
  op.kind = Operation::Kind::kAppend;
  op.value = value;
  op.invoked = invoked;
  op.returned = returned;
  op.client = client;
  return op;
}

Operation read(std::vector<uint64_t> observed, uint64_t invoked, uint64_t returned,
               int client = 1) {
  Operation op;
  op.kind = Operation::Kind::kRead;
  op.observed = std::move(observed);
  op.invoked = invoked;
  op.returned = returned;
  op.client = client;
  return op;
}

bool linearizable(const std::vector<Operation>& history) {
  return check_append_log(history).linearizable();
}

TEST(LinearizabilityTest, EmptyHistoryIsLinearizable) { EXPECT_TRUE(linearizable({})); }

TEST(LinearizabilityTest, SequentialAppendsThenReadOfThemIsLinearizable) {
  EXPECT_TRUE(linearizable({append(1, 0, 1), append(2, 2, 3), read({1, 2}, 4, 5)}));
}

TEST(LinearizabilityTest, ReadMissingACompletedAppendIsNot) {
  // append(1) returned before the read was invoked: a read of [] is stale.
  const auto result = check_append_log({append(1, 0, 1), read({}, 2, 3)});
  EXPECT_EQ(result.outcome, LinearizabilityResult::Outcome::kNotLinearizable);
  EXPECT_FALSE(result.explanation.empty());
}

TEST(LinearizabilityTest, ReadConcurrentWithAppendMaySeeEitherState) {
  EXPECT_TRUE(linearizable({append(1, 0, 3), read({}, 1, 2)}));
  EXPECT_TRUE(linearizable({append(1, 0, 3), read({1}, 1, 2)}));
}

TEST(LinearizabilityTest, ReadOfAValueNotYetInvokedIsNot) {
  EXPECT_FALSE(linearizable({read({7}, 0, 1), append(7, 2, 3)}));
}

TEST(LinearizabilityTest, ConcurrentAppendsMayLandInEitherOrder) {
  EXPECT_TRUE(linearizable({append(1, 0, 2, 0), append(2, 1, 3, 2), read({2, 1}, 4, 5)}));
  EXPECT_TRUE(linearizable({append(1, 0, 2, 0), append(2, 1, 3, 2), read({1, 2}, 4, 5)}));
}

TEST(LinearizabilityTest, SequentialAppendsMustKeepTheirOrder) {
  EXPECT_FALSE(linearizable({append(1, 0, 1), append(2, 2, 3), read({2, 1}, 4, 5)}));
}

TEST(LinearizabilityTest, TwoReadsDisagreeingOnOrderAreNot) {
  // Concurrent appends may land either way, but not both ways.
  EXPECT_FALSE(linearizable({append(1, 0, 10, 0), append(2, 1, 11, 2), read({1, 2}, 12, 13),
                             read({2, 1}, 14, 15)}));
}

TEST(LinearizabilityTest, LaterReadMayNotGoBackInTime) {
  // The first read saw append(1); a read that starts after it returned must too (§6.4).
  EXPECT_FALSE(linearizable({append(1, 0, 9), read({1}, 1, 2), read({}, 3, 4, 2)}));
  EXPECT_TRUE(linearizable({append(1, 0, 9), read({}, 1, 2), read({1}, 3, 4, 2)}));
}

TEST(LinearizabilityTest, IndeterminateAppendMayTakeEffectLate) {
  // append(1) timed out (no response) but a later read sees it: it took effect.
  EXPECT_TRUE(linearizable({append(1, 0, kNever), read({}, 1, 2), read({1}, 3, 4)}));
}

TEST(LinearizabilityTest, IndeterminateAppendMayNeverTakeEffect) {
  EXPECT_TRUE(linearizable({append(1, 0, kNever), append(2, 1, 2), read({2}, 3, 4)}));
}

TEST(LinearizabilityTest, IndeterminateAppendCannotVanishOnceSeen) {
  EXPECT_FALSE(linearizable({append(1, 0, kNever), read({1}, 1, 2), read({}, 3, 4)}));
}

TEST(LinearizabilityTest, ReadWithAnUnknownValueIsNot) {
  EXPECT_FALSE(linearizable({append(1, 0, 1), read({1, 99}, 2, 3)}));
}

TEST(LinearizabilityTest, LongConcurrentHistoryIsCheckedQuickly) {
  // Three clients appending in overlapping pairs, with reads of the growing log.
  std::vector<Operation> history;
  std::vector<uint64_t> log;
  uint64_t t = 0;
  for (uint64_t v = 1; v <= 600; v += 2) {
    history.push_back(append(v, t, t + 3, 0));
    history.push_back(append(v + 1, t + 1, t + 2, 1));
    log.push_back(v + 1);
    log.push_back(v);
    history.push_back(read(log, t + 4, t + 5, 2));
    t += 6;
  }
  const auto result = check_append_log(history);
  EXPECT_TRUE(result.linearizable()) << result.explanation;
  EXPECT_LT(result.states, 100'000u);
}

TEST(LinearizabilityTest, GivesUpBeyondItsLimit) {
  const auto result = check_append_log({append(1, 0, 1), append(2, 2, 3), read({1, 2}, 4, 5)},
                                       CheckLimits{2});
  EXPECT_EQ(result.outcome, LinearizabilityResult::Outcome::kUnknown);
}

}  // namespace
}  // namespace medtrail::sim
