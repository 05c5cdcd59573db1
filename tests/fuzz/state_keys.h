#pragma once
// One key of each state family: state_value_fuzz picks one by an input's first byte, and
// make_seeds writes each family's seed under the same byte.
#include <cstddef>
#include <iterator>
#include <string_view>

namespace medtrail::fuzz {

inline constexpr std::string_view kStateKeys[] = {
    "rx/0c47",      "tw/TW-1",        "vlot/06901234567892/L1",
    "vcode/V1",     "vship/S1",       "id/hosp-a/li",
    "org/hosp-a",   "node/n1",        "gov/p1",
    "acc/e1",       "gov/orgs-added", "gov/nodes-added",
    "pub/vcode/V1", "ixh/rx/0c47"};

// The index of the first key of `family` in kStateKeys.
constexpr size_t state_key_index(std::string_view family) {
  for (size_t i = 0; i < std::size(kStateKeys); ++i) {
    if (kStateKeys[i].starts_with(family)) return i;
  }
  return std::size(kStateKeys);
}

}  // namespace medtrail::fuzz
