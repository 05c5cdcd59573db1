#include "medtrail/contracts/state_json.h"

#include "family_views.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/consent.h"
#include "medtrail/contracts/erasure.h"
#include "medtrail/ledger/trail_head.h"

namespace medtrail::contracts {
namespace {

// ixh/: {"count": <records>, "chain": "<hex>"} (ledger/trail_head.h).
const ValueCodec* trail_head_value_codec() {
  static constexpr ValueCodec codec{
      [](std::string_view bytes) -> std::optional<nlohmann::json> {
        auto head = ledger::decode_trail_head(bytes);
        if (!head.ok()) return std::nullopt;
        return nlohmann::json{{"count", head->count}, {"chain", ledger::to_hex(head->chain)}};
      },
      [](const nlohmann::json& view) -> std::optional<std::string> {
        if (!view.is_object() || view.size() != 2 || !view.contains("count") ||
            !view["count"].is_number_integer() || !view.contains("chain") ||
            !view["chain"].is_string()) {
          return std::nullopt;
        }
        // A count written as a signed JSON integer is still a count when it is not negative.
        if (!view["count"].is_number_unsigned() && view["count"].get<int64_t>() < 0)
          return std::nullopt;
        auto chain = ledger::hash_from_hex(view["chain"].get<std::string>());
        if (!chain.ok()) return std::nullopt;
        return ledger::encode_trail_head({view["count"].get<uint64_t>(), *chain});
      }};
  return &codec;
}

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
  if (family == "vlot/" || family == "vcode/" || family == "vship/")
    return vaccine_value_codec(key);
  if (family == "tw/") return tableware_value_codec(key);
  if (family == "acc/" || family == "pq/") return access_value_codec(key);
  if (family == "claim/" || family == "claimed/") return claims_value_codec(key);
  if (family == "visit/") return visits_value_codec(key);
  if (family == "pub/") return public_facts_value_codec();
  if (family == "ixh/") return trail_head_value_codec();
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
