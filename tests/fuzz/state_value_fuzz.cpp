// A stored state value (a store, a snapshot installed from a peer): the first byte picks the key
// family, the rest is the value. What decodes must encode back from its JSON view.
#include <iterator>
#include <string>

#include "fuzz_check.h"
#include "medtrail/contracts/state_json.h"
#include "state_keys.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const std::string key(fuzz::kStateKeys[data[0] % std::size(fuzz::kStateKeys)]);
  const std::string_view bytes = fuzz::as_text(data + 1, size - 1);
  std::optional<nlohmann::json> view = contracts::state_value_json(key, bytes);
  if (!view) return 0;
  std::optional<std::string> encoded = contracts::state_value_from_json(key, *view);
  fuzz::check(encoded.has_value(), "a decoded value's view encodes");
  fuzz::check(contracts::state_value_json(key, *encoded) == view,
              "the view of the re-encoded value is the same");
  // Public facts and trail heads are proven by their hash: bytes that decode are the one encoding
  // of what they say.
  if (key.starts_with("pub/") || key.starts_with("ixh/")) {
    fuzz::check(*encoded == bytes, "a proven value decodes only from its one encoding");
  }
  return 0;
}
