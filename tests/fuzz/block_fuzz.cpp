// Bytes that come from a peer or a file as chain data: a proposal (the Raft entry a leader
// sends), a block, a header, a leaf. The first byte says which; what decodes must round-trip.
#include "fuzz_check.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/proposal.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const ledger::ByteView bytes(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      if (auto p = ledger::decode_proposal(bytes); p.ok()) {
        auto again = ledger::decode_proposal(ledger::encode_proposal(*p));
        fuzz::check(again.ok() && *again == *p, "decode_proposal round trip");
      }
      break;
    case 1:
      if (auto b = ledger::decode_block(bytes); b.ok()) {
        auto again = ledger::decode_block(ledger::encode_block(*b));
        fuzz::check(again.ok() && ledger::encode_block(*again) == ledger::encode_block(*b), "decode_block round trip");
      }
      break;
    case 2:
      if (auto h = ledger::decode_header(bytes); h.ok()) {
        auto again = ledger::decode_header(ledger::encode_header(*h));
        fuzz::check(again.ok() && ledger::encode_header(*again) == ledger::encode_header(*h), "decode_header round trip");
      }
      break;
    default:
      if (auto l = ledger::decode_leaf(bytes); l.ok()) {
        auto again = ledger::decode_leaf(ledger::encode_leaf(*l));
        fuzz::check(again.ok() && ledger::encode_leaf(*again) == ledger::encode_leaf(*l), "decode_leaf round trip");
      }
      break;
  }
  return 0;
}
