#pragma once
// The JSON view of any contract state value, by its key's family: what docs/contracts.md
// documents field by field, what tools and tests show. The stored bytes are the binary
// encoding of state_codec.h.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace medtrail::contracts {

// nullopt for an index entry ("ix/..."), a key of no family, or bytes that do not decode.
std::optional<nlohmann::json> state_value_json(std::string_view key, std::string_view bytes);

// The stored bytes of the value a JSON view describes, for tests and tools (missing fields take
// their defaults); nullopt for a key of no family or a view that is not one of its values.
std::optional<std::string> state_value_from_json(std::string_view key, const nlohmann::json& view);

}  // namespace medtrail::contracts
