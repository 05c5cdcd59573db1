#include "state_codec.h"

#include "wire.h"
#include "wire_types.h"

namespace medtrail::consensus {
namespace {

constexpr uint8_t kStateVersion = 1;

template <class T, class ReadFn>
Result<T> decode_sealed(std::string_view bytes, const char* what, ReadFn&& read) {
  std::optional<std::string_view> body = wire::unseal(bytes);
  if (!body) return Status::error("corruption", std::string(what) + " fails its checksum");
  return wire::decode<T>(*body, kStateVersion, "corruption", what, read);
}

}  // namespace

std::string encode_hard_state(const HardState& state) {
  wire::Writer w(kStateVersion);
  w.u64(state.term);
  w.u64(state.vote);
  w.u64(state.commit);
  return wire::seal(std::move(w).finish());
}

Result<HardState> decode_hard_state(std::string_view bytes) {
  return decode_sealed<HardState>(bytes, "hard state", [](wire::Reader& r) {
    HardState s;
    s.term = r.u64();
    s.vote = r.u64();
    s.commit = r.u64();
    return s;
  });
}

std::string encode_snapshot_meta(const SnapshotMeta& meta) {
  wire::Writer w(kStateVersion);
  wire::write_snapshot_meta(w, meta);
  return wire::seal(std::move(w).finish());
}

Result<SnapshotMeta> decode_snapshot_meta(std::string_view bytes) {
  return decode_sealed<SnapshotMeta>(bytes, "snapshot metadata", [](wire::Reader& r) {
    return wire::read_snapshot_meta(r, UINT64_MAX);
  });
}

std::string encode_index(Index index) {
  wire::Writer w(kStateVersion);
  w.u64(index);
  return wire::seal(std::move(w).finish());
}

Result<Index> decode_index(std::string_view bytes) {
  return decode_sealed<Index>(bytes, "index", [](wire::Reader& r) { return r.u64(); });
}

std::string seal_blob(std::string data) { return wire::seal(std::move(data)); }

Result<std::string> unseal_blob(std::string_view bytes) {
  std::optional<std::string_view> body = wire::unseal(bytes);
  if (!body) return Status::error("corruption", "snapshot data fails its checksum");
  return std::string(*body);
}

}  // namespace medtrail::consensus
