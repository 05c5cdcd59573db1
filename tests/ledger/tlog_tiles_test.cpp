#include "medtrail/ledger/tlog_tiles.h"

#include <gtest/gtest.h>

#include <vector>

#include "ledger/merkle_test_util.h"
#include "medtrail/ledger/merkle.h"

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

Hash leaf_hash_of(uint64_t i) { return numbered_leaf_hash(suite(), i); }

TileId parsed(std::string_view path) {
  auto tile = parse_tile_path(path);
  EXPECT_TRUE(tile.ok()) << path << ": " << tile.status().message();
  return tile.ok() ? *tile : TileId{};
}

TEST(TlogTilePathTest, IndexesAreThreeDigitElementsPrefixedWithXButTheLast) {
  EXPECT_EQ(parsed("0/x001/x234/067"), (TileId{false, 0, 1234067, 256}));
  EXPECT_EQ(parsed("2/000"), (TileId{false, 2, 0, 256}));
  EXPECT_EQ(parsed("1/x001/000.p/17"), (TileId{false, 1, 1000, 17}));
  EXPECT_EQ(parsed("entries/273.p/112"), (TileId{true, 0, 273, 112}));
  EXPECT_EQ(parsed("63/999"), (TileId{false, 63, 999, 256}));
  EXPECT_EQ(tile_path(TileId{false, 0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(tile_path(TileId{true, 0, 5, 1}), "tile/entries/005.p/1");
  EXPECT_EQ(tile_path(TileId{false, 3, 1000000, 255}), "tile/3/x001/x000/000.p/255");
  for (uint64_t index : {uint64_t{0}, uint64_t{999}, uint64_t{1000}, uint64_t{72057594037927935}}) {
    TileId tile{false, 1, index, 9};
    EXPECT_EQ(parsed(tile_path(tile).substr(5)), tile) << index;
  }
}

TEST(TlogTilePathTest, EveryOtherSpellingIsRefused) {
  for (std::string_view bad :
       {"", "0", "entries", "0/", "0/1234", "0/67", "0/0067", "0/x01/234", "0/001/234", "0/x000/005",
        "00/000", "64/000", "-1/000", "a/000", "0/abc", "0/000/", "0/000.p", "0/000.p/", "0/000.p/0",
        "0/000.p/256", "0/000.p/05", "0/000.q/5", "0/x001/x002/x003/x004/x005/x006/x007/008",
        "0/x999/x999/x999/x999/x999/x999/999", "entries/x/000", "0/000.p/5/6", "tile/0/000"}) {
    auto tile = parse_tile_path(bad);
    ASSERT_FALSE(tile.ok()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(tile.status().code(), "bad_tile_path") << bad;
  }
}

// The tlog-tiles example: a tree of 70,000 leaves has 273 full level-0 tiles and a partial one
// of width 112, one full level-1 tile and a partial one of width 17, a partial level-2 tile of
// width 1 — and each hash is MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]).
TEST(TlogTilesTest, TilesOfA70000LeafTreeMatchTheSpecification) {
  constexpr uint64_t kSize = 70000;
  std::vector<Hash> leaves;
  InMemoryMerkleNodes nodes;
  MerkleLog log(suite());
  for (uint64_t i = 0; i < kSize; ++i) {
    leaves.push_back(leaf_hash_of(i));
    append_and_store(log, nodes, leaves.back());
  }
  auto expect_tile = [&](uint8_t level, uint64_t index, uint32_t width) {
    auto tile = read_hash_tile(nodes, kSize, TileId{false, level, index, width});
    ASSERT_TRUE(tile.ok()) << int(level) << "/" << index << " w" << width << ": " << tile.status().message();
    ASSERT_EQ(tile->size(), size_t{width} * kHashSize);
    uint64_t span = 1;
    for (uint8_t l = 0; l < level; ++l) span *= 256;
    for (uint32_t i = 0; i < width; ++i) {
      uint64_t first = (index * 256 + i) * span;
      std::vector<Hash> range(leaves.begin() + static_cast<ptrdiff_t>(first),
                              leaves.begin() + static_cast<ptrdiff_t>(first + span));
      Hash expected = merkle_root_of(suite(), range);
      ASSERT_TRUE(std::equal(expected.begin(), expected.end(), tile->begin() + i * kHashSize))
          << "hash " << i << " of tile " << int(level) << "/" << index;
    }
  };
  expect_tile(0, 0, 256);
  expect_tile(0, 272, 256);
  expect_tile(0, 273, 112);
  expect_tile(0, 273, 1);
  expect_tile(1, 0, 256);
  expect_tile(1, 1, 17);
  expect_tile(2, 0, 1);

  auto expect_missing = [&](uint8_t level, uint64_t index, uint32_t width) {
    auto tile = read_hash_tile(nodes, kSize, TileId{false, level, index, width});
    ASSERT_FALSE(tile.ok()) << int(level) << "/" << index << " w" << width;
    EXPECT_EQ(tile.status().code(), "not_found");
  };
  expect_missing(0, 273, 256);
  expect_missing(0, 273, 113);
  expect_missing(0, 274, 1);
  expect_missing(1, 1, 18);
  expect_missing(2, 0, 2);
  expect_missing(3, 0, 1);
  expect_missing(63, 0, 1);
  expect_missing(0, 72057594037927935, 256);  // (index·256 + width) overflows 64 bits
  // Tiles of a smaller tree the log once was are the same hashes: tiles are immutable.
  auto early = read_hash_tile(nodes, 256, TileId{false, 0, 0, 256});
  auto late = read_hash_tile(nodes, kSize, TileId{false, 0, 0, 256});
  ASSERT_TRUE(early.ok() && late.ok());
  EXPECT_EQ(*early, *late);
  EXPECT_FALSE(read_hash_tile(nodes, 255, TileId{false, 0, 0, 256}).ok());
}

TEST(TlogTilesTest, EntryBundlesPrefixEachEntryWithItsBigEndianLength) {
  auto bundle = encode_entry_bundle({Bytes{0x61}, Bytes{}, Bytes(300, 0x7a)});
  ASSERT_TRUE(bundle.ok());
  Bytes expected = {0x00, 0x01, 0x61, 0x00, 0x00, 0x01, 0x2c};
  expected.insert(expected.end(), 300, 0x7a);
  EXPECT_EQ(*bundle, expected);
  EXPECT_TRUE(encode_entry_bundle({Bytes(kMaxTileEntryBytes, 1)}).ok());
  auto too_large = encode_entry_bundle({Bytes{1}, Bytes(kMaxTileEntryBytes + 1, 1)});
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.status().code(), "entry_too_large");
}

}  // namespace
}  // namespace medtrail::ledger
