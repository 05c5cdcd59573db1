#pragma once
// Wire encoding of Raft messages (cereal portable binary with bounded lengths). The decoder
// refuses anything malformed or over its limits with an error: a malicious peer must never
// crash a node or make it allocate without bound.

#include <string>
#include <string_view>

#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::consensus {

struct CodecLimits {
  uint64_t max_message_bytes = 64ull << 20;  // whole encoded message
  uint64_t max_entries = 100'000;
  uint64_t max_entry_bytes = 16ull << 20;
  uint64_t max_voters = 1000;
};

std::string encode_message(const Message& message);
// Errors: `malformed` (cannot be decoded, trailing bytes, unknown enum values), `too_large`.
Result<Message> decode_message(std::string_view bytes, const CodecLimits& limits = {});

// Entries as stored by the storage implementations; encode_entry appends a CRC-32C of the
// bytes so torn or flipped stored entries are detected (`corruption`).
std::string encode_entry(const Entry& entry);
Result<Entry> decode_entry(std::string_view bytes);

}  // namespace medtrail::consensus
