#pragma once
// Numbers as the formats write them (paths and queries, checkpoint notes, tile paths, witness
// requests): plain decimal, no sign, no leading zeros, no spaces.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace medtrail::ledger {

// 0..2^64-1, or nullopt for anything else ("", "-1", "01", "1.0", "1e3", too large).
inline std::optional<uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace medtrail::ledger
