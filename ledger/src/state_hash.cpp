#include "medtrail/ledger/state_hash.h"

#include <sodium.h>

namespace medtrail::ledger {
namespace {

using Lanes = std::array<uint8_t, StateHash::kEncodedSize>;

Lanes expand(const CryptoSuite& suite, std::string_view key, std::string_view value) {
  Bytes length;
  append_be64(length, key.size());
  const Hash seed = suite.hash_parts(
      {length, ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
       ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size())});
  static_assert(crypto_stream_chacha20_KEYBYTES == kHashSize);
  const std::array<uint8_t, crypto_stream_chacha20_NONCEBYTES> nonce{};
  Lanes out;
  crypto_stream_chacha20(out.data(), out.size(), nonce.data(), seed.data());
  return out;
}

uint16_t lane_at(const Lanes& bytes, size_t i) {
  return static_cast<uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
}

}  // namespace

void StateHash::add(const CryptoSuite& suite, std::string_view key, std::string_view value) {
  const Lanes e = expand(suite, key, value);
  for (size_t i = 0; i < kLanes; ++i) lanes_[i] = static_cast<uint16_t>(lanes_[i] + lane_at(e, i));
}

void StateHash::remove(const CryptoSuite& suite, std::string_view key, std::string_view value) {
  const Lanes e = expand(suite, key, value);
  for (size_t i = 0; i < kLanes; ++i) lanes_[i] = static_cast<uint16_t>(lanes_[i] - lane_at(e, i));
}

Bytes StateHash::encode() const {
  Bytes out(kEncodedSize);
  for (size_t i = 0; i < kLanes; ++i) {
    out[2 * i] = static_cast<uint8_t>(lanes_[i] & 0xff);
    out[2 * i + 1] = static_cast<uint8_t>(lanes_[i] >> 8);
  }
  return out;
}

Hash StateHash::digest(const CryptoSuite& suite) const { return suite.hash(encode()); }

Result<StateHash> StateHash::decode(ByteView bytes) {
  if (bytes.size() != kEncodedSize) {
    return Status::error("corruption", "state hash is " + std::to_string(bytes.size()) +
                                           " bytes, not " + std::to_string(kEncodedSize));
  }
  StateHash h;
  for (size_t i = 0; i < kLanes; ++i) {
    h.lanes_[i] = static_cast<uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  }
  return h;
}

}  // namespace medtrail::ledger
