#include <gtest/gtest.h>

#include "consensus/log_storage_env.h"

namespace medtrail::consensus {
namespace {

using storage_testing::make_entries;
using storage_testing::read_all;
using storage_testing::RocksEnv;

// Damage to the state records is caught, at open or on read.
TEST(RocksDbLogStorageTest, DamagedHardStateFailsOpen) {
  RocksEnv env;
  ASSERT_TRUE(env.storage().set_hard_state(HardState{3, 1, 0}).ok());
  env.put_state("hard_state", "garbage");
  EXPECT_EQ(env.reopen_status().code(), "corruption");
}

TEST(RocksDbLogStorageTest, FirstIndexDisagreeingWithTheSnapshotFailsOpen) {
  RocksEnv env;
  ASSERT_TRUE(env.storage().append(make_entries(1, 5, 1)).ok());
  ASSERT_TRUE(env.storage().create_snapshot(3, {}, "").ok());
  ASSERT_TRUE(env.reopen_status().ok());
  env.put_state("first_index", "\x01");
  EXPECT_EQ(env.reopen_status().code(), "corruption");
}

TEST(RocksDbLogStorageTest, DamagedSnapshotDataIsCorruption) {
  RocksEnv env;
  ASSERT_TRUE(env.storage().append(make_entries(1, 5, 1)).ok());
  ASSERT_TRUE(env.storage().create_snapshot(3, {}, "image-bytes").ok());
  env.put_state("snapshot_data", "image-bytez\0\0\0\0");
  EXPECT_EQ(env.storage().snapshot().status().code(), "corruption");
}

}  // namespace
}  // namespace medtrail::consensus
