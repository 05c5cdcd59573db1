#include "exclusive_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace medtrail::ledger::detail {
namespace {

Status io_error(const std::string& what, const std::string& path) {
  return Status::error("io_error", what + " " + path + ": " + std::strerror(errno));
}

Status write_all(int fd, const std::string& text, const std::string& path) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write", path);
    written += static_cast<size_t>(n);
  }
  return Status::ok_status();
}

// Makes the new directory entry durable, not only the file's contents.
void sync_parent_directory(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  FileDescriptor dir(::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY));
  if (dir.get() >= 0) ::fsync(dir.get());
}

}  // namespace

Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  FileDescriptor fd(::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    if (errno == EEXIST) return Status::error("file_exists", "refusing to overwrite " + path);
    return io_error("cannot create", path);
  }
  // The umask may have narrowed `mode` (never widened it); a certificate should still be
  // world-readable, so set it explicitly.
  Status written =
      ::fchmod(fd.get(), mode) == 0 ? Status::ok_status() : io_error("cannot chmod", path);
  if (written.ok()) written = write_all(fd.get(), text, path);
  if (written.ok() && ::fsync(fd.get()) != 0) written = io_error("cannot fsync", path);
  if (written.ok() && !fd.close()) written = io_error("cannot close", path);
  if (!written.ok()) {
    ::unlink(path.c_str());
    return written;
  }
  sync_parent_directory(path);
  return Status::ok_status();
}

}  // namespace medtrail::ledger::detail
