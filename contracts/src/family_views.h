#pragma once
// Private: how each family's stored values convert to and from their JSON view, for
// state_json.h. Each family answers for the keys it owns with the codec of its stored struct.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/state_codec.h"

namespace medtrail::contracts {

struct ValueCodec {
  std::optional<nlohmann::json> (*to_json)(std::string_view bytes);
  std::optional<std::string> (*from_json)(const nlohmann::json& view);
};

template <StoredStruct T>
const ValueCodec* codec_of() {
  static constexpr ValueCodec codec{
      [](std::string_view bytes) -> std::optional<nlohmann::json> {
        std::optional<T> value = decode_value<T>(bytes);
        if (!value) return std::nullopt;
        return value_json(*value);
      },
      [](const nlohmann::json& view) -> std::optional<std::string> {
        std::optional<T> value = value_from_json<T>(view);
        if (!value) return std::nullopt;
        return encode_value(*value);
      }};
  return &codec;
}

// nullptr: not a key of the family.
const ValueCodec* directory_value_codec(std::string_view key);   // org/ id/ node/
const ValueCodec* governance_value_codec(std::string_view key);  // gov/
const ValueCodec* rx_value_codec(std::string_view key);          // rx/
const ValueCodec* vaccine_value_codec(std::string_view key);     // vlot/ vcode/ vship/
const ValueCodec* tableware_value_codec(std::string_view key);   // tw/
const ValueCodec* access_value_codec(std::string_view key);      // acc/ pq/
const ValueCodec* claims_value_codec(std::string_view key);      // claim/ claimed/
const ValueCodec* visits_value_codec(std::string_view key);      // visit/
const ValueCodec* public_facts_value_codec();                    // pub/

}  // namespace medtrail::contracts
