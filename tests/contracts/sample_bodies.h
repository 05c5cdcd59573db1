#pragma once
// Valid bodies shared by several contract suites (family tests, fuzz seeds, determinism).
#include <string>

#include <nlohmann/json.hpp>

namespace medtrail::contracts::testing {

// GB 14934 results of a batch that passes every item.
inline nlohmann::json passing_tableware_results() {
  return {{"sensory", "pass"},
          {"free_residual_chlorine", "0.010"},
          {"anionic_detergent", "not_detected"},
          {"coliforms", "not_detected"},
          {"salmonella", "not_detected"}};
}

// A passing tableware batch disinfected the morning of the fixture's day, usable for two days.
inline nlohmann::json tableware_batch_body(const std::string& code) {
  return {{"batch_code", code},
          {"licence_no", "JY-3101-2026-0042"},
          {"line", "L2"},
          {"disinfected_at", "2026-11-23T06:00:00+08:00"},
          {"use_by", "2026-11-25T06:00:00+08:00"},
          {"method", "steam"},
          {"quantity", 500},
          {"results", passing_tableware_results()}};
}

}  // namespace medtrail::contracts::testing
