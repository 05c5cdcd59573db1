// A peer's Raft message and a stored log entry: what decodes must encode to a message that
// decodes to the same thing.
#include "fuzz_check.h"
#include "medtrail/consensus/codec.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  consensus::CodecLimits limits;
  limits.max_message_bytes = 1 << 20;
  limits.max_entries = 1000;
  limits.max_entry_bytes = 1 << 16;
  if (auto message = consensus::decode_message(bytes, limits); message.ok()) {
    auto again = consensus::decode_message(consensus::encode_message(*message), limits);
    fuzz::check(again.ok() && *again == *message, "decode(encode(m)) == m");
  }
  if (auto entry = consensus::decode_entry(bytes); entry.ok()) {
    auto again = consensus::decode_entry(consensus::encode_entry(*entry));
    fuzz::check(again.ok() && *again == *entry, "decode_entry(encode_entry(e)) == e");
  }
  return 0;
}
