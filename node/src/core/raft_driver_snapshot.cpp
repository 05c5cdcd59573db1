// The Raft driver's snapshots: ledger images taken as Raft snapshots (exported to a file off
// the driver thread), and images received from a leader into a file, verified as a whole chain
// before Raft may take them (Config::accept_snapshot). Images never sit in memory
// (core/snapshot_files.h).
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "core/member_record.h"
#include "core/raft_driver.h"
#include "core/raft_driver_internal.h"
#include "medtrail/ledger/ledger_image.h"

namespace medtrail::node {

using driver_internal::from_raft;
using driver_internal::image_meta_keys;

Status RaftDriver::verify_image(const consensus::Snapshot& snapshot) {
  ledger::InlineRunner inline_runner;
  ledger::ParallelRunner& runner =
      options_.verify_runner != nullptr ? *options_.verify_runner : inline_runner;
  const std::string scratch = options_.scratch_dir.empty()
                                  ? std::string()
                                  : options_.scratch_dir + "/image-" + std::to_string(snapshot.meta.index);
  if (scratch.empty()) return Status::error("invalid", "no scratch dir for verifying a snapshot");
  auto path = snapshot_files_->path_of(snapshot.data);
  if (!path.ok()) return path.status();
  auto info = ledger::verify_ledger_image_file(*path, store_.suite(), store_.chain_id(),
                                               options_.checkpoint_trust, runner, scratch,
                                               image_meta_keys());
  if (!info.ok()) {
    return Status::error("bad_snapshot", "snapshot " + std::to_string(snapshot.meta.index) +
                                             " refused: " + info.status().to_string());
  }
  // The verifier vouches for the ledger; the node's own keys it carries are checked here,
  // before anything is persisted: an image whose applied index is not the snapshot's, or whose
  // member records do not read, would be installed and then stop the node at every start.
  auto refuse = [&](const std::string& why) {
    return Status::error("bad_snapshot",
                         "snapshot " + std::to_string(snapshot.meta.index) + " refused: " + why);
  };
  auto applied = info->extra_meta.find(BlockApplier::kAppliedIndexKey);
  if (applied == info->extra_meta.end() || applied->second.size() != 8 ||
      ledger::read_be64(reinterpret_cast<const uint8_t*>(applied->second.data())) !=
          snapshot.meta.index) {
    return refuse("its applied index is not the snapshot's");
  }
  for (const auto& [key, value] : info->extra_meta) {
    if (key == BlockApplier::kAppliedIndexKey) continue;
    auto node = member_from_json(value, store_.suite());
    if (!node.ok() || member_key(node->id) != key) return refuse("a member record does not read");
  }
  spdlog::info("raft: snapshot {} verified: height {}, {} records", snapshot.meta.index,
               info->height, info->tree_size);
  return Status();
}

Status RaftDriver::install_image(const consensus::Snapshot& snapshot) {
  if (SnapshotFiles::is_inline(snapshot.data)) {
    MEDTRAIL_RETURN_IF_ERROR(ledger::install_ledger_image(store_, snapshot.data, image_meta_keys()));
  } else {
    auto path = snapshot_files_->path_of(snapshot.data);
    if (!path.ok()) return path.status();
    MEDTRAIL_RETURN_IF_ERROR(ledger::install_ledger_image_file(store_, *path, image_meta_keys()));
  }
  MEDTRAIL_RETURN_IF_ERROR(applier_.reload());
  if (applier_.applied_index() != snapshot.meta.index) {
    return Status::error("bad_snapshot", "image applied index " +
                                             std::to_string(applier_.applied_index()) +
                                             " is not the snapshot's " +
                                             std::to_string(snapshot.meta.index));
  }
  last_snapshot_index_ = snapshot.meta.index;
  MEDTRAIL_RETURN_IF_ERROR(load_directory());
  membership_changed_ = true;
  // An export under way is of an older state: the installed image supersedes it.
  wait_for_export();
  snapshot_files_->remove_all_but(snapshot.data);
  auto bytes = snapshot_files_->image_size(snapshot.data);
  {
    std::lock_guard lock(status_mu_);
    ++stats_.snapshots_installed;
    stats_.snapshot_bytes = bytes.ok() ? *bytes : 0;
  }
  if (on_image_installed_) on_image_installed_();
  return Status();
}

void RaftDriver::maybe_take_snapshot() {
  if (export_) return finish_export();
  if (options_.snapshot_every == 0) return;
  const uint64_t applied = applier_.applied_index();
  if (applied < last_snapshot_index_ + options_.snapshot_every) return;
  // The RocksDB snapshot fixes the ledger as of `applied` (the applied index is written in each
  // block's batch); the thread writes the image from it while the driver goes on.
  rocksdb::DB* db = store_.db();
  const rocksdb::Snapshot* at = db->GetSnapshot();
  Export e;
  e.index = applied;
  e.conf = raft_->conf_state();
  e.name = snapshot_files_->new_name(applied);
  auto path = snapshot_files_->path_of(e.name);
  if (!path.ok()) {
    db->ReleaseSnapshot(at);
    return fail(path.status());
  }
  cancel_export_ = false;
  // Deferred (the simulator): the export runs on this thread when finish_export asks for it.
  const auto policy = options_.export_in_background ? std::launch::async : std::launch::deferred;
  e.done = std::async(policy, [this, db, at, file = *path]() -> Status {
    ledger::ImageExportOptions options;
    options.at = at;
    options.cancel = &cancel_export_;
    auto bytes = ledger::export_ledger_image_file(store_, image_meta_keys(), file, options);
    db->ReleaseSnapshot(at);
    wake();
    return bytes.status();
  });
  export_ = std::move(e);
  spdlog::info("raft: exporting a snapshot at {}", applied);
  if (!options_.export_in_background) finish_export();
}

void RaftDriver::finish_export() {
  if (export_->done.wait_for(std::chrono::seconds(0)) == std::future_status::timeout) return;
  Export e = std::move(*export_);
  export_.reset();
  Status exported = e.done.get();
  if (!exported.ok()) {
    // The chain is fine; only compaction waits. Try again after another `snapshot_every`.
    spdlog::warn("raft: snapshot at {} not taken: {}", e.index, exported.to_string());
    snapshot_files_->discard(e.name);
    last_snapshot_index_ = e.index;
    return;
  }
  if (e.index <= storage_->first_index() - 1) {
    snapshot_files_->discard(e.name);  // an installed image overtook it
    return;
  }
  consensus::Status s = storage_->create_snapshot(e.index, e.conf, e.name);
  if (s.ok()) s = storage_->sync();
  if (!s.ok()) {
    snapshot_files_->discard(e.name);
    return fail(from_raft(s));
  }
  last_snapshot_index_ = e.index;
  snapshot_files_->remove_all_but(e.name);
  auto bytes = snapshot_files_->image_size(e.name);
  spdlog::info("raft: snapshot at {} ({} bytes); log compacted", e.index, bytes.ok() ? *bytes : 0);
  std::lock_guard lock(status_mu_);
  ++stats_.snapshots_taken;
  stats_.snapshot_bytes = bytes.ok() ? *bytes : 0;
}

void RaftDriver::wait_for_export() {
  if (!export_) return;
  cancel_export_ = true;
  export_->done.wait();
  snapshot_files_->discard(export_->name);
  export_.reset();
}

}  // namespace medtrail::node
