#include "api/heap_figures.h"

#include <malloc.h>

namespace medtrail::node::api {

HeapFigures read_heap_figures() {
  const struct mallinfo2 info = mallinfo2();
  HeapFigures f;
  // uordblks: in use in the arenas; hblkhd: blocks too large for an arena, mapped on their own
  // and returned to the system when freed. fordblks: free chunks the arenas keep.
  f.in_use_bytes = info.uordblks + info.hblkhd;
  f.free_bytes = info.fordblks;
  return f;
}

}  // namespace medtrail::node::api
