#pragma once
// The node's Raft snapshots as files, so no node ever holds a ledger image in memory: the
// image a node takes is exported straight to a file, a leader sends it chunk by chunk from the
// file, and a follower writes the chunks it receives to a file, verifies that file as a whole
// chain and installs from it (consensus/snapshot_io.h).
//
// Files live in one directory (<data_dir>/snapshots): images are `image-<index>-<16 hex>`,
// named once and never rewritten, and Snapshot::data is that name. The random part keeps a
// received image from ever taking the name of the one the node holds (the core may discard a
// received image whose entries the log already has). A transfer in progress is `incoming.part`.
// Raft storage names the current image; everything else in the directory is garbage, removed
// at start and after each new snapshot (remove_all_but).
//
// Snapshot::data written by an older node is the image itself ("MTIMAGE1..."): it is read in
// place, and replaced by a file at the next snapshot.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "medtrail/consensus/snapshot_io.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node {

class SnapshotFiles final : public consensus::SnapshotIo {
 public:
  struct Options {
    std::string dir;
    uint64_t max_image_bytes = 0;  // a transfer claiming more is refused
    // A transfer is refused unless the disk keeps this much free after it (the node's
    // [storage] min_free_mb: below that the node would stop).
    uint64_t min_free_bytes = 0;
  };

  // Creates the directory; removes a transfer a crash interrupted.
  static ledger::Result<std::shared_ptr<SnapshotFiles>> open(Options options);

  // A fresh name for an image at `index`.
  std::string new_name(uint64_t index) const;
  // Where the image `data` names lives; `invalid` for anything but an image name.
  ledger::Result<std::string> path_of(const std::string& data) const;
  // True for an image written inline by an older node.
  static bool is_inline(const std::string& data);
  // Removes every file of the directory but the image `keep` names (if it names one).
  void remove_all_but(const std::string& keep);
  // Bytes of the image `data` stands for.
  ledger::Result<uint64_t> image_size(const std::string& data) const;

  // consensus::SnapshotIo
  consensus::Result<uint64_t> size(const consensus::Snapshot& snapshot) override;
  consensus::Result<std::string> read(const consensus::Snapshot& snapshot, uint64_t offset,
                                      uint64_t max_bytes) override;
  consensus::Status begin_receive(const consensus::SnapshotMeta& meta, uint64_t size) override;
  consensus::Status receive(std::string_view chunk) override;
  consensus::Result<std::string> finish_receive() override;
  void discard(const std::string& data) override;
  void abort_receive() override;

  ~SnapshotFiles() override;

 private:
  explicit SnapshotFiles(Options options) : options_(std::move(options)) {}
  void close_reader();
  void close_incoming();

  Options options_;
  // The image being sent, kept open between chunks.
  std::string reader_name_;
  int reader_fd_ = -1;
  // The transfer being received.
  int incoming_fd_ = -1;
  uint64_t incoming_index_ = 0;
};

}  // namespace medtrail::node
