#pragma once
// The search index (docs/audit.md, "Searches"): entries in the store's `index` column family
// that list leaves by what an audit search filters on, so that a search across the whole chain
// reads the entries of its answer, never the blocks. It is derived from the leaves alone and kept
// per node: never in the state family (no header hashes it), never in a ledger image (an
// installed image is re-indexed from its leaves).
//
//   'k' || kind  || 0x00 || leaf(be64)   every leaf whose payload's kind is `kind`
//   'K' || kind  || 0x00 || leaf(be64)   the rejected ones among them
//   'x' ||                  leaf(be64)   every rejected leaf
//   'o' || org   || 0x00 || leaf(be64)   every leaf whose payload's organisation is `org`
//   'a' || actor || 0x00 || leaf(be64)   every leaf signed by `actor`
//
// Values are empty. Kinds, organisation and identity ids never hold 0x00 (envelope.h), so a
// prefix names exactly one list, and a list's keys sort in chain order. A leaf whose payload does
// not parse is listed under 'x' only (such a record is always refused).
//
// The meta key kSearchIndexMetaKey holds how many leaves, from the first, the index covers
// (be64), written in the same batch as their entries: ChainStore::append_block indexes each
// block's leaves in the block's own batch, and a store whose index lags its leaves (older data,
// an installed image, appends by a tool that does not index) is caught up when it is opened for
// writing, in resumable steps.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/chain_store.h"

namespace medtrail::ledger {

enum class SearchList : char {
  kKind = 'k',
  kRejectedKind = 'K',
  kRejected = 'x',
  kOrg = 'o',
  kActor = 'a',
};

inline constexpr std::string_view kSearchIndexMetaKey = "search_index_leaves";

// The key prefix of one list: `value` is the kind, organisation or actor (ignored for kRejected).
std::string search_prefix(SearchList list, std::string_view value = {});

// Appends to `out` every key that lists the leaf at `leaf_index` holding `envelope`.
void search_keys(const Envelope& envelope, bool accepted, uint64_t leaf_index, std::vector<std::string>& out);
// The same from the payload's fields already parsed (null: the payload did not parse).
void search_keys(const PayloadFields* fields, bool accepted, uint64_t leaf_index, std::vector<std::string>& out);

// Indexes the leaves the search index does not cover yet, a bounded batch at a time (each with
// its new coverage), reporting (done, total) after each. For ChainStore's open and reload.
Status catch_up_search_index(ChainStore& store,
                             const std::function<void(uint64_t done, uint64_t total)>& progress);

struct LeafList {
  std::vector<uint64_t> leaves;  // in chain order
  bool truncated = false;        // more entries follow below `end`
};

// The leaves listed in `cf` under `prefix` (keys prefix || leaf(be64)) that lie in
// [first, end), at most `max` of them. Serves the search lists above and the contracts' subject
// index ("ix/<subject>\0" in the state family) alike. Errors: `io_error`.
Result<LeafList> listed_leaves(const ChainStore& store, ColumnFamily cf, std::string_view prefix, uint64_t first,
                               uint64_t end, size_t max);

// The first leaf of the first block whose time is at or after `time_ms`, by binary search over
// the headers (block times never decrease); nullopt when every block so far is earlier, so that
// the leaves of blocks still to come would be later. O(log height) header reads.
Result<std::optional<uint64_t>> first_leaf_at_or_after(const ChainStore& store, uint64_t time_ms);

}  // namespace medtrail::ledger
