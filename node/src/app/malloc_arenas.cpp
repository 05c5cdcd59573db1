#include "app/malloc_arenas.h"

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <thread>

namespace medtrail::node {

int default_malloc_arenas() {
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}

MallocArenas cap_malloc_arenas(int cap) {
  MallocArenas out;
  if (const char* env = std::getenv("MALLOC_ARENA_MAX"); env != nullptr && *env != '\0') {
    out.from_environment = true;
    // glibc ignores a value it cannot read; so does the report.
    int value = 0;
    const char* end = env + std::strlen(env);
    auto [ptr, ec] = std::from_chars(env, end, value);
    out.cap = ec == std::errc() && ptr == end && value > 0 ? value : 0;
    return out;
  }
  if (cap > 0 && ::mallopt(M_ARENA_MAX, cap) == 1) out.cap = cap;
  return out;
}

}  // namespace medtrail::node
