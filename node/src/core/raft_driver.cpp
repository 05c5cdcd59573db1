#include "core/raft_driver.h"

#include <spdlog/spdlog.h>

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "core/peer_frames.h"
#include "core/member_record.h"
#include "core/membership_plan.h"
#include "core/raft_driver_internal.h"
#include "core/raft_ids.h"
#include "core/store_state_view.h"
#include "medtrail/ledger/ledger_image.h"
#include "medtrail/ledger/thread_name.h"

namespace medtrail::node {

using driver_internal::from_raft;

namespace {

using Clock = std::chrono::steady_clock;

const char* role_name(consensus::Role role) {
  switch (role) {
    case consensus::Role::kFollower: return "follower";
    case consensus::Role::kPreCandidate: return "pre_candidate";
    case consensus::Role::kCandidate: return "candidate";
    case consensus::Role::kLeader: return "leader";
  }
  return "unknown";
}

const char* progress_name(consensus::RaftNode::Progress::State state) {
  using State = consensus::RaftNode::Progress::State;
  switch (state) {
    case State::kProbe: return "probe";
    case State::kReplicate: return "replicate";
    case State::kSnapshot: return "snapshot";
  }
  return "unknown";
}

}  // namespace

RaftDriver::RaftDriver(ledger::ChainStore& store, BlockApplier& applier, SubmissionQueue& queue,
                       RecordTracker& tracker, RaftDriverOptions options, SendFrame send)
    : store_(store),
      applier_(applier),
      queue_(queue),
      tracker_(tracker),
      options_(std::move(options)),
      time_(options_.time != nullptr ? *options_.time : real_time()),
      send_(std::move(send)),
      checkpoints_(store.suite(), options_.checkpoint_trust) {
  // Signatures the pool verified as they arrived are not verified again when a block carries
  // them (every pooled signature is checked once).
  applier_.use_pooled_checkpoints(&checkpoints_);
}

Result<std::unique_ptr<RaftDriver>> RaftDriver::open(ledger::ChainStore& store,
                                                     BlockApplier& applier, SubmissionQueue& queue,
                                                     RecordTracker& tracker,
                                                     RaftDriverOptions options, SendFrame send) {
  if (options.self.empty()) return Status::error("invalid", "raft driver needs its node id");
  std::unique_ptr<RaftDriver> d(
      new RaftDriver(store, applier, queue, tracker, std::move(options), std::move(send)));
  for (const std::string& name : d->options_.voters) d->names_[raft_id_of(name)] = name;
  d->names_[raft_id_of(d->options_.self)] = d->options_.self;
  if (store.height() > 0) {
    auto head = store.block_at(store.height());
    if (!head.ok()) return head.status();
    for (const auto& sc : head->checkpoints) {
      d->last_embedded_checkpoint_ = std::max(d->last_embedded_checkpoint_, sc.checkpoint.height);
    }
  }

  auto storage = consensus::RocksDbLogStorage::open(
      store.db(), store.column_family(ledger::ColumnFamily::kRaftLog),
      store.column_family(ledger::ColumnFamily::kRaftState));
  if (!storage.ok()) return from_raft(storage.status());
  d->storage_ = std::move(*storage);

  if (d->options_.snapshot_dir.empty()) return Status::error("invalid", "raft driver needs a snapshot dir");
  SnapshotFiles::Options files;
  files.dir = d->options_.snapshot_dir;
  files.max_image_bytes = ledger::kMaxLedgerImageBytes;
  files.min_free_bytes = d->options_.min_free_bytes;
  auto snapshot_files = SnapshotFiles::open(files);
  if (!snapshot_files.ok()) return snapshot_files.status();
  d->snapshot_files_ = std::move(*snapshot_files);
  auto stored = d->storage_->snapshot();
  if (!stored.ok()) return from_raft(stored.status());
  // Images no snapshot names: an export or a transfer a restart cut short, or superseded ones.
  d->snapshot_files_->remove_all_but(stored->data);

  // A snapshot persisted by Raft but not yet installed in the ledger (a crash in between, or
  // in the middle of the install) is installed now: it was verified before Raft persisted it.
  d->last_snapshot_index_ = d->storage_->first_index() - 1;
  if (d->last_snapshot_index_ > applier.applied_index() || store.install_interrupted()) {
    spdlog::warn("raft: finishing the install of snapshot {} interrupted by a restart",
                 stored->meta.index);
    MEDTRAIL_RETURN_IF_ERROR(d->install_image(*stored));
  }
  if (store.install_interrupted()) {
    return Status::error("install_interrupted",
                         "the ledger holds a half-installed image that no Raft snapshot can finish; "
                         "move the data dir aside and let the node catch up from its peers");
  }

  MEDTRAIL_RETURN_IF_ERROR(d->load_directory());

  MEDTRAIL_RETURN_IF_ERROR(d->commit_what_was_applied(applier.applied_index()));
  auto initial = d->storage_->initial_state();
  if (!initial.ok()) return from_raft(initial.status());
  if (initial->conf_state.voters.empty() && initial->conf_state.learners.empty()) {
    consensus::ConfState conf;
    for (const std::string& name : d->options_.voters) conf.voters.push_back(raft_id_of(name));
    std::sort(conf.voters.begin(), conf.voters.end());
    conf.voters.erase(std::unique(conf.voters.begin(), conf.voters.end()), conf.voters.end());
    if (conf.voters.empty()) return Status::error("invalid", "a new chain needs voters");
    MEDTRAIL_RETURN_IF_ERROR(from_raft(d->storage_->set_initial_conf(conf)));
    MEDTRAIL_RETURN_IF_ERROR(from_raft(d->storage_->sync()));
  }

  consensus::Config config;
  config.id = raft_id_of(d->options_.self);
  config.election_ticks = d->options_.election_ticks;
  config.heartbeat_ticks = d->options_.heartbeat_ticks;
  // An append must fit a peer frame with room for the message's own fields.
  config.max_message_bytes = std::min<uint64_t>(1 << 20, d->options_.max_frame_bytes / 4);
  config.snapshot_chunk_bytes = config.max_message_bytes;
  config.applied = applier.applied_index();
  config.seed = d->options_.raft_seed != 0
                    ? d->options_.raft_seed
                    : config.id ^ static_cast<uint64_t>(d->time_.now().time_since_epoch().count());
  // A received image is verified as a whole chain before Raft may take it: one that is not this
  // chain's is refused and counted, and the node keeps its log and goes on (a peer's bad image
  // once stopped the node). Called on the driver thread, inside step().
  ForwardScreen::Options screen_options;
  screen_options.penalty = d->options_.forward_penalty;
  screen_options.max_proposal_bytes = d->options_.max_frame_bytes / 4;
  d->forward_screen_ = std::make_unique<ForwardScreen>(store, applier.signers(), d->options_.verify_runner,
                                                       d->options_.verified, screen_options);
  RaftDriver* driver = d.get();
  config.accept_snapshot = [driver](const consensus::Snapshot& snapshot) {
    Status s;
    try {
      s = driver->verify_image(snapshot);
    } catch (const std::exception& e) {
      s = Status::error("bad_snapshot", std::string("verifying the image failed: ") + e.what());
    }
    if (!s.ok()) spdlog::warn("raft: {}", s.message());
    return s.ok();
  };
  config.max_snapshot_bytes = ledger::kMaxLedgerImageBytes;
  config.snapshot_io = d->snapshot_files_;
  auto raft = consensus::RaftNode::create(config, *d->storage_);
  if (!raft.ok()) return from_raft(raft.status());
  d->raft_ = std::move(*raft);
  d->membership_changed_ = true;  // published when the driver starts
  d->refresh_status();
  return d;
}

RaftDriver::~RaftDriver() {
  stop();
  wait_for_export();
  applier_.use_pooled_checkpoints(nullptr);  // the applier may outlive the pool
}

void RaftDriver::start() {
  next_tick_ = time_.now() + options_.tick;
  thread_ = std::thread([this] {
    ledger::name_this_thread("raft-driver");
    run();
  });
}

void RaftDriver::stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(inbox_mu_);
    if (!stop_requested_) {
      stop_requested_ = true;
      drain_until_ = time_.now() + drain;
    }
  }
  inbox_cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void RaftDriver::wake() {
  {
    std::lock_guard lock(inbox_mu_);
    woken_ = true;
  }
  inbox_cv_.notify_one();
}

void RaftDriver::run() {
  publish_membership();
  auto next_expiry = time_.now();
  bool draining = false;
  for (;;) {
    {
      std::unique_lock lock(inbox_mu_);
      auto wake_at = next_tick_;
      if (auto due = next_proposal_due()) wake_at = std::min(wake_at, *due);
      wake_at = std::min(wake_at, next_expiry);
      if (draining) wake_at = std::min(wake_at, drain_until_);
      inbox_cv_.wait_until(lock, wake_at,
                           [&] { return woken_ || (stop_requested_ && !draining); });
      woken_ = false;
      if (stop_requested_) {
        draining = true;
        // Stop once the drain time is over, or earlier when nothing of ours is in flight.
        const bool idle = queue_.size() == 0 && raft_->applied() >= raft_->last_index();
        if (time_.now() >= drain_until_ || idle || failed_) break;
      }
    }
    if (failed_) {
      // Keep the thread alive for stop(); do nothing more.
      std::unique_lock lock(inbox_mu_);
      inbox_cv_.wait(lock, [&] { return stop_requested_; });
      break;
    }
    round(draining, next_expiry);
  }
  refresh_status();
}

void RaftDriver::step() {
  if (failed_) return;
  if (!stepped_) {
    stepped_ = true;
    next_tick_ = time_.now() + options_.tick;
    next_step_expiry_ = time_.now();
    publish_membership();
  }
  round(/*draining=*/false, next_step_expiry_);
}

void RaftDriver::round(bool draining, std::chrono::steady_clock::time_point& next_expiry) {
  try {
    loop_once(draining);
  } catch (const std::exception& e) {
    // Apply is total by design (docs/design.md, "Apply is total"); an exception here is a bug
    // or the machine out of memory. Stop cleanly, failing closed, rather than terminate.
    fail(Status::error("internal", std::string("the driver failed: ") + e.what()));
    return;
  }
  const auto now = time_.now();
  if (now >= next_expiry) {
    next_expiry = std::min(tracker_.expire(now), now + options_.tick);
  }
  refresh_status();
}

void RaftDriver::loop_once(bool draining) {
  step_inbox();
  const auto now = time_.now();
  if (now >= next_governance_check_) follow_governance(now);
  if (now >= next_tick_) {
    raft_->tick();
    next_tick_ += options_.tick;
    if (next_tick_ < now) next_tick_ = now + options_.tick;  // we fell behind: do not burst
  }
  if (size_t expired = queue_.drop_older_than(now - options_.max_queue_age); expired > 0) {
    std::lock_guard lock(status_mu_);
    stats_.records_expired += expired;
  }
  // Once per loop. Records held behind entries in flight are released by the acknowledgements
  // step_inbox takes (or, for a lone voter, by its own entry turning durable in handle_ready:
  // run() then wakes at once, next_proposal_due being past). Proposing again after a Ready
  // would give records that came during its fsync a Ready and an fsync of their own, instead
  // of sharing the next one with the acknowledgements that arrive meanwhile.
  propose_batches(draining);
  while (!failed_ && raft_->has_ready()) handle_ready();
  // An export that finished while no Ready came (an idle follower) is taken now.
  if (!failed_ && export_) finish_export();
  if (!failed_ && !raft_->failure().ok()) fail(from_raft(raft_->failure()));
}

void RaftDriver::propose_batches(bool flush) {
  const consensus::SoftState soft = raft_->soft_state();
  if (soft.leader == consensus::kNoNode) return;  // keep them until there is a leader
  const bool leader = soft.role == consensus::Role::kLeader;
  for (;;) {
    if (leader && !flush && proposals_held()) return;
    std::vector<ledger::Envelope> batch = queue_.take_due(time_.now(), flush);
    if (batch.empty()) return;
    ledger::Proposal proposal;
    proposal.envelopes = std::move(batch);
    const size_t n = proposal.envelopes.size();
    if (leader) {
      propose_local(std::move(proposal));
    } else {
      const std::string to = name_of(soft.leader);
      const bool sent = !to.empty() && send_(to, forward_frame(proposal));
      std::lock_guard lock(status_mu_);
      if (sent) {
        ++stats_.proposals_forwarded;
        stats_.records_proposed += n;
      } else {
        ++stats_.proposals_dropped;
      }
    }
  }
}

bool RaftDriver::proposals_held() const {
  // Counted to the commit index, not the applied one: the acknowledgements that commit an entry
  // release the next proposal before this round's Ready, so it shares that Ready's one fsync.
  const uint64_t last = raft_->last_index();
  const uint64_t commit = raft_->hard_state().commit;
  const uint64_t in_flight = last > commit ? last - commit : 0;
  return in_flight >= options_.max_proposals_in_flight && !queue_.has_full_batch();
}

std::optional<std::chrono::steady_clock::time_point> RaftDriver::next_proposal_due() const {
  const consensus::SoftState soft = raft_->soft_state();
  if (soft.leader == consensus::kNoNode) return std::nullopt;
  if (soft.role == consensus::Role::kLeader && proposals_held()) return std::nullopt;
  return queue_.next_due();
}

void RaftDriver::propose_local(ledger::Proposal proposal) {
  // The leader's clock stamps the block (a follower's clock never does); apply keeps block
  // time from going backwards.
  proposal.timestamp_ms = time_.wall_ms();
  // The newest checkpoint a quorum signed, once, so the chain records the agreement.
  bool embedded = false;
  if (auto cp = checkpoints_.newest_quorum(store_);
      cp && cp->checkpoint.height > last_embedded_checkpoint_) {
    proposal.checkpoints.push_back(std::move(*cp));
    embedded = true;
  }
  const size_t n = proposal.envelopes.size();
  ledger::Bytes bytes = ledger::encode_proposal(proposal);
  consensus::Status s = raft_->propose(std::string(bytes.begin(), bytes.end()));
  std::lock_guard lock(status_mu_);
  if (s.ok()) {
    ++stats_.proposals;
    stats_.records_proposed += n;
    if (embedded) ++stats_.checkpoints_embedded;
  } else {
    ++stats_.proposals_dropped;
  }
}

void RaftDriver::handle_ready() {
  consensus::Ready ready = raft_->ready();
  if (ready.soft_state) {
    const bool was_leader = leader_.load();
    leader_ = ready.soft_state->role == consensus::Role::kLeader;
    if (leader_ != was_leader || ready.soft_state->leader != consensus::kNoNode) {
      spdlog::info("raft: {} (leader {})", role_name(ready.soft_state->role),
                   name_of(ready.soft_state->leader));
    }
  }
  // A leader's appends go out before its own sync (Ready::send_first), so its followers write
  // while it does; it counts its own entries toward a commit only at advance().
  if (ready.send_first) send(ready.messages);
  if (Status s = persist(ready); !s.ok()) return fail(s);
  if (!ready.send_first) send(ready.messages);
  if (ready.snapshot) {
    if (Status s = install_image(*ready.snapshot); !s.ok()) return fail(s);
  }
  for (const consensus::Entry& entry : ready.committed_entries) {
    if (Status s = apply(entry); !s.ok()) return fail(s);
  }
  raft_->advance(ready);
  if (membership_changed_) publish_membership();
  maybe_take_snapshot();
}

Status RaftDriver::commit_what_was_applied(uint64_t applied) {
  // A commit index alone is written unsynced (Ready::must_sync) and the blocks applied under it
  // follow it into the same RocksDB WAL, so a power cut keeps both or neither. Should a
  // recovery ever keep a block but not the commit index before it, the block still proves its
  // entry committed: the commit index is raised to it rather than the node refusing to start.
  auto initial = storage_->initial_state();
  if (!initial.ok()) return from_raft(initial.status());
  consensus::HardState hs = initial->hard_state;
  if (applied <= hs.commit) return Status();
  if (applied > storage_->last_index()) {
    return Status::error("corruption", "the ledger holds blocks of Raft entries past the log's "
                                       "end (" + std::to_string(applied) + " > " +
                                           std::to_string(storage_->last_index()) + ")");
  }
  spdlog::warn("raft: the durable commit index {} is below the applied index {}; raised to it",
               hs.commit, applied);
  hs.commit = applied;
  MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->set_hard_state(hs)));
  return from_raft(storage_->sync());
}

Status RaftDriver::persist(const consensus::Ready& ready) {
  if (ready.snapshot) {
    // Raft hands over only a snapshot accept_snapshot verified: a bad image never replaces our log.
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->apply_snapshot(*ready.snapshot)));
  }
  if (!ready.entries.empty()) {
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->append(ready.entries)));
  }
  // Last, so a commit index never reaches the disk before the entries it names.
  if (ready.hard_state) {
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->set_hard_state(*ready.hard_state)));
  }
  if (ready.must_sync && options_.fsync) {
    const auto started = Clock::now();  // a real duration, whatever time the driver runs on
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->sync()));
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started);
    std::lock_guard lock(status_mu_);
    ++stats_.syncs;
    stats_.sync_nanos += static_cast<uint64_t>(nanos.count());
  }
  return Status();
}

void RaftDriver::send(const std::vector<consensus::Message>& messages) {
  for (const consensus::Message& m : messages) {
    const std::string to = name_of(m.to);
    if (to.empty()) continue;
    (void)send_(to, raft_frame(m));  // a full queue loses the message; Raft resends
  }
}

Status RaftDriver::apply(const consensus::Entry& entry) {
  if (entry.index <= applier_.applied_index()) return Status();
  if (entry.type == consensus::EntryType::kConfChange) return apply_conf_change(entry);
  if (entry.data.empty()) return applier_.skip(entry.index);  // a new leader's no-op
  auto proposal = ledger::decode_proposal(ledger::as_bytes(entry.data));
  if (!proposal.ok()) {
    // Only a faulty leader commits bytes that are not a proposal; every node skips them alike.
    spdlog::warn("raft: entry {} is not a proposal ({}); skipped", entry.index,
                 proposal.status().message());
    return applier_.skip(entry.index);
  }
  auto outcome = applier_.apply(*proposal, entry.term, entry.index);
  if (!outcome.ok()) return outcome.status();
  // Before any client hears "committed": /v1/status must not show less than they were told.
  refresh_status();
  for (const RecordOutcome& r : outcome->records) {
    tracker_.resolve(r.record_hash, RecordStatus::from_outcome(ledger::to_hex(r.record_hash), r));
  }
  if (outcome->block) {
    {
      std::lock_guard lock(status_mu_);
      ++stats_.blocks_applied;
    }
    for (const auto& sc : outcome->checkpoints) {
      last_embedded_checkpoint_ = std::max(last_embedded_checkpoint_, sc.checkpoint.height);
    }
    if (options_.checkpoint_key && outcome->block->height % options_.checkpoint_every == 0) {
      sign_checkpoint(outcome->block->height);
    }
  }
  if (on_applied_) on_applied_(*proposal, *outcome);
  return Status();
}

void RaftDriver::sign_checkpoint(uint64_t height) {
  auto cp = CheckpointPool::checkpoint_at(store_, height);
  if (!cp.ok()) return fail(cp.status());
  auto sig = ledger::sign_checkpoint(store_.suite(), *cp, options_.checkpoint_signer,
                                     *options_.checkpoint_key);
  if (!sig.ok()) return fail(sig.status());
  ledger::SignedCheckpoint signed_cp{*cp, {std::move(*sig)}};
  if (Status s = checkpoints_.add(signed_cp, store_.height()); !s.ok()) {
    // Our own key is not the one genesis pins: the node was started with the wrong key file.
    return fail(s);
  }
  const std::string frame = checkpoint_frame(signed_cp);
  for (const auto& [id, name] : names_) {
    if (name != options_.self) (void)send_(name, frame);
  }
  std::lock_guard lock(status_mu_);
  ++stats_.checkpoints_signed;
}

void RaftDriver::fail(const Status& status) {
  if (failed_.exchange(true)) return;
  leader_ = false;
  spdlog::critical("raft driver stopped: {}: {}", status.code(), status.message());
  {
    std::lock_guard lock(status_mu_);
    status_.failure = status.code() + ": " + status.message();
    status_.role = "failed";
  }
  if (on_failure_) on_failure_(status);
}

std::string RaftDriver::name_of(consensus::NodeId id) const {
  auto it = names_.find(id);
  return it == names_.end() ? std::string() : it->second;
}

void RaftDriver::refresh_status() {
  RaftStatus s;
  const consensus::SoftState soft = raft_->soft_state();
  const consensus::HardState hard = raft_->hard_state();
  s.role = role_name(soft.role);
  s.term = hard.term;
  s.leader = name_of(soft.leader);
  s.commit_index = hard.commit;
  s.applied_index = applier_.applied_index();
  s.last_index = raft_->last_index();
  const consensus::RaftNode::Counters counters = raft_->counters();
  const consensus::ConfState conf = raft_->conf_state();
  for (consensus::NodeId id : conf.voters) s.voters.push_back(name_of(id));
  for (consensus::NodeId id : conf.learners) s.learners.push_back(name_of(id));
  for (const auto& p : raft_->progress()) {
    if (p.id == raft_id_of(options_.self)) continue;
    s.progress.push_back({name_of(p.id), p.match, p.next, progress_name(p.state), p.recently_active});
  }
  std::lock_guard lock(status_mu_);
  stats_.raft = counters;
  if (!status_.failure.empty()) {
    s.failure = status_.failure;
    s.role = "failed";
  }
  status_ = std::move(s);
}

RaftStatus RaftDriver::status() const {
  std::lock_guard lock(status_mu_);
  return status_;
}

RaftDriverStats RaftDriver::stats() const {
  std::lock_guard lock(status_mu_);
  return stats_;
}

}  // namespace medtrail::node
