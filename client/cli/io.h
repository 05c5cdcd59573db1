#pragma once
// Small I/O helpers shared by the commands: bounded file reads and one-line errors.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

// Reads a whole file ("-" for standard input), refusing anything over `max_bytes`.
ledger::Result<std::string> read_input(const std::string& path, size_t max_bytes);

// The text up to its first line break, without trailing spaces or a carriage return: what a
// one-line file (a credential, an id typed into a file by hand) means.
std::string first_line(const std::string& text);

// Creates `path` (mode 0644, or `mode` from the first instant: 0600 for a secret) holding
// `text`, synced; never replaces an existing file (`file_exists`).
ledger::Status write_new_text_file(const std::string& path, const std::string& text, mode_t mode = 0644);

// Creates `path` (mode 0644) holding `bytes`, whole or not at all: written and synced under a
// temporary name beside it ("<path>.<pid>.tmp"), then linked into place, which refuses an
// existing `path` (`file_exists`) even if one appears meanwhile; the temporary name is removed
// either way. For files a reader may open while we write (a PNG a viewer is watching).
ledger::Status write_new_file_atomically(const std::string& path, const std::string& bytes);

// Replaces `path` (or creates it) with `bytes`, durably: written and synced under a temporary
// name beside it, renamed over `path`, and the directory synced, so that once this returns a
// crash leaves the new file, and before it the old one. For state that must never go back (the
// checkpoint a client verified last, a witness's last cosigned tree).
ledger::Status replace_file_durably(const std::string& path, const std::string& bytes);

// Overwrites a secret's characters (not just its length) before the string is freed.
void wipe(std::string& secret);

// Now, as RFC 3339 UTC with seconds ("2026-11-23T10:00:00Z").
std::string utc_now_rfc3339();
// Now, in milliseconds since the Unix epoch.
int64_t unix_now_ms();

// What a node or a file sent, safe to print on a terminal, cut to `max_bytes`: control
// characters (C0, DEL, and C1 as UTF-8, which some terminals obey) become '?', and so does every
// byte of 0x80 and above when the text is not UTF-8. A node could otherwise fake our output.
std::string printable_text(std::string_view text, size_t max_bytes = 4096);

// Prints "medtrail: <what>: <code>: <message>" on one line to stderr and returns `exit_code`.
int fail(const std::string& what, const ledger::Status& status, int exit_code);

}  // namespace medtrail::cli
