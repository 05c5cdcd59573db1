// The admission queue's bound and the batching rule (count, bytes, linger).

#include "core/submission_queue.h"

#include <gtest/gtest.h>

namespace medtrail::node {
namespace {

using Clock = SubmissionQueue::Clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

ledger::Envelope envelope(size_t payload_bytes, uint8_t tag = 0) {
  ledger::Envelope e;
  e.payload.assign(payload_bytes, tag);
  e.signer = "org/admin";
  e.suite = "ed25519-sha256";
  e.signature.assign(64, tag);
  return e;
}

std::vector<ledger::Envelope> envelopes(size_t n, size_t bytes = 100) {
  std::vector<ledger::Envelope> out;
  for (size_t i = 0; i < n; ++i) out.push_back(envelope(bytes, static_cast<uint8_t>(i)));
  return out;
}

TEST(SubmissionQueue, ARequestThatDoesNotFitIsRefusedWhole) {
  int pushes = 0;
  SubmissionQueue q({.capacity = 10}, [&] { ++pushes; });
  const auto now = Clock::now();
  EXPECT_TRUE(q.push(envelopes(8), now));
  EXPECT_FALSE(q.push(envelopes(3), now));
  EXPECT_EQ(q.size(), 8u);
  EXPECT_TRUE(q.push(envelopes(2), now));
  EXPECT_EQ(q.size(), 10u);
  EXPECT_EQ(pushes, 2);
}

TEST(SubmissionQueue, BatchIsDueWhenFullByCount) {
  SubmissionQueue q({.capacity = 100, .max_batch_records = 4, .linger = milliseconds(100)}, {});
  const auto now = Clock::now();
  q.push(envelopes(3), now);
  EXPECT_TRUE(q.take_due(now, false).empty());
  q.push(envelopes(6), now);
  EXPECT_EQ(q.take_due(now, false).size(), 4u);
  EXPECT_EQ(q.take_due(now, false).size(), 4u);
  EXPECT_TRUE(q.take_due(now, false).empty());  // one left, still lingering
  EXPECT_EQ(q.take_due(now, true).size(), 1u);   // flush takes it
}

TEST(SubmissionQueue, BatchIsDueWhenFullByBytesButTakesAtLeastOne) {
  SubmissionQueue q({.capacity = 100, .max_batch_bytes = 1000, .linger = milliseconds(100)}, {});
  const auto now = Clock::now();
  q.push(envelopes(3, 400), now);  // ~500 bytes each with signature and names: two are full
  EXPECT_EQ(q.take_due(now, false).size(), 1u);  // a second would pass 1000 bytes
  EXPECT_EQ(q.take_due(now, false).size(), 1u);
  EXPECT_TRUE(q.take_due(now, false).empty());   // one left, under the bound: it lingers
  q.push(envelopes(1, 5000), now);
  EXPECT_EQ(q.take_due(now, false).size(), 1u);
  auto big = q.take_due(now, false);
  ASSERT_EQ(big.size(), 1u);  // larger than a batch: it goes alone
  EXPECT_EQ(big[0].payload.size(), 5000u);
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.size(), 0u);
}

TEST(SubmissionQueue, BatchIsDueOnceTheOldestRecordHasLingered) {
  SubmissionQueue q({.capacity = 100, .linger = microseconds(2000)}, {});
  const auto now = Clock::now();
  q.push(envelopes(2), now);
  EXPECT_EQ(*q.next_due(), now + microseconds(2000));
  EXPECT_TRUE(q.take_due(now + microseconds(1999), false).empty());
  EXPECT_EQ(q.take_due(now + microseconds(2000), false).size(), 2u);
  EXPECT_FALSE(q.next_due().has_value());
}

TEST(SubmissionQueue, ForwardedRecordsLingeredAlreadyAndAreDueAtOnce) {
  SubmissionQueue q({.capacity = 10, .max_batch_records = 4, .linger = microseconds(2000)}, {});
  const auto now = Clock::now();
  EXPECT_TRUE(q.push_lingered(envelopes(2), now));
  EXPECT_EQ(*q.next_due(), now);
  EXPECT_FALSE(q.has_full_batch());
  EXPECT_EQ(q.take_due(now, false).size(), 2u);
  // Behind a record that still lingers they wait with it, and they count toward a full batch.
  q.push(envelopes(1), now);
  q.push_lingered(envelopes(2), now);
  EXPECT_TRUE(q.take_due(now, false).empty());
  EXPECT_FALSE(q.has_full_batch());
  q.push_lingered(envelopes(1), now);
  EXPECT_TRUE(q.has_full_batch());
  EXPECT_EQ(*q.next_due(), Clock::time_point::min());
  EXPECT_EQ(q.take_due(now, false).size(), 4u);
  // The same bound as admitted records: all or nothing.
  EXPECT_TRUE(q.push(envelopes(8), now));
  EXPECT_FALSE(q.push_lingered(envelopes(3), now));
  EXPECT_EQ(q.size(), 8u);
}

TEST(SubmissionQueue, OldRecordsAreDropped) {
  SubmissionQueue q({.capacity = 100}, {});
  const auto now = Clock::now();
  q.push(envelopes(2), now);
  q.push(envelopes(3), now + milliseconds(10));
  EXPECT_EQ(q.drop_older_than(now + milliseconds(5)), 2u);
  EXPECT_EQ(q.size(), 3u);
}

}  // namespace
}  // namespace medtrail::node
