#pragma once
// Where a snapshot's image lives while a leader sends it and a follower receives it.
//
// Snapshot::data is what LogStorage keeps and what a Ready hands to the driver. By default it
// is the image itself, in memory (MemorySnapshotIo): fine for tests and the simulator. A state
// machine whose images are large (the node's ledger images reach gigabytes) keeps them in files
// and lets Snapshot::data be a short local reference to one. Then the leader reads each chunk
// from the file as it sends it, and a follower writes each chunk to a file as it arrives, so
// no node ever holds an image in memory and the core never sees more than one chunk.
//
// The core calls these on the thread that drives it, from step() and tick(). The two sides
// are independent: a node may send one snapshot while it receives another.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::consensus {

class SnapshotIo {
 public:
  virtual ~SnapshotIo() = default;

  // --- leader: `snapshot` is the one LogStorage::snapshot() returned ---
  virtual Result<uint64_t> size(const Snapshot& snapshot) = 0;
  // Up to `max_bytes` bytes from `offset` (fewer only at the end of the image).
  virtual Result<std::string> read(const Snapshot& snapshot, uint64_t offset,
                                   uint64_t max_bytes) = 0;

  // --- follower: one transfer at a time ---
  // A transfer of `size` bytes begins; whatever an unfinished one held is dropped. An error
  // (e.g. no room for `size` bytes) refuses the transfer; the leader tries again later.
  virtual Status begin_receive(const SnapshotMeta& meta, uint64_t size) = 0;
  // Appends the next chunk (the core checked it follows the bytes held, within `size`).
  virtual Status receive(std::string_view chunk) = 0;
  // Every byte is in: the Snapshot::data that stands for the image from now on.
  virtual Result<std::string> finish_receive() = 0;
  // Drops an unfinished transfer, or an image finish_receive() made that the core then did not
  // take (Config::accept_snapshot refused it, or the log already held it).
  virtual void discard(const std::string& data) = 0;
  virtual void abort_receive() = 0;
};

// The image is Snapshot::data itself.
class MemorySnapshotIo final : public SnapshotIo {
 public:
  Result<uint64_t> size(const Snapshot& snapshot) override { return snapshot.data.size(); }
  Result<std::string> read(const Snapshot& snapshot, uint64_t offset,
                           uint64_t max_bytes) override {
    if (offset > snapshot.data.size()) return Status::error("invalid", "read past the image");
    return snapshot.data.substr(offset, max_bytes);
  }
  Status begin_receive(const SnapshotMeta&, uint64_t) override {
    buffer_.clear();
    return Status();
  }
  Status receive(std::string_view chunk) override {
    buffer_.append(chunk);
    return Status();
  }
  Result<std::string> finish_receive() override { return std::exchange(buffer_, std::string()); }
  void discard(const std::string&) override {}
  void abort_receive() override { buffer_.clear(); }

 private:
  std::string buffer_;
};

}  // namespace medtrail::consensus
