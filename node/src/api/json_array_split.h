#pragma once
// Finds the byte range of each element of a top-level JSON array without building a DOM, so
// every element can be handed, exactly as received, to a strict parser of its own (a DOM
// round trip would silently merge duplicate keys and reorder fields).
#include <cstddef>
#include <string_view>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::node::api {

// Nesting deeper than this inside one element is refused: no envelope comes close.
inline constexpr size_t kMaxSplitDepth = 64;

// The elements of the array `text` (JSON whitespace around it allowed), each without its
// surrounding whitespace. Structure only: brackets, strings, separators; what an element holds
// is its own parser's business. Errors: `malformed_json` (not an array, unbalanced, an empty or
// trailing element, text after the array, too deep), `too_many_records` (more than
// `max_elements`; splitting stops there, so the work is bounded).
ledger::Result<std::vector<std::string_view>> split_json_array(std::string_view text,
                                                               size_t max_elements);

}  // namespace medtrail::node::api
