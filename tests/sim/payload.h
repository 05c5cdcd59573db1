#pragma once
// Client operations as Raft entry data: "a:<value>:" followed by padding, so entries vary in
// size (batching and snapshot chunking get exercised). Values are unique across a run.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::sim {

std::string encode_append(uint64_t value, size_t padding);
// The appended value, or nullopt for entries that are not client appends (leader no-ops).
std::optional<uint64_t> decode_append(std::string_view data);

}  // namespace medtrail::sim
