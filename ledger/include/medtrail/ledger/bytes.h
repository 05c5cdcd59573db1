#pragma once
// Byte containers and the text encodings fixed by the wire formats:
// lowercase hex for hashes and keys, standard padded base64 for payloads and signatures.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
// Both suites' hashes (SHA-256, SM3) are 32 bytes.
inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string to_hex(ByteView data);
// Accepts lower or upper case; error `bad_hex` on odd length or a non-hex character.
Result<Bytes> from_hex(std::string_view hex);
// Exactly 64 hex characters.
Result<Hash> hash_from_hex(std::string_view hex);
// Exactly 64 lowercase hex characters: the one spelling of a hash (a record id, a prescription
// id) that ids in paths and bodies must use, so one hash never has two names.
bool is_hash_hex(std::string_view text);
// Only the characters 0-9 and a-f (any length, empty included): the one spelling of bytes that
// names something (a key id, a nonce) so the same bytes never have two names.
bool is_lower_hex(std::string_view text);

std::string to_base64(ByteView data);
// Strict standard base64 with padding (RFC 4648 §4); error `bad_base64` otherwise.
Result<Bytes> from_base64(std::string_view text);

// True iff `s` is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool is_valid_utf8(std::string_view s);
// The longest prefix of `s` of at most `max_bytes` that does not split a UTF-8 character
// (for messages that quote client text and must stay valid UTF-8).
std::string_view utf8_prefix(std::string_view s, size_t max_bytes);

// Big-endian fixed-width integers, used in RocksDB keys so that byte order is numeric order.
void append_be64(Bytes& out, uint64_t v);
void append_be64(std::string& out, uint64_t v);
uint64_t read_be64(const uint8_t* p);

}  // namespace medtrail::ledger
