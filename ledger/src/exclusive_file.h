#pragma once
// Creating files that must never replace an existing one (keys, certificates). Private to the
// ledger library.

#include <sys/types.h>

#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger::detail {

// Creates `path` with O_CREAT|O_EXCL and `mode` from the first instant (so a secret is never
// readable by others, not even between create and chmod), writes `text`, fsyncs the file and
// its directory. A partial file is unlinked so that a retry is not blocked by `file_exists`.
// Errors: `file_exists`, `io_error`.
Status write_new_file(const std::string& path, const std::string& text, mode_t mode);

}  // namespace medtrail::ledger::detail
