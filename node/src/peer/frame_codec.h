#pragma once
// Wire format of peer links: every frame is a 4-byte big-endian length then that many bytes.
// The first frame a dialer sends is a hello naming itself.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::node::peer {

inline constexpr size_t kFrameHeaderSize = 4;
using FrameHeader = std::array<uint8_t, kFrameHeaderSize>;

// Hello payload: kHelloMagic (versioned, NUL-terminated so no id can extend it) + node id.
inline constexpr std::string_view kHelloMagic{"medtrail-peer/1\0", 16};
inline constexpr size_t kMaxNodeIdBytes = 64;
inline constexpr size_t kMaxHelloBytes = kHelloMagic.size() + kMaxNodeIdBytes;

FrameHeader encode_frame_header(uint32_t length);
uint32_t decode_frame_length(const FrameHeader& header);
// A length the receiver accepts: 1..max_frame_bytes. Zero is refused because no message is
// empty, so a zero length means a peer out of step with the framing.
bool frame_length_ok(uint64_t length, uint64_t max_frame_bytes);

// Empty when `node_id` cannot be named in a hello (empty, longer than 64 bytes, or has NUL).
std::optional<std::string> encode_hello(std::string_view node_id);
// The node id in a hello payload, or empty if `payload` is not a well-formed hello.
std::optional<std::string> decode_hello(std::string_view payload);

}  // namespace medtrail::node::peer
