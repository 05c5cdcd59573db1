#pragma once
// The JSON view of any contract state value, by its key's family: what docs/contracts.md
// documents field by field, what tools and tests show. The stored bytes are the binary
// encoding of state_codec.h.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace medtrail::contracts {

// nullopt for an index entry ("ix/..."), a key of no family, or bytes that do not decode.
std::optional<nlohmann::json> state_value_json(std::string_view key, std::string_view bytes);

}  // namespace medtrail::contracts
