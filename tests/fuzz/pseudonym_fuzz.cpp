// The pseudonym service's wire (ledger/pseudonym.h): the request body the service reads from a
// member, the answer a member reads from the service, the target both read from a signed
// query, and a citizen's request; and the same three of its key service (ledger/patient_shares.h). The first byte picks the reader and, for the bodies, the count the target named.
// Properties: what reads back writes out the same and reads again to the same elements.
#include <algorithm>
#include <string>

#include "fuzz_check.h"
#include "medtrail/ledger/patient_shares.h"
#include "medtrail/ledger/pseudonym.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fuzz::as_text(data + 1, size - 1);
  const size_t count = 1 + data[0] % ledger::kMaxPseudonymBatch;
  switch (data[0] >> 6) {
    case 0: {
      auto nonces = ledger::read_patient_share_request(rest, count);
      if (nonces.ok()) {
        auto again = ledger::read_patient_share_request(ledger::patient_share_request_json(*nonces), count);
        fuzz::check(again.ok() && *again == *nonces, "a share request reads back as written");
      }
      auto blinded = ledger::read_pseudonym_request(rest, count);
      if (!blinded.ok()) return 0;
      auto again = ledger::read_pseudonym_request(ledger::pseudonym_request_json(*blinded), count);
      fuzz::check(again.ok() && *again == *blinded, "a request reads back as written");
      return 0;
    }
    case 1: {
      auto shares = ledger::read_patient_share_response(rest, count);
      if (shares.ok()) {
        auto again = ledger::read_patient_share_response(ledger::patient_share_response_json(*shares), count);
        bool same = again.ok() && again->size() == shares->size();
        for (size_t i = 0; same && i < shares->size(); ++i) {
          const ledger::ByteView a = (*again)[i].view(), b = (*shares)[i].view();
          same = std::equal(a.begin(), a.end(), b.begin(), b.end());
        }
        fuzz::check(same, "a share response reads back as written");
      }
      auto response = ledger::read_pseudonym_response(rest, count);
      if (!response.ok()) return 0;
      auto again = ledger::read_pseudonym_response(
          ledger::pseudonym_response_json(response->evaluation, response->public_key), count);
      fuzz::check(again.ok() && again->evaluation.evaluated == response->evaluation.evaluated &&
                      again->public_key == response->public_key &&
                      ledger::serialize_proof(again->evaluation.proof) ==
                          ledger::serialize_proof(response->evaluation.proof),
                  "a response reads back as written");
      return 0;
    }
    case 2: {
      auto n = ledger::pseudonym_target_count(rest);
      if (n) fuzz::check(ledger::pseudonym_target(*n) == rest, "a target has one spelling");
      auto share_target = ledger::parse_patient_share_target(rest);
      if (share_target) {
        fuzz::check(ledger::patient_share_target(share_target->patient_ref, share_target->count, share_target->use) == rest,
                    "a share target has one spelling");
      }
      auto citizen = ledger::read_citizen_pseudonym_request(rest);
      if (citizen.ok()) {
        auto again = ledger::read_citizen_pseudonym_request(
            ledger::citizen_pseudonym_request_json(citizen->credential, citizen->blinded));
        fuzz::check(again.ok() && again->credential == citizen->credential && again->blinded == citizen->blinded,
                    "a citizen's request reads back as written");
      }
      return 0;
    }
    default: {
      auto element = ledger::oprf_element_from_bytes(ledger::as_bytes(rest));
      if (element.ok()) fuzz::check(rest.size() == ledger::kOprfElementSize, "an element is 32 bytes");
      auto proof = ledger::deserialize_proof(ledger::as_bytes(rest));
      if (proof.ok()) fuzz::check(ledger::serialize_proof(*proof) == ledger::Bytes(rest.begin(), rest.end()),
                                  "a proof has one encoding");
      return 0;
    }
  }
}
