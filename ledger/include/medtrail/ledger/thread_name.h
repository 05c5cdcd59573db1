#pragma once
// Names the calling thread as `top`, `perf` and `gdb` show it ("raft-driver", "io-1"), so a
// profile tells the node's threads apart. Linux keeps 15 characters; longer names are cut.

#include <string>

namespace medtrail::ledger {

void name_this_thread(const std::string& name);

}  // namespace medtrail::ledger
