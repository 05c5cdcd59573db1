#include "app/malloc_arenas.h"

#include <malloc.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace medtrail::node {

int default_malloc_arenas() {
  // The CPUs this process may run on, as glibc counts them for its own default, not every CPU
  // the machine has: in a container given 2 of 64, that is 2.
  int cores = 0;
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(2, cores);
}

MallocArenas cap_malloc_arenas(int cap) {
  MallocArenas out;
  // glibc read an operator's setting at start, by its own rules; it is left as it is.
  if (const char* env = std::getenv("MALLOC_ARENA_MAX"); env != nullptr && *env != '\0') {
    out.environment = "MALLOC_ARENA_MAX";
    return out;
  }
  if (const char* env = std::getenv("GLIBC_TUNABLES");
      env != nullptr && std::strstr(env, "glibc.malloc.arena_max=") != nullptr) {
    out.environment = "GLIBC_TUNABLES";
    return out;
  }
  if (cap > 0 && ::mallopt(M_ARENA_MAX, cap) == 1) out.cap = cap;
  return out;
}

}  // namespace medtrail::node
