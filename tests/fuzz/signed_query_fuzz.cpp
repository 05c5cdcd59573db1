// A reader's Authorization header (docs/api-auth.md): the envelope in it, its payload, and the
// signed query in the payload's body.
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/signed_query.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  auto envelope = ledger::envelope_from_authorization(fuzz::as_text(data, size));
  if (!envelope.ok()) return 0;
  nlohmann::json body;
  if (!ledger::parse_payload(*envelope, &body).ok()) return 0;
  (void)ledger::read_signed_query(body);
  return 0;
}
