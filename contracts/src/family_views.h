#pragma once
// Private: each family's JSON view of the values it stores (nullopt: not one of them), for
// state_value_json.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/state_codec.h"

namespace medtrail::contracts {

std::optional<nlohmann::json> directory_value_json(std::string_view key, std::string_view bytes);  // org/ id/ node/
std::optional<nlohmann::json> governance_value_json(std::string_view key, std::string_view bytes);  // gov/
std::optional<nlohmann::json> rx_value_json(std::string_view key, std::string_view bytes);          // rx/
std::optional<nlohmann::json> vaccine_value_json(std::string_view key, std::string_view bytes);     // vlot/ vcode/ vship/
std::optional<nlohmann::json> tableware_value_json(std::string_view key, std::string_view bytes);   // tw/
std::optional<nlohmann::json> access_value_json(std::string_view key, std::string_view bytes);      // acc/

// A value of T as its JSON view; nullopt when the bytes are not a T.
template <class T>
std::optional<nlohmann::json> view_as(std::string_view bytes) {
  std::optional<T> value = decode_value<T>(bytes);
  if (!value) return std::nullopt;
  return value_json(*value);
}

// Transitional: a family still storing JSON text.
std::optional<nlohmann::json> legacy_json(std::string_view bytes);

}  // namespace medtrail::contracts
