// Bytes that come from a peer or a file as chain data: a proposal (the Raft entry a leader
// sends), a block, a header, a leaf. The first byte says which; what decodes must round-trip.
#include "fuzz_check.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/proposal.h"

using namespace medtrail;

namespace {

// What `decode` accepts, `encode` must print to bytes that `decode` reads back the same.
template <class Decode, class Encode>
void round_trip(ledger::ByteView bytes, Decode decode, Encode encode, const char* property) {
  auto value = decode(bytes);
  if (!value.ok()) return;
  auto again = decode(encode(*value));
  fuzz::check(again.ok() && *again == *value, property);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const ledger::ByteView bytes(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      round_trip(bytes, ledger::decode_proposal, ledger::encode_proposal, "decode_proposal round trip");
      break;
    case 1:
      round_trip(bytes, ledger::decode_block, ledger::encode_block, "decode_block round trip");
      break;
    case 2:
      round_trip(bytes, ledger::decode_header, ledger::encode_header, "decode_header round trip");
      break;
    default:
      round_trip(bytes, ledger::decode_leaf, ledger::encode_leaf, "decode_leaf round trip");
      break;
  }
  return 0;
}
