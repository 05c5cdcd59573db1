#pragma once
// Disinfected tableware batches as citizens and inspectors read them. A batch lives at
// "tw/<batch_code>" (batch codes are global: a citizen scans the code on the package).
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace medtrail::contracts {

std::string tableware_key(std::string_view batch_code);

// What a citizen is told about a batch at `now_ms`, strongest first: "recalled", "held",
// "expired" (use-by passed), "safe" (passed GB 14934 and nothing since). A state that lacks
// its status or use-by reads "unknown", never "safe": a damaged record must not reassure.
std::string batch_citizen_status(const nlohmann::json& batch_state, int64_t now_ms);

}  // namespace medtrail::contracts
