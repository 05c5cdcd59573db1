#include "medtrail/ledger/tlog_tiles.h"

#include "medtrail/ledger/decimal.h"

#include <algorithm>

namespace medtrail::ledger {
namespace {

Status bad_path(const std::string& why) { return Status::error("bad_tile_path", "not a tile path: " + why); }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal without leading zeros, at most `max`.
bool parse_small(std::string_view s, uint64_t max, uint64_t& out) {
  const std::optional<uint64_t> n = parse_decimal(s);
  if (!n || *n > max) return false;
  out = *n;
  return true;
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

// Multiplies with overflow detection.
bool mul(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

}  // namespace

Result<TileId> parse_tile_path(std::string_view path) {
  std::vector<std::string_view> parts = split(path);
  if (parts.size() < 2) return bad_path("\"<L>/<N>\" or \"entries/<N>\"");
  TileId tile;
  if (parts[0] == "entries") {
    tile.entries = true;
  } else {
    uint64_t level = 0;
    if (!parse_small(parts[0], 63, level)) return bad_path("the level is a decimal 0..63");
    tile.level = static_cast<uint8_t>(level);
  }
  // A partial tile ends in "<nnn>.p/<W>".
  size_t index_end = parts.size();
  if (parts.size() >= 3 && parts.back().find('.') == std::string_view::npos &&
      parts[parts.size() - 2].size() == 5 && parts[parts.size() - 2].substr(3) == ".p") {
    uint64_t width = 0;
    if (!parse_small(parts.back(), kTileWidth - 1, width) || width == 0) {
      return bad_path("a partial width is a decimal 1..255");
    }
    tile.width = static_cast<uint32_t>(width);
    parts[parts.size() - 2] = parts[parts.size() - 2].substr(0, 3);
    index_end = parts.size() - 1;
  }
  const size_t elements = index_end - 1;
  if (elements == 0 || elements > 7) return bad_path("an index has 1 to 7 elements");
  uint64_t index = 0;
  for (size_t i = 1; i < index_end; ++i) {
    std::string_view element = parts[i];
    const bool last = i + 1 == index_end;
    if (!last) {
      if (element.size() != 4 || element[0] != 'x') return bad_path("an index element but the last is \"x<nnn>\"");
      element.remove_prefix(1);
    }
    if (element.size() != 3 || !all_digits(element)) return bad_path("an index element is three digits");
    // The one spelling: no leading all-zero element.
    if (i == 1 && element == "000" && !last) return bad_path("an index has no leading zero element");
    uint64_t digits = static_cast<uint64_t>((element[0] - '0') * 100 + (element[1] - '0') * 10 + (element[2] - '0'));
    if (!mul(index, 1000, index) || __builtin_add_overflow(index, digits, &index)) {
      return bad_path("the index is too large");
    }
  }
  tile.index = index;
  return tile;
}

std::string tile_path(const TileId& tile) {
  std::string out = tile.entries ? "tile/entries/" : "tile/" + std::to_string(tile.level) + "/";
  std::vector<std::string> elements;
  uint64_t n = tile.index;
  do {
    std::string e = std::to_string(n % 1000);
    elements.push_back(std::string(3 - e.size(), '0') + e);
    n /= 1000;
  } while (n > 0);
  for (size_t i = elements.size(); i-- > 0;) {
    if (i > 0) out += 'x';
    out += elements[i];
    if (i > 0) out += '/';
  }
  if (tile.width < kTileWidth) out += ".p/" + std::to_string(tile.width);
  return out;
}

std::optional<uint64_t> tile_tree_size(const TileId& tile) {
  uint64_t hashes = 0;
  if (!mul(tile.index, kTileWidth, hashes) || __builtin_add_overflow(hashes, tile.width, &hashes)) {
    return std::nullopt;
  }
  uint64_t size = hashes;
  for (uint32_t l = 0; l < tile.level; ++l) {
    if (!mul(size, kTileWidth, size)) return std::nullopt;
  }
  return size;
}

Result<Bytes> read_hash_tile(const MerkleNodeReader& nodes, uint64_t tree_size, const TileId& tile) {
  auto needed = tile_tree_size(tile);
  if (tile.entries || !needed || *needed > tree_size) {
    return Status::error("not_found", "the log holds no " + tile_path(tile) + " yet");
  }
  Bytes out;
  out.reserve(size_t{tile.width} * kHashSize);
  const uint8_t tree_level = static_cast<uint8_t>(tile.level * kTileHeight);
  for (uint32_t i = 0; i < tile.width; ++i) {
    auto hash = nodes.get_node(MerkleNodeId{tree_level, tile.index * kTileWidth + i});
    if (!hash.ok()) return hash.status();
    out.insert(out.end(), hash->begin(), hash->end());
  }
  return out;
}

Result<Bytes> encode_entry_bundle(const std::vector<Bytes>& entries) {
  Bytes out;
  for (const Bytes& entry : entries) {
    if (entry.size() > kMaxTileEntryBytes) {
      return Status::error("entry_too_large", "an entry of " + std::to_string(entry.size()) +
                                                  " bytes does not fit an entry bundle");
    }
    out.push_back(static_cast<uint8_t>(entry.size() >> 8));
    out.push_back(static_cast<uint8_t>(entry.size()));
    out.insert(out.end(), entry.begin(), entry.end());
  }
  return out;
}

}  // namespace medtrail::ledger
