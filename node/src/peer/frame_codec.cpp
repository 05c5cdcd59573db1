#include "peer/frame_codec.h"

namespace medtrail::node::peer {
namespace {

bool valid_node_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxNodeIdBytes && id.find('\0') == std::string_view::npos;
}

}  // namespace

FrameHeader encode_frame_header(uint32_t length) {
  return {static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
          static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
}

uint32_t decode_frame_length(const FrameHeader& header) {
  return uint32_t{header[0]} << 24 | uint32_t{header[1]} << 16 | uint32_t{header[2]} << 8 |
         uint32_t{header[3]};
}

bool frame_length_ok(uint64_t length, uint64_t max_frame_bytes) {
  return length > 0 && length <= max_frame_bytes && length <= UINT32_MAX;
}

std::optional<std::string> encode_hello(std::string_view node_id) {
  if (!valid_node_id(node_id)) return std::nullopt;
  std::string hello(kHelloMagic);
  hello.append(node_id);
  return hello;
}

std::optional<std::string> decode_hello(std::string_view payload) {
  if (payload.size() <= kHelloMagic.size() ||
      payload.substr(0, kHelloMagic.size()) != kHelloMagic) {
    return std::nullopt;
  }
  std::string_view id = payload.substr(kHelloMagic.size());
  if (!valid_node_id(id)) return std::nullopt;
  return std::string(id);
}

}  // namespace medtrail::node::peer
