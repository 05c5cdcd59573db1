// The LogStorage specification, run against both implementations; what only one of them does
// (crash simulation, damage to RocksDB's state records) is in its own test file.

#include <gtest/gtest.h>

#include "consensus/log_storage_env.h"

namespace medtrail::consensus {
namespace {

using storage_testing::conf_entry;
using storage_testing::make_entries;
using storage_testing::read_all;

template <class Env>
class LogStorageTest : public ::testing::Test {
 protected:
  Env env_;
  LogStorage& s() { return env_.storage(); }
};

struct EnvNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Implementations = ::testing::Types<storage_testing::MemoryEnv, storage_testing::RocksEnv>;
TYPED_TEST_SUITE(LogStorageTest, Implementations, EnvNames);

TYPED_TEST(LogStorageTest, StartsEmpty) {
  EXPECT_EQ(this->s().first_index(), 1u);
  EXPECT_EQ(this->s().last_index(), 0u);
  EXPECT_EQ(*this->s().term(0), 0u);
  EXPECT_EQ(this->s().term(1).status().code(), "unavailable");
  auto init = this->s().initial_state();
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(init->hard_state, HardState{});
  EXPECT_EQ(init->conf_state, ConfState{});
}

TYPED_TEST(LogStorageTest, AppendedEntriesReadBack) {
  auto entries = make_entries(1, 5, 2);
  ASSERT_TRUE(this->s().append(entries).ok());
  EXPECT_EQ(this->s().first_index(), 1u);
  EXPECT_EQ(this->s().last_index(), 5u);
  EXPECT_EQ(read_all(this->s()), entries);
  auto middle = this->s().entries(2, 4, UINT64_MAX);
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(*middle, std::vector<Entry>(entries.begin() + 1, entries.begin() + 3));
  for (Index i = 1; i <= 5; ++i) EXPECT_EQ(*this->s().term(i), 2u);
  EXPECT_TRUE(this->s().entries(3, 3, 0)->empty());
}

TYPED_TEST(LogStorageTest, EntriesStopAtMaxBytesButReturnAtLeastOne) {
  ASSERT_TRUE(this->s().append(make_entries(1, 10, 1, 100)).ok());
  EXPECT_EQ(this->s().entries(1, 11, 0)->size(), 1u);
  EXPECT_EQ(this->s().entries(1, 11, 250)->size(), 2u);
  EXPECT_EQ(this->s().entries(1, 11, 300)->size(), 3u);
  EXPECT_EQ(this->s().entries(1, 11, 10'000)->size(), 10u);
}

TYPED_TEST(LogStorageTest, ReadsOutsideTheLogAreCompactedOrUnavailable) {
  ASSERT_TRUE(this->s().append(make_entries(1, 5, 1)).ok());
  EXPECT_EQ(this->s().entries(0, 3, UINT64_MAX).status().code(), "compacted");
  EXPECT_EQ(this->s().entries(1, 7, UINT64_MAX).status().code(), "unavailable");
  EXPECT_EQ(this->s().term(6).status().code(), "unavailable");
}

TYPED_TEST(LogStorageTest, ConflictingSuffixIsReplaced) {
  ASSERT_TRUE(this->s().append(make_entries(1, 5, 1)).ok());
  ASSERT_TRUE(this->s().append(make_entries(3, 4, 2)).ok());
  EXPECT_EQ(this->s().last_index(), 4u);
  EXPECT_EQ(*this->s().term(2), 1u);
  EXPECT_EQ(*this->s().term(3), 2u);
  EXPECT_EQ(this->s().term(5).status().code(), "unavailable");
  auto expected = make_entries(1, 2, 1);
  for (const Entry& e : make_entries(3, 4, 2)) expected.push_back(e);
  EXPECT_EQ(read_all(this->s()), expected);
}

TYPED_TEST(LogStorageTest, LongConflictingSuffixIsRemovedAcrossRestart) {
  ASSERT_TRUE(this->s().append(make_entries(1, 300, 1)).ok());
  ASSERT_TRUE(this->s().append(make_entries(10, 10, 2)).ok());
  ASSERT_TRUE(this->s().sync().ok());
  this->env_.restart();
  EXPECT_EQ(this->s().last_index(), 10u);
  EXPECT_EQ(*this->s().term(10), 2u);
  EXPECT_EQ(this->s().term(11).status().code(), "unavailable");
}

TYPED_TEST(LogStorageTest, AppendLeavingAGapOrOutOfOrderIsRefused) {
  ASSERT_TRUE(this->s().append(make_entries(1, 3, 1)).ok());
  EXPECT_FALSE(this->s().append(make_entries(5, 6, 1)).ok());
  EXPECT_FALSE(this->s().append({Entry{1, 4, EntryType::kNormal, ""},
                                 Entry{1, 6, EntryType::kNormal, ""}}).ok());
  EXPECT_EQ(this->s().last_index(), 3u);
}

TYPED_TEST(LogStorageTest, HardStateRoundTrips) {
  HardState hs{5, 3, 2};
  ASSERT_TRUE(this->s().set_hard_state(hs).ok());
  EXPECT_EQ(this->s().initial_state()->hard_state, hs);
  ASSERT_TRUE(this->s().sync().ok());
  this->env_.restart();
  EXPECT_EQ(this->s().initial_state()->hard_state, hs);
}

TYPED_TEST(LogStorageTest, CreateSnapshotCompactsTheLog) {
  ASSERT_TRUE(this->s().append(make_entries(1, 10, 3)).ok());
  ConfState conf{{1, 2, 3}, {}};
  ASSERT_TRUE(this->s().create_snapshot(5, conf, "image").ok());
  ASSERT_TRUE(this->s().compact(5).ok());
  EXPECT_EQ(this->s().first_index(), 6u);
  EXPECT_EQ(this->s().last_index(), 10u);
  EXPECT_EQ(*this->s().term(5), 3u);  // from the snapshot metadata
  EXPECT_EQ(this->s().term(4).status().code(), "compacted");
  EXPECT_EQ(this->s().entries(5, 7, UINT64_MAX).status().code(), "compacted");
  EXPECT_EQ(read_all(this->s()), make_entries(6, 10, 3));
  auto snap = this->s().snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->meta, (SnapshotMeta{5, 3, conf}));
  EXPECT_EQ(snap->data, "image");
}

TYPED_TEST(LogStorageTest, SnapshotsMayNotGoBackwardsOrPastTheLog) {
  ASSERT_TRUE(this->s().append(make_entries(1, 10, 1)).ok());
  ASSERT_TRUE(this->s().create_snapshot(5, {}, "").ok());
  EXPECT_EQ(this->s().create_snapshot(4, {}, "").code(), "compacted");
  EXPECT_EQ(this->s().create_snapshot(11, {}, "").code(), "unavailable");
  EXPECT_EQ(this->s().apply_snapshot(Snapshot{SnapshotMeta{5, 1, {}}, ""}).code(), "compacted");
  // Compacting past the snapshot would drop entries that no snapshot covers.
  EXPECT_FALSE(this->s().compact(7).ok());
  EXPECT_EQ(this->s().first_index(), 6u);
}

TYPED_TEST(LogStorageTest, ApplySnapshotReplacesTheLog) {
  ASSERT_TRUE(this->s().append(make_entries(1, 10, 1)).ok());
  Snapshot snap{SnapshotMeta{20, 3, ConfState{{1, 2}, {7}}}, "leader-image"};
  ASSERT_TRUE(this->s().apply_snapshot(snap).ok());
  EXPECT_EQ(this->s().first_index(), 21u);
  EXPECT_EQ(this->s().last_index(), 20u);
  EXPECT_EQ(*this->s().term(20), 3u);
  EXPECT_EQ(this->s().term(10).status().code(), "compacted");
  EXPECT_EQ(*this->s().snapshot(), snap);
  ASSERT_TRUE(this->s().append(make_entries(21, 22, 3)).ok());
  EXPECT_EQ(read_all(this->s()), make_entries(21, 22, 3));
  EXPECT_EQ(this->s().initial_state()->conf_state, snap.meta.conf);
}

TYPED_TEST(LogStorageTest, AppendSkipsEntriesAlreadyInTheSnapshot) {
  ASSERT_TRUE(this->s().append(make_entries(1, 10, 1)).ok());
  ASSERT_TRUE(this->s().create_snapshot(8, {}, "").ok());
  ASSERT_TRUE(this->s().append(make_entries(5, 12, 1)).ok());
  EXPECT_EQ(this->s().first_index(), 9u);
  EXPECT_EQ(read_all(this->s()), make_entries(9, 12, 1));
  ASSERT_TRUE(this->s().append(make_entries(2, 6, 1)).ok());  // wholly compacted: no-op
  EXPECT_EQ(this->s().last_index(), 12u);
}

TYPED_TEST(LogStorageTest, InitialConfStateAppliesCommittedConfChanges) {
  this->env_.set_initial_conf(ConfState{{1, 2, 3}, {}});
  std::vector<Entry> log = {conf_entry(1, 1, ConfChangeType::kAddLearner, 5),
                            Entry{1, 2, EntryType::kNormal, "x"},
                            conf_entry(1, 3, ConfChangeType::kAddVoter, 5),
                            conf_entry(1, 4, ConfChangeType::kRemoveNode, 2)};
  ASSERT_TRUE(this->s().append(log).ok());
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 2, 3}, {}}));
  ASSERT_TRUE(this->s().set_hard_state(HardState{1, 1, 1}).ok());
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 2, 3}, {5}}));
  ASSERT_TRUE(this->s().set_hard_state(HardState{1, 1, 3}).ok());
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 2, 3, 5}, {}}));
  ASSERT_TRUE(this->s().set_hard_state(HardState{1, 1, 4}).ok());
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 3, 5}, {}}));
  // A snapshot's configuration is the new base; later changes apply on top of it.
  ASSERT_TRUE(this->s().create_snapshot(3, ConfState{{1, 2, 3, 5}, {}}, "").ok());
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 3, 5}, {}}));
  ASSERT_TRUE(this->s().sync().ok());
  this->env_.restart();
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 3, 5}, {}}));
}

// RaftCore skips such entries when applying them; the replay must agree or a restarted node's
// configuration would differ from its peers'.
TYPED_TEST(LogStorageTest, UndecodableOrNodeZeroConfChangesAreSkipped) {
  this->env_.set_initial_conf(ConfState{{1}, {}});
  ASSERT_TRUE(this->s().append({Entry{1, 1, EntryType::kConfChange, "not a conf change"},
                                conf_entry(1, 2, ConfChangeType::kAddVoter, kNoNode),
                                conf_entry(1, 3, ConfChangeType::kAddVoter, 2)})
                  .ok());
  ASSERT_TRUE(this->s().set_hard_state(HardState{1, 1, 3}).ok());
  EXPECT_EQ(this->s().initial_state()->conf_state, (ConfState{{1, 2}, {}}));
}

TYPED_TEST(LogStorageTest, RestartRestoresEverythingSynced) {
  ASSERT_TRUE(this->s().append(make_entries(1, 20, 2)).ok());
  ASSERT_TRUE(this->s().create_snapshot(7, ConfState{{1}, {}}, "img").ok());
  ASSERT_TRUE(this->s().set_hard_state(HardState{2, 1, 15}).ok());
  ASSERT_TRUE(this->s().sync().ok());
  auto before = read_all(this->s());
  auto snapshot_before = *this->s().snapshot();
  this->env_.restart();
  EXPECT_EQ(this->s().first_index(), 8u);
  EXPECT_EQ(this->s().last_index(), 20u);
  EXPECT_EQ(read_all(this->s()), before);
  EXPECT_EQ(*this->s().snapshot(), snapshot_before);
  EXPECT_EQ(*this->s().term(7), 2u);
  EXPECT_EQ(this->s().initial_state()->hard_state, (HardState{2, 1, 15}));
}

TYPED_TEST(LogStorageTest, CorruptedEntryIsReportedNotReturned) {
  ASSERT_TRUE(this->s().append(make_entries(1, 5, 1)).ok());
  this->env_.corrupt(3);
  EXPECT_EQ(this->s().entries(1, 6, UINT64_MAX).status().code(), "corruption");
  EXPECT_EQ(this->s().entries(3, 4, UINT64_MAX).status().code(), "corruption");
  EXPECT_EQ(this->s().term(3).status().code(), "corruption");
  EXPECT_TRUE(this->s().entries(1, 3, UINT64_MAX).ok());
  EXPECT_TRUE(this->s().term(4).ok());
  // Overwriting the damaged entry repairs it, as a leader's AppendEntries would.
  ASSERT_TRUE(this->s().append(make_entries(3, 3, 2)).ok());
  EXPECT_EQ(*this->s().term(3), 2u);
}

TYPED_TEST(LogStorageTest, CorruptedCommittedConfChangeFailsInitialState) {
  ASSERT_TRUE(this->s().append({conf_entry(1, 1, ConfChangeType::kAddVoter, 4)}).ok());
  ASSERT_TRUE(this->s().set_hard_state(HardState{1, 0, 1}).ok());
  this->env_.corrupt(1);
  EXPECT_EQ(this->s().initial_state().status().code(), "corruption");
}

}  // namespace
}  // namespace medtrail::consensus
