// A disk that fails on command, for a real node process: preloaded (LD_PRELOAD) into
// medtrail-node, it wraps the calls RocksDB writes and syncs through, and for files under
// MEDTRAIL_DISK_FAULT_DIR injects what MEDTRAIL_DISK_FAULT_FILE says (re-read every 20 ms):
//   none        every call passes (also when the file is missing or empty)
//   eio-write   writes fail with EIO
//   eio-fsync   fsync and fdatasync fail with EIO (the page cache may hold what never reached disk)
//   enospc      writes fail with ENOSPC: the disk is full
//   torn        the next write stores only its first half, then the process is killed (SIGKILL):
//               power lost in the middle of a write
//   low-space   every write passes, but statvfs says only 1 MiB is free: a disk filling up
// Only the node's own data files are affected: its log (stdout, stderr) and sockets never are.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace {

enum Mode { kNone, kEioWrite, kEioFsync, kNoSpace, kTorn, kLowSpace };

std::atomic<int> g_mode{kNone};
std::atomic<long long> g_checked_ns{0};

long long now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

Mode current_mode() {
  const long long now = now_ns();
  if (now - g_checked_ns.load(std::memory_order_relaxed) < 20000000LL) return static_cast<Mode>(g_mode.load());
  g_checked_ns = now;
  const char* path = std::getenv("MEDTRAIL_DISK_FAULT_FILE");
  Mode mode = kNone;
  if (path != nullptr) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char text[32] = {};
      const ssize_t n = ::read(fd, text, sizeof text - 1);
      ::close(fd);
      if (n > 0) {
        if (std::strncmp(text, "eio-write", 9) == 0) mode = kEioWrite;
        else if (std::strncmp(text, "eio-fsync", 9) == 0) mode = kEioFsync;
        else if (std::strncmp(text, "enospc", 6) == 0) mode = kNoSpace;
        else if (std::strncmp(text, "torn", 4) == 0) mode = kTorn;
        else if (std::strncmp(text, "low-space", 9) == 0) mode = kLowSpace;
      }
    }
  }
  g_mode = mode;
  return mode;
}

// Whether `path` is MEDTRAIL_DISK_FAULT_DIR or under it.
bool affected_path(const char* path) {
  const char* dir = std::getenv("MEDTRAIL_DISK_FAULT_DIR");
  if (dir == nullptr || *dir == '\0' || path == nullptr) return false;
  const size_t n = std::strlen(dir);
  return std::strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

// Whether `fd` is a file under MEDTRAIL_DISK_FAULT_DIR (asked only while a fault is on).
bool affected(int fd) {
  if (fd <= 2) return false;
  char link[64];
  char target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  return affected_path(target);
}

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// -1 with errno set when the write must fail; 0 when it may pass; for kTorn, `partial` is
// called with half the length and the process dies.
template <typename Partial>
int write_fault(int fd, size_t length, Partial partial) {
  const Mode mode = current_mode();
  if (mode == kNone || mode == kEioFsync || mode == kLowSpace || !affected(fd)) return 0;
  if (mode == kTorn) {
    if (length > 1) partial(length / 2);
    ::kill(::getpid(), SIGKILL);
  }
  errno = mode == kNoSpace ? ENOSPC : EIO;
  return -1;
}

int sync_fault(int fd) {
  if (current_mode() != kEioFsync || !affected(fd)) return 0;
  errno = EIO;
  return -1;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static auto next = real<ssize_t (*)(int, const void*, size_t)>("write");
  if (write_fault(fd, count, [&](size_t half) { next(fd, buf, half); }) < 0) return -1;
  return next(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (write_fault(fd, count, [&](size_t half) { next(fd, buf, half, offset); }) < 0) return -1;
  return next(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  static auto next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (write_fault(fd, count, [&](size_t half) { next(fd, buf, half, offset); }) < 0) return -1;
  return next(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static auto next = real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  size_t total = 0;
  for (int i = 0; i < iovcnt; ++i) total += iov[i].iov_len;
  if (write_fault(fd, total, [&](size_t) { if (iovcnt > 0) next(fd, iov, 1); }) < 0) return -1;
  return next(fd, iov, iovcnt);
}

int fsync(int fd) {
  static auto next = real<int (*)(int)>("fsync");
  if (sync_fault(fd) < 0) return -1;
  return next(fd);
}

int fdatasync(int fd) {
  static auto next = real<int (*)(int)>("fdatasync");
  if (sync_fault(fd) < 0) return -1;
  return next(fd);
}

// A file system with 1 MiB left for `path`'s file system while "low-space" is on.
int statvfs(const char* path, struct statvfs* out) {
  static auto next = real<int (*)(const char*, struct statvfs*)>("statvfs");
  const int r = next(path, out);
  if (r == 0 && current_mode() == kLowSpace && affected_path(path)) out->f_bavail = (1 << 20) / out->f_frsize;
  return r;
}

int statvfs64(const char* path, struct statvfs64* out) {
  static auto next = real<int (*)(const char*, struct statvfs64*)>("statvfs64");
  const int r = next(path, out);
  if (r == 0 && current_mode() == kLowSpace && affected_path(path)) out->f_bavail = (1 << 20) / out->f_frsize;
  return r;
}

}  // extern "C"
