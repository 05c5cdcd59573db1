#include "exclusive_file.h"

#include "medtrail/ledger/secure_bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace medtrail::ledger::detail {
namespace {

Status io_error(const std::string& what, const std::string& path) {
  return Status::error("io_error", what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok_status();
}

Status sync_parent_directory(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  const std::string dir_path = parent.empty() ? "." : parent;
  FileDescriptor dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return io_error("cannot fsync", dir_path);
  return Status::ok_status();
}

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
  (void)sync_parent_directory(path);  // the key is written and synced; the entry is best effort
  return Status::ok_status();
}

}  // namespace medtrail::ledger::detail

namespace medtrail::ledger::detail {

Status read_private_file(const std::string& path, size_t max_bytes, std::string& out) {
  // O_NONBLOCK: opening a FIFO planted at the path must not hang; it fails S_ISREG below.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return io_error("cannot open", path);
  // fstat on the open descriptor: the checked file is the file that is read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat", path);
  if (!S_ISREG(st.st_mode)) return Status::error("bad_key_file", path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::error("insecure_permissions",
                         path + " has mode " + mode +
                             "; a key file must not be accessible to group or others "
                             "(run: chmod 600 " +
                             path + ")");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::error("bad_key_file", path + ": larger than " + std::to_string(max_bytes / 1024) + " KiB");
  }
  wipe_string(out);
  out.assign(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      wipe_string(out);
      return io_error("cannot read", path);
    }
    if (n == 0) break;  // shrank since fstat
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return Status::ok_status();
}

}  // namespace medtrail::ledger::detail
