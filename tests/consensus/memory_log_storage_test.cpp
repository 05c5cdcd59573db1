#include <gtest/gtest.h>

#include "consensus/log_storage_env.h"

namespace medtrail::consensus {
namespace {

using storage_testing::make_entries;
using storage_testing::read_all;

TEST(MemoryLogStorageTest, CrashLosesUnsyncedWritesButKeepsSyncedOnes) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.append(make_entries(1, 5, 1)).ok());
  ASSERT_TRUE(s.set_hard_state(HardState{1, 2, 3}).ok());
  ASSERT_TRUE(s.sync().ok());
  EXPECT_FALSE(s.has_unsynced_writes());
  ASSERT_TRUE(s.append(make_entries(4, 8, 2)).ok());
  ASSERT_TRUE(s.set_hard_state(HardState{2, 1, 5}).ok());
  ASSERT_TRUE(s.create_snapshot(5, {}, "img").ok());
  EXPECT_TRUE(s.has_unsynced_writes());
  s.crash();
  EXPECT_EQ(s.first_index(), 1u);
  EXPECT_EQ(read_all(s), make_entries(1, 5, 1));
  EXPECT_EQ(s.initial_state()->hard_state, (HardState{1, 2, 3}));
  EXPECT_EQ(s.snapshot()->meta.index, 0u);
}

TEST(MemoryLogStorageTest, CrashAfterApplySnapshotRestoresTheOldLog) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.append(make_entries(1, 5, 1)).ok());
  ASSERT_TRUE(s.sync().ok());
  ASSERT_TRUE(s.apply_snapshot(Snapshot{SnapshotMeta{9, 2, {}}, "x"}).ok());
  s.crash();
  EXPECT_EQ(read_all(s), make_entries(1, 5, 1));
  EXPECT_EQ(s.snapshot()->meta.index, 0u);
}

TEST(MemoryLogStorageTest, CorruptionPersistsAcrossCrash) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.append(make_entries(1, 3, 1)).ok());
  ASSERT_TRUE(s.sync().ok());
  ASSERT_TRUE(s.corrupt_entry(2).ok());
  s.crash();
  EXPECT_EQ(s.term(2).status().code(), "corruption");
  EXPECT_EQ(s.corrupt_entry(4).code(), "unavailable");
}

// sync() copies only what changed; a naive model copying everything must agree with it after
// any sequence of writes, syncs and crashes.
TEST(MemoryLogStorageTest, IncrementalSyncMatchesAFullCopyModel) {
  struct Model {
    std::vector<Entry> log;  // entries after the snapshot
    SnapshotMeta meta;
    HardState hs;
  };
  MemoryLogStorage s;
  Model live, durable;
  uint64_t state = 12345;
  auto next = [&state](uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  for (int step = 0; step < 3000; ++step) {
    Index first = live.meta.index + 1;
    Index last = live.meta.index + live.log.size();
    switch (next(6)) {
      case 0:
      case 1: {  // append, possibly overwriting a suffix
        Index lo = first + next(last - first + 2);
        auto es = make_entries(lo, lo + next(5), step, 1 + next(3));
        ASSERT_TRUE(s.append(es).ok());
        live.log.resize(lo - first);
        live.log.insert(live.log.end(), es.begin(), es.end());
        break;
      }
      case 2:
        if (last >= first && next(3) == 0) {
          Index at = first + next(last - first + 1);
          ASSERT_TRUE(s.create_snapshot(at, {}, "").ok());
          live.meta = SnapshotMeta{at, live.log[at - first].term, {}};
          live.log.erase(live.log.begin(), live.log.begin() + (at - first + 1));
        } else if (next(4) == 0) {
          Index at = last + 1 + next(3);
          ASSERT_TRUE(s.apply_snapshot(Snapshot{SnapshotMeta{at, 1000, {}}, ""}).ok());
          live.meta = SnapshotMeta{at, 1000, {}};
          live.log.clear();
        }
        break;
      case 3:
        live.hs = HardState{static_cast<Term>(step), 0, 0};
        ASSERT_TRUE(s.set_hard_state(live.hs).ok());
        break;
      case 4:
        ASSERT_TRUE(s.sync().ok());
        durable = live;
        break;
      case 5:
        if (next(3) == 0) {
          s.crash();
          live = durable;
        }
        break;
    }
    ASSERT_EQ(s.first_index(), live.meta.index + 1) << step;
    ASSERT_EQ(read_all(s), live.log) << step;
    ASSERT_EQ(*s.term(live.meta.index), live.meta.term) << step;
    ASSERT_EQ(s.initial_state()->hard_state, live.hs) << step;
  }
}

}  // namespace
}  // namespace medtrail::consensus
