#include "medtrail/consensus/codec.h"

#include "wire.h"
#include "wire_types.h"

namespace medtrail::consensus {
namespace {

constexpr uint8_t kMessageVersion = 1;
constexpr uint8_t kEntryVersion = 1;

Message read_message(wire::Reader& r, const CodecLimits& limits) {
  Message m;
  m.type = r.enumeration(MessageType::kReadIndexResponse);
  m.from = r.u64();
  m.to = r.u64();
  m.term = r.u64();
  m.index = r.u64();
  m.log_term = r.u64();
  m.commit = r.u64();
  m.entries.resize(static_cast<size_t>(r.count(limits.max_entries, wire::kMinEntryBytes)));
  for (Entry& e : m.entries) e = wire::read_entry(r, limits.max_entry_bytes);
  m.reject = r.boolean();
  m.reject_hint = r.u64();
  m.hint_term = r.u64();
  m.snapshot = wire::read_snapshot_meta(r, limits.max_voters);
  m.snapshot_offset = r.u64();
  m.snapshot_size = r.u64();
  m.snapshot_chunk = r.bytes(limits.max_message_bytes);
  m.context = r.bytes(limits.max_entry_bytes);
  return m;
}

}  // namespace

// Every field is written for every type: a message costs a few dozen bytes more than it
// must, and the layout has no type-dependent branches to get wrong.
std::string encode_message(const Message& m) {
  wire::Writer w(kMessageVersion);
  w.u8(static_cast<uint8_t>(m.type));
  w.u64(m.from);
  w.u64(m.to);
  w.u64(m.term);
  w.u64(m.index);
  w.u64(m.log_term);
  w.u64(m.commit);
  w.count(m.entries.size());
  for (const Entry& e : m.entries) wire::write_entry(w, e);
  w.boolean(m.reject);
  w.u64(m.reject_hint);
  w.u64(m.hint_term);
  wire::write_snapshot_meta(w, m.snapshot);
  w.u64(m.snapshot_offset);
  w.u64(m.snapshot_size);
  w.bytes(m.snapshot_chunk);
  w.bytes(m.context);
  return std::move(w).finish();
}

Result<Message> decode_message(std::string_view bytes, const CodecLimits& limits) {
  if (bytes.size() > limits.max_message_bytes) {
    return Status::error("too_large", "message of " + std::to_string(bytes.size()) +
                                          " bytes over the limit");
  }
  return wire::decode<Message>(bytes, kMessageVersion, "malformed", "message",
                               [&](wire::Reader& r) { return read_message(r, limits); });
}

std::string encode_entry(const Entry& entry) {
  wire::Writer w(kEntryVersion);
  wire::write_entry(w, entry);
  return wire::seal(std::move(w).finish());
}

Result<Entry> decode_entry(std::string_view bytes) {
  std::optional<std::string_view> body = wire::unseal(bytes);
  if (!body) return Status::error("corruption", "stored entry fails its checksum");
  // Past the checksum the bytes are what we wrote, so only the input length bounds them.
  return wire::decode<Entry>(*body, kEntryVersion, "corruption", "stored entry",
                             [](wire::Reader& r) { return wire::read_entry(r, UINT64_MAX); });
}

}  // namespace medtrail::consensus
