// What a member node sends on a peer link (node/src/core/peer_frames.h, node/src/peer/
// frame_codec.h): the hello a dialer opens with, a frame's length header, and a frame's body —
// a Raft message, a forwarded proposal or a checkpoint signature. The first byte says which.
// What decodes must encode to a frame that decodes to the same thing.
#include <cstring>

#include "core/peer_frames.h"
#include "fuzz_check.h"
#include "peer/frame_codec.h"

using namespace medtrail;

namespace {

constexpr uint64_t kMaxMessageBytes = 1 << 20;

void hello(std::string_view payload) {
  auto id = node::peer::decode_hello(payload);
  if (!id) return;
  auto again = node::peer::encode_hello(*id);
  fuzz::check(again.has_value() && *again == payload, "a decoded hello encodes to the same bytes");
}

void length_header(std::string_view bytes) {
  if (bytes.size() < node::peer::kFrameHeaderSize) return;
  node::peer::FrameHeader header;
  std::memcpy(header.data(), bytes.data(), header.size());
  const uint32_t length = node::peer::decode_frame_length(header);
  fuzz::check(node::peer::encode_frame_header(length) == header, "a length header round-trips");
  if (node::peer::frame_length_ok(length, kMaxMessageBytes)) {
    fuzz::check(length >= 1 && length <= kMaxMessageBytes, "an accepted length is within 1..max");
  }
}

// The frame the sender would have written for `frame`, decoded again.
std::string encode(const node::PeerFrame& frame) {
  if (auto* m = std::get_if<consensus::Message>(&frame)) return node::raft_frame(*m);
  if (auto* p = std::get_if<ledger::Proposal>(&frame)) return node::forward_frame(*p);
  return node::checkpoint_frame(std::get<ledger::SignedCheckpoint>(frame));
}

void body(std::string_view bytes) {
  auto frame = node::decode_peer_frame(bytes, kMaxMessageBytes);
  if (!frame.ok()) {
    fuzz::check(frame.status().code() == "malformed", "every refusal is `malformed`");
    return;
  }
  auto again = node::decode_peer_frame(encode(*frame), kMaxMessageBytes);
  fuzz::check(again.ok() && *again == *frame, "decode(encode(frame)) == frame");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      hello(bytes);
      break;
    case 1:
      length_header(bytes);
      break;
    default:
      body(bytes);
      break;
  }
  return 0;
}
