#include "app/open_files.h"

#include <sys/resource.h>

#include <algorithm>

namespace medtrail::node {

OpenFileLimit raise_open_file_limit(uint64_t needed) {
  OpenFileLimit out;
  out.needed = needed;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return out;
  out.soft = limit.rlim_cur;
  out.hard = limit.rlim_max;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return out;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(needed, limit.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) out.soft = raised.rlim_cur;
  return out;
}

}  // namespace medtrail::node
