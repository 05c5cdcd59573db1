#include "core/block_applier.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <set>

#include "core/store_state_view.h"
#include "medtrail/contracts/block_executor.h"
#include "medtrail/contracts/erasure.h"
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

// Speculation costs each record a second pass on conflict and the in-order commit stays serial:
// on two threads it gains nothing (docs/benchmarks.md, "Contracts"); from four it should.
constexpr size_t kMinThreadsToSpeculate = 4;

// Verdict on one envelope's signature; runs on the verify pool. A signer the committed state
// does not know may be registered by an earlier record of the same block: such a record is
// verified in block order instead (`deferred`).
struct Verified {
  std::optional<ledger::Bytes> key;
  std::optional<ledger::PayloadFields> fields;
  nlohmann::json body;  // the payload's body, parsed with the fields for the contracts
  ledger::ExecutionResult failure;  // set when the record must be left out
  bool ok = false;
  bool deferred = false;
};

ledger::ExecutionResult rejection(const ledger::Status& s) {
  return ledger::ExecutionResult::reject(s.code(), s.message());
}

// Every signature of `sc` verifies: taken from `pooled` when it holds the signature (verified
// when pooled), verified here otherwise.
bool signatures_verify(const ledger::CryptoSuite& suite, const ledger::SignedCheckpoint& sc,
                       const CheckpointPool* pooled) {
  for (const ledger::CheckpointSignature& sig : sc.signatures) {
    if (pooled != nullptr && pooled->holds(sc.checkpoint, sig)) continue;
    if (!ledger::verify_checkpoint_signatures(suite, {sc.checkpoint, {sig}}).ok()) return false;
  }
  return true;
}

// Keeps the checkpoints a block may carry: for an earlier block of this chain, matching it, and
// signed by a quorum. Depends only on the chain so far and genesis: every node keeps the same.
std::vector<ledger::SignedCheckpoint> valid_checkpoints(
    const ledger::ChainStore& store, const ledger::CheckpointTrust& trust,
    const std::vector<ledger::SignedCheckpoint>& proposed, const CheckpointPool* pooled) {
  std::vector<ledger::SignedCheckpoint> kept;
  for (const ledger::SignedCheckpoint& sc : proposed) {
    const ledger::Checkpoint& cp = sc.checkpoint;
    if (cp.chain_id != store.chain_id() || cp.height == 0 || cp.height > store.height()) continue;
    auto header = store.header_at(cp.height);
    if (!header.ok() || ledger::block_hash(store.suite(), *header) != cp.block_hash ||
        header->tree_size != cp.tree_size || header->tree_root != cp.tree_root) {
      continue;
    }
    if (!signatures_verify(store.suite(), sc, pooled) || !ledger::check_checkpoint_quorum(sc, trust).ok()) {
      continue;
    }
    kept.push_back(sc);
  }
  return kept;
}

// A record whose signer the committed state did not know: the block so far may have registered
// it. Verified here, in block order, so every node decides the same.
void verify_in_block_order(const contracts::BlockExecutor& executor, const ledger::Envelope& e,
                           Verified& v) {
  v.deferred = false;
  v.key = executor.signer_key(e.signer);
  if (!v.key) {
    v.failure = ledger::ExecutionResult::reject("unknown_signer", "signer is not known to the chain");
    return;
  }
  auto fields = ledger::validate_envelope(e, *v.key, &v.body);
  if (!fields.ok()) {
    v.failure = rejection(fields.status());
    return;
  }
  v.fields = std::move(*fields);
  v.ok = true;
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
  StoreStateView committed(*store_);
  runner_->parallel_for(n, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const ledger::Envelope& e = proposal.envelopes[i];
      Verified& v = verified[i];
      if (e.suite != suite.name()) {
        v.failure = ledger::ExecutionResult::reject("wrong_suite", "envelope suite is not the chain's");
        continue;
      }
      v.key = signers_->lookup(*store_, e.signer);
      if (!v.key) {
        v.deferred = true;
        continue;
      }
      if (admitted_ != nullptr && admitted_->take(VerifiedSignatures::key_of(suite, e, *v.key))) {
        // Verified by this node at admission: the payload checks are cheap and run again,
        // the signature check is not repeated. Same verdict as verifying.
        auto fields = ledger::parse_payload(e, &v.body);
        if (!fields.ok()) {
          v.failure = rejection(fields.status());
          continue;
        }
        v.fields = std::move(*fields);
      } else if (auto fields = ledger::validate_envelope(e, *v.key, &v.body); !fields.ok()) {
        v.failure = rejection(fields.status());
        continue;
      } else {
        v.fields = std::move(*fields);
      }
      v.ok = true;
    }
  });
  if (committed.failed()) return Status::error("io_error", "reading signers from the state failed");

  ApplyOutcome outcome;
  outcome.records.resize(n);
  ledger::BlockDraft draft;
  // Deterministic on every node: the proposal's time, never before the previous block's.
  draft.timestamp_ms = std::max(proposal.timestamp_ms, store_->last_timestamp_ms());
  draft.raft_term = term;
  draft.raft_index = index;
  draft.checkpoints = valid_checkpoints(*store_, signers_->checkpoint_trust(), proposal.checkpoints, pooled_);

  contracts::BlockExecutor executor(contracts::Registry::standard(), committed,
                                    signers_->chain_params(),
                                    {store_->height() + 1, static_cast<int64_t>(draft.timestamp_ms)});
  // With enough cores the contracts run on all of them: speculatively against the committed
  // state, then in block order, where a record that read what an earlier one wrote runs again.
  // On fewer threads the in-order pass alone is faster (docs/benchmarks.md, "Contracts").
  std::vector<ledger::Hash> hashes(n);
  std::vector<std::string> record_ids(n);
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = ledger::record_hash(suite, proposal.envelopes[i]);
    record_ids[i] = ledger::to_hex(hashes[i]);
  }
  if (runner_->concurrency() >= kMinThreadsToSpeculate) {
    std::vector<contracts::BlockExecutor::PendingRecord> pending;
    for (size_t i = 0; i < n; ++i) {
      if (!verified[i].ok) continue;
      pending.push_back({&proposal.envelopes[i], &*verified[i].fields, record_ids[i], &verified[i].body});
    }
    executor.speculate(pending, *runner_);
  }
  const uint64_t first_leaf = store_->tree_size();
  std::set<ledger::Hash> in_this_block;
  std::vector<size_t> leaf_of(n, SIZE_MAX);  // envelope -> position among the new leaves
  for (size_t i = 0; i < n; ++i) {
    const ledger::Envelope& e = proposal.envelopes[i];
    RecordOutcome& r = outcome.records[i];
    r.record_hash = hashes[i];
    if (verified[i].deferred) verify_in_block_order(executor, e, verified[i]);
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
    ledger::ExecutionResult result = executor.execute(e, *verified[i].fields, record_ids[i],
                                                      first_leaf + draft.leaves.size(), &verified[i].body);
    draft.leaves.push_back(
        {e, *verified[i].key, std::move(result), std::move(verified[i].fields), r.record_hash});
  }
  // Contracts read the committed state through `committed`: an unreadable value must not
  // be taken for an absent one.
  if (committed.failed()) return Status::error("io_error", "reading contract state failed");
  draft.state_writes = executor.take_writes();

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
  outcome.node_changes = contracts::node_changes(draft.state_writes);
  outcome.erased_patients = contracts::erased_patients(draft.state_writes);
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
