// The Raft driver's snapshots: ledger images taken as Raft snapshots, and images received
// from a leader, verified as a whole chain before Raft may take them (Config::accept_snapshot).
#include <spdlog/spdlog.h>

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
  auto info = ledger::verify_ledger_image(snapshot.data, store_.suite(), store_.chain_id(),
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
  MEDTRAIL_RETURN_IF_ERROR(ledger::install_ledger_image(store_, snapshot.data,
                                                        image_meta_keys()));
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
  std::lock_guard lock(status_mu_);
  ++stats_.snapshots_installed;
  stats_.snapshot_bytes = snapshot.data.size();
  return Status();
}

void RaftDriver::maybe_take_snapshot() {
  if (options_.snapshot_every == 0) return;
  const uint64_t applied = applier_.applied_index();
  if (applied < last_snapshot_index_ + options_.snapshot_every) return;
  auto image = ledger::export_ledger_image(store_, image_meta_keys());
  if (!image.ok()) return fail(image.status());
  const size_t bytes = image->size();
  consensus::Status s = storage_->create_snapshot(applied, raft_->conf_state(), std::move(*image));
  if (s.ok()) s = storage_->sync();
  if (!s.ok()) return fail(from_raft(s));
  last_snapshot_index_ = applied;
  spdlog::info("raft: snapshot at {} ({} bytes); log compacted", applied, bytes);
  std::lock_guard lock(status_mu_);
  ++stats_.snapshots_taken;
  stats_.snapshot_bytes = bytes;
}

}  // namespace medtrail::node
