#pragma once
// The log in the C2SP tlog-tiles layout (c2sp.org/tlog-tiles): hash tiles and entry bundles,
// read from the stored perfect subtrees of the Merkle log (merkle_log.h), which already holds
// every hash a tile lists. The n-th tile of level l lists, for i in 0..255, the hash of the
// perfect subtree at tree level 8·l with index n·256 + i; a partial tile lists the first W.
//
// Tile paths (after "tile/"): "<L>/<N>[.p/<W>]" and "entries/<N>[.p/<W>]", N in zero-padded
// 3-digit elements, all but the last prefixed with "x" (1234067 is "x001/x234/067").
// Parsing accepts only that one spelling of an index.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/merkle_log.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr uint32_t kTileWidth = 256;  // hashes per full tile, entries per full bundle
inline constexpr uint32_t kTileHeight = 8;   // tree levels a tile spans
// An entry bundle prefixes each entry with a big-endian uint16 length.
inline constexpr size_t kMaxTileEntryBytes = 65535;

struct TileId {
  bool entries = false;  // an entry bundle rather than a hash tile
  uint8_t level = 0;     // 0..63 (always 0 for an entry bundle)
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // 1..256; below 256 a partial tile
  bool operator==(const TileId&) const = default;
};

// Errors: `bad_tile_path` for anything but the one spelling.
Result<TileId> parse_tile_path(std::string_view path);
// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
std::string tile_path(const TileId& tile);

// The tree size a tile needs: (index·256 + width)·256^level leaves; nullopt when it exceeds
// 2^64 - 1 (no tree holds it).
std::optional<uint64_t> tile_tree_size(const TileId& tile);

// The hash tile of a log of `tree_size` leaves: width × 32 bytes. Errors: `not_found` when
// the tree is too small to hold it, or the reader's error.
Result<Bytes> read_hash_tile(const MerkleNodeReader& nodes, uint64_t tree_size, const TileId& tile);

// The entry bundle of `entries` (each at most kMaxTileEntryBytes): length-prefixed, in order.
// Errors: `entry_too_large`.
Result<Bytes> encode_entry_bundle(const std::vector<Bytes>& entries);

}  // namespace medtrail::ledger
