// ConfChange as entry data: version byte, type byte, node id (8 bytes little-endian), context
// length (4 bytes little-endian), context. Bounded and exact: anything else is `malformed`.

#include "medtrail/consensus/raft.h"

namespace medtrail::consensus {

namespace {
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderBytes = 1 + 1 + 8 + 4;
constexpr uint32_t kMaxContextBytes = 1 << 20;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const std::string& in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[pos + i])} << (8 * i);
  return v;
}
}  // namespace

std::string encode_conf_change(const ConfChange& change) {
  std::string out;
  out.reserve(kHeaderBytes + change.context.size());
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(change.type));
  put_le(out, change.node, 8);
  put_le(out, change.context.size(), 4);
  out += change.context;
  return out;
}

Result<ConfChange> decode_conf_change(const std::string& data) {
  if (data.size() < kHeaderBytes || static_cast<uint8_t>(data[0]) != kVersion) {
    return Status::error("malformed", "conf change: bad header");
  }
  uint8_t type = static_cast<uint8_t>(data[1]);
  if (type > static_cast<uint8_t>(ConfChangeType::kRemoveNode)) {
    return Status::error("malformed", "conf change: unknown type");
  }
  uint64_t length = get_le(data, 10, 4);
  if (length > kMaxContextBytes || data.size() != kHeaderBytes + length) {
    return Status::error("malformed", "conf change: bad context length");
  }
  ConfChange change;
  change.type = static_cast<ConfChangeType>(type);
  change.node = get_le(data, 2, 8);
  change.context = data.substr(kHeaderBytes);
  return change;
}

}  // namespace medtrail::consensus
