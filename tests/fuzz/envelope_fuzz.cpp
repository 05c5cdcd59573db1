// A client's record (POST /v1/records): the wire JSON, then its payload. What decodes must print
// back to the same envelope.
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "medtrail/ledger/envelope.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  auto envelope = ledger::envelope_from_wire(fuzz::as_text(data, size));
  if (!envelope.ok()) return 0;
  auto again = ledger::envelope_from_wire(ledger::envelope_to_wire(*envelope));
  fuzz::check(again.ok() && *again == *envelope, "envelope_from_wire(envelope_to_wire(e)) == e");
  nlohmann::json body;
  (void)ledger::parse_payload(*envelope, &body);
  (void)ledger::record_hash(*envelope);
  return 0;
}
