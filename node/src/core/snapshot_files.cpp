#include "core/snapshot_files.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/disk_guard.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::node {

namespace {

constexpr std::string_view kImagePrefix = "image-";
constexpr std::string_view kIncoming = "incoming.part";
constexpr std::string_view kInlineMagic = "MTIMAGE1";

consensus::Status raft_error(const ledger::Status& s) {
  return consensus::Status::error(s.code(), s.message());
}

consensus::Status errno_error(const std::string& what) {
  return consensus::Status::error("io_error", what + ": " + std::strerror(errno));
}

// image-<decimal index>-<16 lowercase hex>
bool valid_name(std::string_view name) {
  if (!name.starts_with(kImagePrefix)) return false;
  name.remove_prefix(kImagePrefix.size());
  const size_t dash = name.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash > 20) return false;
  for (char c : name.substr(0, dash)) {
    if (c < '0' || c > '9') return false;
  }
  const std::string_view nonce = name.substr(dash + 1);
  return nonce.size() == 16 && ledger::is_lower_hex(nonce);
}

void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

ledger::Result<std::shared_ptr<SnapshotFiles>> SnapshotFiles::open(Options options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return ledger::Status::error("io_error", "creating " + options.dir + ": " + ec.message());
  std::filesystem::remove(options.dir + "/" + std::string(kIncoming), ec);
  return std::shared_ptr<SnapshotFiles>(new SnapshotFiles(std::move(options)));
}

SnapshotFiles::~SnapshotFiles() {
  close_reader();
  close_incoming();
}

std::string SnapshotFiles::new_name(uint64_t index) const {
  uint8_t nonce[8];
  randombytes_buf(nonce, sizeof nonce);
  return std::string(kImagePrefix) + std::to_string(index) + "-" +
         ledger::to_hex(ledger::ByteView(nonce, sizeof nonce));
}

ledger::Result<std::string> SnapshotFiles::path_of(const std::string& data) const {
  if (!valid_name(data)) return ledger::Status::error("invalid", "not the name of a snapshot image");
  return options_.dir + "/" + data;
}

bool SnapshotFiles::is_inline(const std::string& data) { return data.starts_with(kInlineMagic); }

void SnapshotFiles::remove_all_but(const std::string& keep) {
  close_reader();  // it may be reading a file about to go
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == keep || (incoming_fd_ >= 0 && name == kIncoming)) continue;
    std::filesystem::remove_all(entry.path(), ec);
  }
}

ledger::Result<uint64_t> SnapshotFiles::image_size(const std::string& data) const {
  if (is_inline(data)) return data.size();
  auto path = path_of(data);
  if (!path.ok()) return path.status();
  struct stat st {};
  if (::stat(path->c_str(), &st) != 0) {
    return ledger::Status::error("io_error", "snapshot image " + data + ": " + std::strerror(errno));
  }
  return static_cast<uint64_t>(st.st_size);
}

consensus::Result<uint64_t> SnapshotFiles::size(const consensus::Snapshot& snapshot) {
  auto bytes = image_size(snapshot.data);
  if (!bytes.ok()) return raft_error(bytes.status());
  return *bytes;
}

consensus::Result<std::string> SnapshotFiles::read(const consensus::Snapshot& snapshot,
                                                   uint64_t offset, uint64_t max_bytes) {
  if (is_inline(snapshot.data)) {
    if (offset > snapshot.data.size()) return consensus::Status::error("invalid", "read past the image");
    return snapshot.data.substr(offset, max_bytes);
  }
  if (reader_fd_ < 0 || reader_name_ != snapshot.data) {
    close_reader();
    auto path = path_of(snapshot.data);
    if (!path.ok()) return raft_error(path.status());
    reader_fd_ = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    if (reader_fd_ < 0) return errno_error("opening snapshot image " + snapshot.data);
    reader_name_ = snapshot.data;
  }
  std::string out(max_bytes, '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(reader_fd_, out.data() + got, out.size() - got,
                              static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto error = errno_error("reading snapshot image " + snapshot.data);
      close_reader();
      return error;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

consensus::Status SnapshotFiles::begin_receive(const consensus::SnapshotMeta& meta, uint64_t size) {
  close_incoming();
  if (size > options_.max_image_bytes) {
    return consensus::Status::error("too_large", "a snapshot of " + std::to_string(size) +
                                                     " bytes is over the limit");
  }
  // Refused now rather than half-way: the node would stop once its disk fell below the floor.
  if (ledger::Status room = check_free_space(options_.dir, size + options_.min_free_bytes); !room.ok()) {
    return consensus::Status::error(room.code(), "no room for a snapshot of " +
                                                     std::to_string(size) + " bytes: " + room.message());
  }
  const std::string path = options_.dir + "/" + std::string(kIncoming);
  incoming_fd_ = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (incoming_fd_ < 0) return errno_error("creating " + path);
  incoming_index_ = meta.index;
  return consensus::Status();
}

consensus::Status SnapshotFiles::receive(std::string_view chunk) {
  if (incoming_fd_ < 0) return consensus::Status::error("invalid", "no snapshot transfer open");
  while (!chunk.empty()) {
    const ssize_t n = ::write(incoming_fd_, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto error = errno_error("writing a received snapshot");
      close_incoming();
      return error;
    }
    chunk.remove_prefix(static_cast<size_t>(n));
  }
  return consensus::Status();
}

consensus::Result<std::string> SnapshotFiles::finish_receive() {
  if (incoming_fd_ < 0) return consensus::Status::error("invalid", "no snapshot transfer open");
  // Durable before Raft may take it: once its storage names this file, the file must be there.
  if (::fsync(incoming_fd_) != 0) {
    auto error = errno_error("syncing a received snapshot");
    close_incoming();
    return error;
  }
  ::close(incoming_fd_);
  incoming_fd_ = -1;
  const std::string name = new_name(incoming_index_);
  const std::string from = options_.dir + "/" + std::string(kIncoming);
  if (::rename(from.c_str(), (options_.dir + "/" + name).c_str()) != 0) {
    auto error = errno_error("naming a received snapshot");
    ::unlink(from.c_str());
    return error;
  }
  sync_directory(options_.dir);
  return name;
}

void SnapshotFiles::discard(const std::string& data) {
  auto path = path_of(data);
  if (!path.ok()) return;
  if (reader_name_ == data) close_reader();
  ::unlink(path->c_str());
}

void SnapshotFiles::abort_receive() { close_incoming(); }

void SnapshotFiles::close_reader() {
  if (reader_fd_ >= 0) ::close(reader_fd_);
  reader_fd_ = -1;
  reader_name_.clear();
}

void SnapshotFiles::close_incoming() {
  if (incoming_fd_ < 0) return;
  ::close(incoming_fd_);
  incoming_fd_ = -1;
  ::unlink((options_.dir + "/" + std::string(kIncoming)).c_str());
}

}  // namespace medtrail::node
