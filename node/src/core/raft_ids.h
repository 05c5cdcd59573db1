#pragma once
// Raft knows nodes by 64-bit ids; the consortium knows them by the names genesis gives. The id
// is derived from the name (SHA-256, first 8 bytes), so every node computes the same mapping
// without a registry, and a node added later needs nothing but its name.
#include <cstdint>
#include <string_view>

namespace medtrail::node {

// Never 0 (Raft's "no node").
uint64_t raft_id_of(std::string_view node_id);

}  // namespace medtrail::node
