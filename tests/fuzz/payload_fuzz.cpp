// A payload as signed: the strict parser (parse_payload) against the readers that skip it for a
// payload already accepted (payload_body.h). Wherever the parser accepts, they must agree.
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/payload_body.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  // Read on any bytes: must stay within them.
  std::optional<std::string_view> body_text = ledger::payload_body_text(text);
  if (body_text) fuzz::check(body_text->data() >= text.data() && body_text->end() <= text.end(), "body within payload");
  ledger::Envelope envelope;
  envelope.payload.assign(data, data + size);
  envelope.signer = std::string(ledger::payload_plain_string(text, "actor").value_or(""));
  nlohmann::json body;
  auto fields = ledger::parse_payload(envelope, &body);
  if (!fields.ok()) return 0;
  // A member written with escapes is the parser's to decode (nullopt); any other must agree.
  const std::optional<std::string_view> kind = ledger::payload_plain_string(text, "kind");
  const std::optional<std::string_view> org = ledger::payload_plain_string(text, "org");
  fuzz::check(!kind || *kind == fields->kind, "plain kind == parsed kind");
  fuzz::check(!org || *org == fields->org, "plain org == parsed org");
  if (body_text) {
    fuzz::check(nlohmann::json::parse(*body_text, nullptr, false) == body, "body text parses to the parsed body");
  }
  return 0;
}
