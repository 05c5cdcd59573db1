#pragma once
// Small I/O helpers shared by the commands: bounded file reads and one-line errors.

#include <cstddef>
#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

// Reads a whole file ("-" for standard input), refusing anything over `max_bytes`.
ledger::Result<std::string> read_input(const std::string& path, size_t max_bytes);

// Prints "medtrail: <what>: <code>: <message>" on one line to stderr and returns `exit_code`.
int fail(const std::string& what, const ledger::Status& status, int exit_code);

}  // namespace medtrail::cli
