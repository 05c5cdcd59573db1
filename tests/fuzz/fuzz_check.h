#pragma once
// What a fuzz target asserts beyond "no crash, no sanitizer finding": a property every input
// must keep (a round trip, two readers agreeing). A broken one stops the run as a crash would,
// so libFuzzer saves the input. For fuzz targets only: product code never stops on bad input.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace medtrail::fuzz {

inline void check(bool holds, const char* property, std::string_view detail = {}) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: property broken: %s%s%.*s\n", property, detail.empty() ? "" : ": ",
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline std::string_view as_text(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace medtrail::fuzz
