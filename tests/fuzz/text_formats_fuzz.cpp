// Text a node reads from files and peers: genesis, checkpoints as JSON, tile paths, proof
// documents, RFC 3339 times. The first byte says which.
#include "fuzz_check.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/proof_json.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/tlog_tiles.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      (void)ledger::parse_genesis(text);
      break;
    case 1:
      (void)ledger::checkpoint_from_json(text);
      break;
    case 2:
      (void)ledger::parse_tile_path(text);
      break;
    case 3:
      (void)ledger::verify_proof_document(text);
      break;
    default:
      (void)ledger::rfc3339_to_unix_ms(text);
      break;
  }
  return 0;
}
