#pragma once
// Private: cereal serialisation of ledger types, and bounded encode/decode helpers.
// Every encoding starts with a format version byte so that later formats can coexist.

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <exception>
#include <sstream>
#include <streambuf>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::ledger {

// Every variable-length field is read through these, with a bound: a damaged length prefix
// must not make the decoder allocate gigabytes. The layout is cereal's own (u64 length,
// then the bytes), so the encoding stays plain cereal portable binary.
inline constexpr uint64_t kMaxShortText = 256;
inline constexpr uint64_t kMaxReasonText = 4096;
inline constexpr uint64_t kMaxKeyOrSignature = 256;
inline constexpr uint64_t kMaxCheckpointsPerBlock = 1024;
inline constexpr uint64_t kMaxSignaturesPerCheckpoint = 1024;

template <class Archive>
uint64_t bounded_length(Archive& ar, uint64_t current, uint64_t max) {
  uint64_t n = current;
  ar(cereal::make_size_tag(n));
  if constexpr (Archive::is_loading::value) {
    if (n > max) throw cereal::Exception("length " + std::to_string(n) + " out of bounds");
  }
  return n;
}

template <class Archive, class Container>
void bounded_bytes(Archive& ar, Container& c, uint64_t max) {
  uint64_t n = bounded_length(ar, c.size(), max);
  if constexpr (Archive::is_loading::value) c.resize(n);
  ar(cereal::binary_data(c.data(), static_cast<std::size_t>(n)));
}

template <class Archive, class T>
void bounded_list(Archive& ar, std::vector<T>& items, uint64_t max) {
  uint64_t n = bounded_length(ar, items.size(), max);
  if constexpr (Archive::is_loading::value) {
    // Grown as items are read, not sized from the count: a few bytes claiming 100,000 items
    // must fail on the missing bytes before they cost 100,000 items of memory.
    items.clear();
    for (uint64_t i = 0; i < n; ++i) ar(items.emplace_back());
  } else {
    for (T& item : items) ar(item);
  }
}

template <class Archive>
void serialize(Archive& ar, Envelope& e) {
  bounded_bytes(ar, e.payload, kMaxPayloadBytes);
  bounded_bytes(ar, e.signer, kMaxShortText);
  bounded_bytes(ar, e.suite, kMaxShortText);
  bounded_bytes(ar, e.signature, kMaxKeyOrSignature);
}

// A byte that must be 0 or 1: cereal would copy any byte into the bool, and a bool holding
// another value is undefined behaviour wherever it is read (found by tests/fuzz/block_fuzz).
template <class Archive>
void strict_bool(Archive& ar, bool& b) {
  uint8_t byte = b ? 1 : 0;
  ar(byte);
  if constexpr (Archive::is_loading::value) {
    if (byte > 1) throw cereal::Exception("a flag byte is " + std::to_string(byte) + ", not 0 or 1");
    b = byte == 1;
  }
}

template <class Archive>
void serialize(Archive& ar, ExecutionResult& r) {
  strict_bool(ar, r.accepted);
  bounded_bytes(ar, r.reason_code, kMaxShortText);
  bounded_bytes(ar, r.reason, kMaxReasonText);
}

template <class Archive>
void serialize(Archive& ar, LeafRecord& l) {
  ar(l.envelope);
  bounded_bytes(ar, l.signer_public_key, kMaxKeyOrSignature);
  ar(l.result, l.height, l.timestamp_ms);
}

// The largest leaf the decoder reads: every stored leaf fits a tlog-tiles entry bundle
// (tlog_tiles.h), whose entries carry a 16-bit length.
inline constexpr uint64_t kMaxLeafBytes =
    1 /* version */ + (8 + kMaxPayloadBytes) + 3 * (8 + kMaxShortText) /* signer, suite, reason code */ +
    2 * (8 + kMaxKeyOrSignature) /* signature, signer key */ + 1 /* accepted */ +
    (8 + kMaxReasonText) + 8 /* height */ + 8 /* timestamp */;
static_assert(kMaxLeafBytes <= 65535, "a leaf must fit a tlog-tiles entry bundle");

template <class Archive>
void serialize(Archive& ar, BlockHeader& h) {
  ar(h.chain_id, h.height, h.prev_block_hash, h.timestamp_ms, h.first_leaf, h.leaf_count,
     h.tree_size, h.tree_root, h.state_root, h.checkpoints_digest, h.raft_term, h.raft_index);
}

template <class Archive>
void serialize(Archive& ar, Checkpoint& c) {
  ar(c.chain_id, c.height, c.block_hash, c.tree_size, c.tree_root);
}

template <class Archive>
void serialize(Archive& ar, CheckpointSignature& s) {
  bounded_bytes(ar, s.signer, kMaxShortText);
  bounded_bytes(ar, s.public_key, kMaxKeyOrSignature);
  bounded_bytes(ar, s.signature, kMaxKeyOrSignature);
}

template <class Archive>
void serialize(Archive& ar, SignedCheckpoint& s) {
  ar(s.checkpoint);
  bounded_list(ar, s.signatures, kMaxSignaturesPerCheckpoint);
}

// A block's checkpoint list, encoded alone for the header's checkpoints_digest.
struct CheckpointList {
  std::vector<SignedCheckpoint>& items;
  template <class Archive>
  void serialize(Archive& ar) {
    bounded_list(ar, items, kMaxCheckpointsPerBlock);
  }
};

template <class Archive>
void serialize(Archive& ar, Block& b) {
  ar(b.header);
  bounded_list(ar, b.checkpoints, kMaxCheckpointsPerBlock);
}

inline constexpr uint8_t kEncodingVersion = 1;

// A read-only streambuf over caller-owned bytes: decoding copies nothing up front.
class ByteViewStreamBuf : public std::streambuf {
 public:
  explicit ByteViewStreamBuf(ByteView data) {
    char* p = const_cast<char*>(reinterpret_cast<const char*>(data.data()));
    setg(p, p, p + data.size());
  }
  size_t remaining() const { return static_cast<size_t>(egptr() - gptr()); }
};

template <typename T>
Bytes encode_value(const T& value) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(out);
    uint8_t version = kEncodingVersion;
    ar(version, const_cast<T&>(value));
  }
  std::string s = std::move(out).str();
  return Bytes(s.begin(), s.end());
}

// Decodes exactly `data` into a T: a wrong version, a short read, an absurd length or
// trailing bytes all yield `corruption` naming `what`.
template <typename T>
Result<T> decode_value(ByteView data, const char* what) {
  ByteViewStreamBuf buf(data);
  std::istream in(&buf);
  T value{};
  try {
    cereal::PortableBinaryInputArchive ar(in);
    uint8_t version = 0;
    ar(version);
    if (version != kEncodingVersion) {
      return Status::error("corruption", std::string(what) + ": unknown encoding version");
    }
    ar(value);
  } catch (const std::exception& e) {
    return Status::error("corruption", std::string(what) + " cannot be decoded");
  }
  if (buf.remaining() != 0) {
    return Status::error("corruption", std::string(what) + " has trailing bytes");
  }
  return value;
}

}  // namespace medtrail::ledger
