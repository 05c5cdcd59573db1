// Pending records and their waiters: one queued copy per id, every waiter answered once.

#include "core/record_tracker.h"

#include <gtest/gtest.h>

namespace medtrail::node {
namespace {

using Clock = RecordTracker::Clock;
using std::chrono::seconds;

ledger::Hash hash_of(uint8_t b) {
  ledger::Hash h{};
  h.fill(b);
  return h;
}

TEST(RecordTracker, SecondSubmissionOfAPendingIdWaitsForTheFirst) {
  RecordTracker t;
  const auto now = Clock::now();
  EXPECT_EQ(t.begin(hash_of(1), now + seconds(10), nullptr, now), RecordTracker::Begin::kNew);
  int calls = 0;
  RecordStatus seen;
  auto waiter = [&](const RecordStatus& s) { ++calls; seen = s; };
  EXPECT_EQ(t.begin(hash_of(1), now + seconds(10), waiter, now + seconds(5)),
            RecordTracker::Begin::kAlreadyPending);
  EXPECT_EQ(t.pending(), 1u);
  EXPECT_EQ(t.waiters(), 1u);

  RecordStatus done;
  done.state = RecordState::kCommitted;
  done.height = 7;
  t.resolve(hash_of(1), done);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.state, RecordState::kCommitted);
  EXPECT_EQ(seen.height, 7u);
  EXPECT_EQ(t.pending(), 0u);
  t.resolve(hash_of(1), done);  // a second report of the same id answers nobody twice
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(t.begin(hash_of(1), now + seconds(10), nullptr, now), RecordTracker::Begin::kNew);
}

TEST(RecordTracker, ResubmissionLongAfterTheFirstCopyIsQueuedAgain) {
  // The first copy may have died with a crashed leader; a resubmission must not just wait.
  RecordTracker t(std::chrono::milliseconds(1000));
  const auto now = Clock::now();
  EXPECT_EQ(t.begin(hash_of(4), now + seconds(20), nullptr, now, now), RecordTracker::Begin::kNew);
  EXPECT_EQ(t.begin(hash_of(4), now + seconds(20), nullptr, now, now + std::chrono::milliseconds(999)),
            RecordTracker::Begin::kAlreadyPending);
  EXPECT_EQ(t.begin(hash_of(4), now + seconds(20), nullptr, now, now + seconds(1)),
            RecordTracker::Begin::kRequeue);
  // At most once per interval, however often a client insists.
  EXPECT_EQ(t.begin(hash_of(4), now + seconds(20), nullptr, now, now + seconds(1)),
            RecordTracker::Begin::kAlreadyPending);
  EXPECT_EQ(t.begin(hash_of(4), now + seconds(20), nullptr, now, now + seconds(2)),
            RecordTracker::Begin::kRequeue);
  EXPECT_EQ(t.pending(), 1u);
}

TEST(RecordTracker, WaitPastItsDeadlineIsAnsweredPendingAndTheIdStaysPending) {
  RecordTracker t;
  const auto now = Clock::now();
  std::vector<RecordStatus> seen;
  t.begin(hash_of(2), now + seconds(20), [&](const RecordStatus& s) { seen.push_back(s); },
          now + seconds(5));
  EXPECT_EQ(t.expire(now + seconds(1)), now + seconds(5));
  EXPECT_TRUE(seen.empty());
  t.expire(now + seconds(6));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].state, RecordState::kPending);
  EXPECT_EQ(seen[0].id, ledger::to_hex(hash_of(2)));
  EXPECT_EQ(t.pending(), 1u);  // still queued somewhere: a retry joins it
  t.expire(now + seconds(21));
  EXPECT_EQ(t.pending(), 0u);  // forgotten: may be submitted again
  EXPECT_EQ(seen.size(), 1u);
}

TEST(RecordTracker, AWaiterMayResubmitFromInsideItsCallback) {
  RecordTracker t;
  const auto now = Clock::now();
  bool nested = false;
  t.begin(hash_of(3), now + seconds(10), [&](const RecordStatus&) {
    // Waiters run outside the lock: calling back into the tracker must not deadlock.
    nested = t.begin(hash_of(3), now + seconds(10), nullptr, now) == RecordTracker::Begin::kNew;
  }, now + seconds(10));
  t.resolve(hash_of(3), RecordStatus{});
  EXPECT_TRUE(nested);
}

}  // namespace
}  // namespace medtrail::node
