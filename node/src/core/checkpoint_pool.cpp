#include "core/checkpoint_pool.h"

#include <algorithm>
#include <set>

namespace medtrail::node {

Status CheckpointPool::add(const ledger::SignedCheckpoint& signed_cp, uint64_t local_height) {
  const ledger::Checkpoint& cp = signed_cp.checkpoint;
  // Heights far behind or far ahead of our own chain are of no use, and a peer must not be
  // able to grow the pool without bound. Checked first: it costs nothing, a signature does.
  const uint64_t oldest = local_height > kWindowHeights ? local_height - kWindowHeights : 0;
  if (cp.height <= oldest || cp.height > local_height + kWindowHeights) {
    return Status::error("checkpoint_out_of_window", "checkpoint height outside the window");
  }
  if (signed_cp.signatures.empty()) {
    return Status::error("checkpoint_unsigned", "a checkpoint without signatures");
  }
  // Verify outside the lock: signatures are the expensive part.
  std::vector<ledger::CheckpointSignature> good;
  for (const ledger::CheckpointSignature& sig : signed_cp.signatures) {
    auto trusted = std::find_if(trust_.signers.begin(), trust_.signers.end(),
                                [&](const ledger::TrustedSigner& t) { return t.signer == sig.signer; });
    if (trusted == trust_.signers.end() || trusted->public_key != sig.public_key) {
      return Status::error("checkpoint_untrusted_signer", "not a node key genesis pins");
    }
    ledger::SignedCheckpoint one{cp, {sig}};
    MEDTRAIL_RETURN_IF_ERROR(ledger::verify_checkpoint_signatures(suite_, one));
    good.push_back(sig);
  }
  std::lock_guard lock(mu_);
  while (!heights_.empty() && heights_.begin()->first <= oldest) heights_.erase(heights_.begin());
  std::vector<Version>& versions = heights_[cp.height];
  auto it = std::find_if(versions.begin(), versions.end(),
                         [&](const Version& v) { return v.checkpoint == cp; });
  // A signer vouches for one version of a height. Signing a second is equivocation, evidence
  // against that node, and refused: otherwise one member could fill a height with versions of
  // its own before the honest signatures arrive, and no checkpoint would reach a quorum there.
  for (const ledger::CheckpointSignature& sig : good) {
    for (const Version& v : versions) {
      if (!(v.checkpoint == cp) && v.signatures.count(sig.signer) != 0) {
        ++conflicts_;
        return Status::error("checkpoint_equivocation",
                             sig.signer + " already signed another checkpoint at this height");
      }
    }
  }
  if (it == versions.end()) {
    if (!versions.empty()) ++conflicts_;
    // At most one version per trusted signer (above); the cap is a second line.
    if (versions.size() >= std::max(kMaxVersionsPerHeight, trust_.signers.size())) {
      return Status::error("checkpoint_out_of_window", "too many versions of one height");
    }
    versions.push_back({cp, {}});
    it = versions.end() - 1;
  }
  for (ledger::CheckpointSignature& sig : good) it->signatures.emplace(sig.signer, std::move(sig));
  return Status();
}

Result<ledger::Checkpoint> CheckpointPool::checkpoint_at(const ledger::ChainStore& store,
                                                         uint64_t height) {
  auto header = store.header_at(height);
  if (!header.ok()) return header.status();
  ledger::Checkpoint cp;
  cp.chain_id = store.chain_id();
  cp.height = height;
  cp.block_hash = ledger::block_hash(store.suite(), *header);
  cp.tree_size = header->tree_size;
  cp.tree_root = header->tree_root;
  return cp;
}

std::optional<ledger::SignedCheckpoint> CheckpointPool::matching_quorum(
    const ledger::ChainStore& store, uint64_t height, const std::vector<Version>& versions) const {
  auto ours = checkpoint_at(store, height);
  if (!ours.ok()) return std::nullopt;
  for (const Version& v : versions) {
    if (!(v.checkpoint == *ours)) continue;
    ledger::SignedCheckpoint sc = signed_of(v);
    // Every pooled signature was verified by add().
    if (ledger::check_checkpoint_quorum(sc, trust_).ok()) return sc;
  }
  return std::nullopt;
}

std::optional<ledger::SignedCheckpoint> CheckpointPool::newest_quorum(
    const ledger::ChainStore& store) const {
  // Called for every proposal: from the newest height down, only the versions that already
  // carry a quorum are copied out (the newest heights usually do not yet), and the walk stops
  // at the first height where one matches the store's block.
  uint64_t below = store.height() + 1;
  for (;;) {
    uint64_t h = 0;
    std::vector<Version> with_quorum;
    {
      std::lock_guard lock(mu_);
      for (auto it = std::make_reverse_iterator(heights_.lower_bound(below)); it != heights_.rend(); ++it) {
        for (const Version& v : it->second) {
          if (has_quorum(v)) with_quorum.push_back(v);
        }
        if (!with_quorum.empty()) {
          h = it->first;
          break;
        }
      }
    }
    if (with_quorum.empty()) return std::nullopt;
    if (auto sc = matching_quorum(store, h, with_quorum)) return sc;
    below = h;  // a version this node's chain does not have (a fork, a lie): look further down
  }
}

bool CheckpointPool::has_quorum(const Version& v) const {
  return ledger::check_checkpoint_quorum(signed_of(v), trust_).ok();
}

ledger::SignedCheckpoint CheckpointPool::signed_of(const Version& v) {
  ledger::SignedCheckpoint sc{v.checkpoint, {}};
  for (const auto& [signer, sig] : v.signatures) sc.signatures.push_back(sig);
  return sc;
}

std::optional<ledger::SignedCheckpoint> CheckpointPool::quorum_at(const ledger::ChainStore& store,
                                                                  uint64_t height) const {
  if (height == 0 || height > store.height()) return std::nullopt;
  std::vector<Version> versions;
  {
    std::lock_guard lock(mu_);
    auto it = heights_.find(height);
    if (it == heights_.end()) return std::nullopt;
    versions = it->second;
  }
  return matching_quorum(store, height, versions);
}

bool CheckpointPool::holds(const ledger::Checkpoint& cp, const ledger::CheckpointSignature& sig) const {
  std::lock_guard lock(mu_);
  auto height = heights_.find(cp.height);
  if (height == heights_.end()) return false;
  for (const Version& v : height->second) {
    if (!(v.checkpoint == cp)) continue;
    auto it = v.signatures.find(sig.signer);
    return it != v.signatures.end() && it->second == sig;
  }
  return false;
}

uint64_t CheckpointPool::conflicts() const {
  std::lock_guard lock(mu_);
  return conflicts_;
}

}  // namespace medtrail::node
