#pragma once
// What a fuzz target asserts beyond "no crash, no sanitizer finding": a property every input
// must keep (a round trip, two readers agreeing). A broken one stops the run as a crash would,
// so libFuzzer saves the input. For fuzz targets only: product code never stops on bad input.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace medtrail::fuzz {

inline void check(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: property broken: %s\n", property);
  std::abort();
}

inline std::string_view as_text(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace medtrail::fuzz
