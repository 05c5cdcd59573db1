#include "core/block_applier.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <set>

#include "medtrail/ledger/envelope.h"

namespace medtrail::node {
namespace {

std::string encode_index(uint64_t index) {
  std::string out;
  ledger::append_be64(out, index);
  return out;
}

void put_applied(rocksdb::WriteBatch& batch, ledger::ChainStore& store, uint64_t index) {
  batch.Put(store.column_family(ledger::ColumnFamily::kMeta), BlockApplier::kAppliedIndexKey,
            encode_index(index));
}

// Verdict on one envelope's signature; runs on the verify pool.
struct Verified {
  const ledger::Bytes* key = nullptr;
  ledger::ExecutionResult failure;  // set when the record must be left out
  bool ok = false;
};

// Keeps the checkpoints a block may carry: for an earlier block of this chain, matching it, and
// signed by a quorum. Depends only on the chain so far and genesis: every node keeps the same.
std::vector<ledger::SignedCheckpoint> valid_checkpoints(
    const ledger::ChainStore& store, const ledger::CheckpointTrust& trust,
    const std::vector<ledger::SignedCheckpoint>& proposed) {
  std::vector<ledger::SignedCheckpoint> kept;
  for (const ledger::SignedCheckpoint& sc : proposed) {
    const ledger::Checkpoint& cp = sc.checkpoint;
    if (cp.chain_id != store.chain_id() || cp.height == 0 || cp.height > store.height()) continue;
    auto header = store.header_at(cp.height);
    if (!header.ok() || ledger::block_hash(store.suite(), *header) != cp.block_hash ||
        header->tree_size != cp.tree_size || header->tree_root != cp.tree_root) {
      continue;
    }
    if (!ledger::verify_checkpoint_quorum(store.suite(), sc, trust).ok()) continue;
    kept.push_back(sc);
  }
  return kept;
}

}  // namespace

static Result<uint64_t> read_applied(const ledger::ChainStore& store) {
  std::string value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(),
                                      store.column_family(ledger::ColumnFamily::kMeta),
                                      BlockApplier::kAppliedIndexKey, &value);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return Status::error("io_error", "reading the applied index: " + s.ToString());
  if (value.size() != 8) return Status::error("corruption", "stored applied index is damaged");
  return ledger::read_be64(reinterpret_cast<const uint8_t*>(value.data()));
}

Result<BlockApplier> BlockApplier::open(ledger::ChainStore& store, const SignerDirectory& signers,
                                        ledger::ParallelRunner& verify_runner,
                                        VerifiedSignatures* admitted) {
  auto applied = read_applied(store);
  if (!applied.ok()) return applied.status();
  return BlockApplier(store, signers, verify_runner, admitted, *applied);
}

Status BlockApplier::reload() {
  auto applied = read_applied(*store_);
  if (!applied.ok()) return applied.status();
  applied_index_ = *applied;
  return Status();
}

Status BlockApplier::skip(uint64_t index, rocksdb::WriteBatch* extra) {
  if (index <= applied_index_) {
    return Status::error("already_applied", "entry " + std::to_string(index) + " was applied");
  }
  rocksdb::WriteBatch own;
  rocksdb::WriteBatch& batch = extra != nullptr ? *extra : own;
  put_applied(batch, *store_, index);
  rocksdb::WriteOptions options;
  options.sync = false;  // the Raft log is durable; replaying a skipped entry is harmless
  rocksdb::Status s = store_->db()->Write(options, &batch);
  if (!s.ok()) return Status::error("io_error", "writing the applied index: " + s.ToString());
  applied_index_ = index;
  return Status();
}

Result<ApplyOutcome> BlockApplier::apply(const ledger::Proposal& proposal, uint64_t term,
                                         uint64_t index) {
  if (index <= applied_index_) {
    return Status::error("already_applied", "entry " + std::to_string(index) + " was applied");
  }
  const ledger::CryptoSuite& suite = store_->suite();
  const size_t n = proposal.envelopes.size();

  std::vector<Verified> verified(n);
  runner_->parallel_for(n, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const ledger::Envelope& e = proposal.envelopes[i];
      Verified& v = verified[i];
      v.key = signers_->find(e.signer);
      if (e.suite != suite.name()) {
        v.failure = ledger::ExecutionResult::reject("wrong_suite", "envelope suite is not the chain's");
      } else if (v.key == nullptr) {
        v.failure = ledger::ExecutionResult::reject("unknown_signer", "signer is not known to the chain");
      } else if (admitted_ != nullptr &&
                 admitted_->take(VerifiedSignatures::key_of(suite, e, *v.key))) {
        // Verified by this node at admission: the payload checks are cheap and run again,
        // the signature check is not repeated. Same verdict as verifying.
        auto fields = ledger::parse_payload(e);
        v.ok = fields.ok();
        if (!v.ok) {
          v.failure = ledger::ExecutionResult::reject(fields.status().code(), fields.status().message());
        }
      } else if (auto fields = ledger::validate_envelope(e, *v.key); !fields.ok()) {
        v.failure = ledger::ExecutionResult::reject(fields.status().code(), fields.status().message());
      } else {
        v.ok = true;
      }
    }
  });

  ApplyOutcome outcome;
  outcome.records.resize(n);
  ledger::BlockDraft draft;
  // Deterministic on every node: the proposal's time, never before the previous block's.
  draft.timestamp_ms = std::max(proposal.timestamp_ms, store_->last_timestamp_ms());
  draft.raft_term = term;
  draft.raft_index = index;
  draft.checkpoints = valid_checkpoints(*store_, signers_->checkpoint_trust(), proposal.checkpoints);

  std::set<ledger::Hash> in_this_block;
  std::vector<size_t> leaf_of(n, SIZE_MAX);  // envelope -> position among the new leaves
  for (size_t i = 0; i < n; ++i) {
    const ledger::Envelope& e = proposal.envelopes[i];
    RecordOutcome& r = outcome.records[i];
    r.record_hash = ledger::record_hash(e);
    if (!verified[i].ok) {
      r.kind = RecordOutcome::Kind::kForged;
      r.result = verified[i].failure;
      continue;
    }
    if (in_this_block.count(r.record_hash) != 0) {
      r.kind = RecordOutcome::Kind::kDuplicate;
      continue;  // filled in once the block's leaf indexes are known
    }
    if (auto existing = store_->find_record(r.record_hash); existing.ok()) {
      r.kind = RecordOutcome::Kind::kDuplicate;
      r.leaf_index = *existing;
      auto leaf = store_->leaf_at(*existing);
      if (!leaf.ok()) return leaf.status();
      r.height = leaf->height;
      r.result = leaf->result;
      continue;
    } else if (existing.status().code() != "not_found") {
      return existing.status();
    }
    in_this_block.insert(r.record_hash);
    leaf_of[i] = draft.leaves.size();
    draft.leaves.push_back({e, *verified[i].key, ledger::ExecutionResult::accept()});
  }

  rocksdb::WriteBatch extra;
  put_applied(extra, *store_, index);
  if (draft.leaves.empty()) {
    // Nothing to chain. The proposal's checkpoint signatures are not recorded either: the
    // leader keeps collected signatures until a block carries them. The index is recorded.
    rocksdb::Status s = store_->db()->Write(rocksdb::WriteOptions(), &extra);
    if (!s.ok()) return Status::error("io_error", "writing the applied index: " + s.ToString());
    applied_index_ = index;
    return outcome;
  }
  const uint64_t first_leaf = store_->tree_size();
  auto header = store_->append_block(draft, &extra);
  if (!header.ok()) return header.status();
  applied_index_ = index;
  outcome.block = *header;
  outcome.checkpoints = std::move(draft.checkpoints);

  for (size_t i = 0; i < n; ++i) {
    RecordOutcome& r = outcome.records[i];
    if (leaf_of[i] != SIZE_MAX) {
      r.height = header->height;
      r.leaf_index = first_leaf + leaf_of[i];
      r.result = draft.leaves[leaf_of[i]].result;
    }
  }
  // Duplicates inside this block point at the first occurrence, now that it has an index.
  for (size_t i = 0; i < n; ++i) {
    RecordOutcome& r = outcome.records[i];
    if (r.kind != RecordOutcome::Kind::kDuplicate || r.height != 0) continue;
    for (size_t j = 0; j < i; ++j) {
      if (leaf_of[j] != SIZE_MAX && outcome.records[j].record_hash == r.record_hash) {
        r.height = outcome.records[j].height;
        r.leaf_index = outcome.records[j].leaf_index;
        r.result = outcome.records[j].result;
        break;
      }
    }
  }
  return outcome;
}

}  // namespace medtrail::node
