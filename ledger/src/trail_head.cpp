#include "medtrail/ledger/trail_head.h"

#include <algorithm>

namespace medtrail::ledger {

namespace {

constexpr std::string_view kDomain = "medtrail-trail-head-v1";

}  // namespace

std::string trail_head_key(std::string_view subject) {
  std::string key(kTrailHeadPrefix);
  key += subject;
  return key;
}

std::string trail_entry_prefix(std::string_view subject) {
  std::string key = "ix/";
  key += subject;
  key.push_back('\0');
  return key;
}

std::string trail_entry_key(std::string_view subject, uint64_t leaf_index) {
  std::string key = trail_entry_prefix(subject);
  append_be64(key, leaf_index);
  return key;
}

TrailHead next_trail_head(const CryptoSuite& suite, const TrailHead& head, uint64_t leaf_index) {
  Bytes leaf;
  append_be64(leaf, leaf_index);
  return {head.count + 1, suite.hash_parts({as_bytes(kDomain), ByteView(head.chain), leaf})};
}

std::string encode_trail_head(const TrailHead& head) {
  std::string out;
  out.reserve(kTrailHeadBytes);
  append_be64(out, head.count);
  out.append(head.chain.begin(), head.chain.end());
  return out;
}

Result<TrailHead> decode_trail_head(std::string_view bytes) {
  if (bytes.size() != kTrailHeadBytes) {
    return Status::error("bad_trail_head", "a trail head is a count and a chain hash, " +
                                               std::to_string(kTrailHeadBytes) + " bytes");
  }
  TrailHead head;
  head.count = read_be64(reinterpret_cast<const uint8_t*>(bytes.data()));
  std::copy(bytes.begin() + 8, bytes.end(), head.chain.begin());
  return head;
}

}  // namespace medtrail::ledger
