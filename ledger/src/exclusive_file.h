#pragma once
// Creating files that must never replace an existing one (keys, certificates), and the file
// descriptor guard the key file code shares. Private to the ledger library.

#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger::detail {

// Closes the descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now so that a failing close (e.g. delayed write error) can be reported.
  bool close() {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

// Writes all of `bytes` to `fd` (retrying short writes). Errors: `io_error` naming `path`.
Status write_all(int fd, std::string_view bytes, const std::string& path);
// Makes a new directory entry durable, not only the file's contents: fsyncs `path`'s directory.
Status sync_parent_directory(const std::string& path);

// Creates `path` with O_CREAT|O_EXCL and `mode` from the first instant (so a secret is never
// readable by others, not even between create and chmod), writes `text`, fsyncs the file and
// its directory. A partial file is unlinked so that a retry is not blocked by `file_exists`.
// Errors: `file_exists`, `io_error`.
Status write_new_file(const std::string& path, const std::string& text, mode_t mode);

// Reads a file that holds a secret into `out`: a regular file (a FIFO planted at the path is
// refused, never waited on), not accessible to group or others, at most `max_bytes`. The caller
// wipes `out`. Errors: `io_error`, `insecure_permissions` (with the chmod that fixes it),
// `bad_key_file` (not a regular file, too large).
Status read_private_file(const std::string& path, size_t max_bytes, std::string& out);

}  // namespace medtrail::ledger::detail
