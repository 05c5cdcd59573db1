#pragma once
// Private: how RocksDbLogStorage stores its state records. Each is a versioned wire encoding
// sealed with a CRC-32C; a damaged record decodes to `corruption`, never to a wrong value.

#include <string>
#include <string_view>

#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::consensus {

std::string encode_hard_state(const HardState& state);
Result<HardState> decode_hard_state(std::string_view bytes);

std::string encode_snapshot_meta(const SnapshotMeta& meta);
Result<SnapshotMeta> decode_snapshot_meta(std::string_view bytes);

std::string encode_index(Index index);
Result<Index> decode_index(std::string_view bytes);

// Opaque bytes (the snapshot image) with only a checksum appended.
std::string seal_blob(std::string data);
Result<std::string> unseal_blob(std::string_view bytes);

}  // namespace medtrail::consensus
