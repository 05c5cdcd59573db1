#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum iSCSI, ext4 and
// RocksDB use: it guards every stored Raft entry against torn writes and flipped bits.

#include <cstdint>
#include <string_view>

namespace medtrail::consensus {

// Extends `crc` (the value returned for the bytes so far; 0 to start) over `data`.
uint32_t crc32c_extend(uint32_t crc, std::string_view data);

inline uint32_t crc32c(std::string_view data) { return crc32c_extend(0, data); }

}  // namespace medtrail::consensus
