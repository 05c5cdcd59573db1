#include "medtrail/contracts/state_json.h"

#include "family_views.h"

namespace medtrail::contracts {

std::optional<nlohmann::json> legacy_json(std::string_view bytes) {
  nlohmann::json v = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

std::optional<nlohmann::json> state_value_json(std::string_view key, std::string_view bytes) {
  const std::string_view family = key.substr(0, key.find('/') + 1);
  if (family == "org/" || family == "id/" || family == "node/") return directory_value_json(key, bytes);
  if (family == "gov/") return governance_value_json(key, bytes);
  if (family == "rx/") return rx_value_json(key, bytes);
  if (family == "vlot/" || family == "vcode/" || family == "vship/") return vaccine_value_json(key, bytes);
  if (family == "tw/") return tableware_value_json(key, bytes);
  if (family == "acc/") return access_value_json(key, bytes);
  return std::nullopt;
}

}  // namespace medtrail::contracts
