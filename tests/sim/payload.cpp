#include "sim/payload.h"

#include <charconv>

namespace medtrail::sim {

std::string encode_append(uint64_t value, size_t padding) {
  std::string out = "a:" + std::to_string(value) + ":";
  out.append(padding, static_cast<char>('a' + value % 26));
  return out;
}

std::optional<uint64_t> decode_append(std::string_view data) {
  if (data.size() < 3 || data.substr(0, 2) != "a:") return std::nullopt;
  uint64_t value = 0;
  const char* begin = data.data() + 2;
  const char* end = data.data() + data.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || ptr == end || *ptr != ':') return std::nullopt;
  return value;
}

}  // namespace medtrail::sim
