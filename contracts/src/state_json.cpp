#include "medtrail/contracts/state_json.h"

#include "family_views.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/consent.h"
#include "medtrail/contracts/erasure.h"

namespace medtrail::contracts {
namespace {

const ValueCodec* codec_for(std::string_view key) {
  const std::string_view family = key.substr(0, key.find('/') + 1);
  if (family == "org/" || family == "id/" || family == "node/" || family == "licence/") {
    return directory_value_codec(key);
  }
  if (family == "enckey/") return codec_of<StoredEncryptionKeys>();
  if (family == "consent/") return codec_of<PatientConsent>();
  if (family == "erased/") return codec_of<StoredErasure>();
  if (family == "gov/") return governance_value_codec(key);
  if (family == "rx/") return rx_value_codec(key);
  if (family == "vlot/" || family == "vcode/" || family == "vship/") return vaccine_value_codec(key);
  if (family == "tw/") return tableware_value_codec(key);
  if (family == "acc/" || family == "pq/") return access_value_codec(key);
  if (family == "claim/" || family == "claimed/") return claims_value_codec(key);
  if (family == "visit/") return visits_value_codec(key);
  if (family == "pub/") return public_facts_value_codec();
  return nullptr;
}

}  // namespace

std::optional<nlohmann::json> state_value_json(std::string_view key, std::string_view bytes) {
  const ValueCodec* codec = codec_for(key);
  return codec ? codec->to_json(bytes) : std::nullopt;
}

std::optional<std::string> state_value_from_json(std::string_view key, const nlohmann::json& view) {
  const ValueCodec* codec = codec_for(key);
  return codec ? codec->from_json(view) : std::nullopt;
}

}  // namespace medtrail::contracts
