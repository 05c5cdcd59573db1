#include "core/raft_driver.h"

#include <spdlog/spdlog.h>

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <deque>

#include "core/forward_screen.h"
#include "core/peer_frames.h"
#include "core/member_record.h"
#include "core/membership_plan.h"
#include "core/raft_ids.h"
#include "core/store_state_view.h"
#include "medtrail/ledger/ledger_image.h"

namespace medtrail::node {

namespace {

using Clock = std::chrono::steady_clock;

// Peers cannot make the driver hoard what they send: each authenticated peer has its own share
// of the inbox (so a hostile one cannot crowd out the others), bounded in frames, bytes and
// forwarded records. Beyond it new frames are dropped: Raft tolerates loss, the sender retries,
// and a follower's clients resubmit.
constexpr size_t kMaxInboxMessagesPerPeer = 16384;
constexpr uint64_t kMaxInboxBytesPerPeer = 256ull << 20;
// A decoded envelope costs memory even when its bytes were few.
constexpr size_t kMaxInboxRecordsPerPeer = 200000;
// Screening costs a signature check per record on this thread. Forwards are split into slices
// on arrival and at most kScreenBudget records are screened per loop (at least one slice), so
// ticks and heartbeats go on whatever peers forward; the rest waits for the next loop.
constexpr size_t kForwardSlice = 1024;
constexpr size_t kScreenBudget = 2048;

Status from_raft(const consensus::Status& s) {
  return s.ok() ? Status() : Status::error(s.code(), s.message());
}

// Meta keys a ledger image carries besides the ledger's own: the applied index it matches,
// and the records of members added after genesis.
const std::vector<std::string>& image_meta_keys() {
  static const std::vector<std::string> keys{BlockApplier::kAppliedIndexKey, "member/"};
  return keys;
}

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

uint64_t wall_clock_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

RaftDriver::RaftDriver(ledger::ChainStore& store, BlockApplier& applier, SubmissionQueue& queue,
                       RecordTracker& tracker, RaftDriverOptions options, SendFrame send)
    : store_(store),
      applier_(applier),
      queue_(queue),
      tracker_(tracker),
      options_(std::move(options)),
      send_(std::move(send)),
      checkpoints_(store.suite(), options_.checkpoint_trust) {}

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

  // A snapshot persisted by Raft but not yet installed in the ledger (a crash in between) is
  // installed now: it was verified before Raft persisted it.
  d->last_snapshot_index_ = d->storage_->first_index() - 1;
  if (d->last_snapshot_index_ > applier.applied_index()) {
    auto snapshot = d->storage_->snapshot();
    if (!snapshot.ok()) return from_raft(snapshot.status());
    spdlog::warn("raft: finishing the install of snapshot {} interrupted by a restart",
                 snapshot->meta.index);
    MEDTRAIL_RETURN_IF_ERROR(d->install_image(*snapshot));
  }

  MEDTRAIL_RETURN_IF_ERROR(d->load_directory());

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
  config.seed = config.id ^ static_cast<uint64_t>(Clock::now().time_since_epoch().count());
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
  auto raft = consensus::RaftNode::create(config, *d->storage_);
  if (!raft.ok()) return from_raft(raft.status());
  d->raft_ = std::move(*raft);
  d->membership_changed_ = true;  // published when the driver starts
  d->refresh_status();
  return d;
}

RaftDriver::~RaftDriver() { stop(); }

void RaftDriver::start() {
  next_tick_ = Clock::now() + options_.tick;
  thread_ = std::thread([this] { run(); });
}

void RaftDriver::stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(inbox_mu_);
    if (!stop_requested_) {
      stop_requested_ = true;
      drain_until_ = Clock::now() + drain;
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

void RaftDriver::on_frame(const std::string& from, std::string frame) {
  auto decoded = decode_peer_frame(frame, options_.max_frame_bytes);
  if (!decoded.ok()) {
    std::lock_guard lock(status_mu_);
    ++stats_.malformed_frames;
    ++refusals_of(from).malformed_frames;
    return;
  }
  if (auto* cp = std::get_if<ledger::SignedCheckpoint>(&*decoded)) {
    // Pooled straight from the io thread: the pool is thread-safe and the driver need not wake.
    Status s = cp->checkpoint.chain_id == store_.chain_id()
                   ? checkpoints_.add(*cp, store_.height())
                   : Status::error("checkpoint_wrong_chain", "checkpoint of another chain");
    if (!s.ok()) {
      std::lock_guard lock(status_mu_);
      ++stats_.checkpoint_signatures_refused;
      ++refusals_of(from).checkpoint_signatures;
    }
    return;
  }
  bool refused = false;
  bool forwarded = false;
  {
    std::lock_guard lock(inbox_mu_);
    InboxUse& use = inbox_use_[from];
    const uint64_t bytes = frame.size();
    if (use.bytes + bytes > kMaxInboxBytesPerPeer) {
      refused = true;
      forwarded = std::holds_alternative<ledger::Proposal>(*decoded);
    } else if (auto* message = std::get_if<consensus::Message>(&*decoded)) {
      // The link authenticated `from`; a message claiming another sender is refused.
      if (message->from != raft_id_of(from) || use.messages >= kMaxInboxMessagesPerPeer) {
        refused = true;
      } else {
        ++use.messages;
        use.bytes += bytes;
        inbox_messages_.push_back({from, bytes, std::move(*message)});
      }
    } else {
      forwarded = true;
      ledger::Proposal& p = std::get<ledger::Proposal>(*decoded);
      if (use.records + p.envelopes.size() > kMaxInboxRecordsPerPeer) {
        refused = true;
      } else {
        use.records += p.envelopes.size();
        use.bytes += bytes;
        // Slices of at most kForwardSlice records, each charged its share of the frame's bytes.
        const size_t slices = std::max<size_t>(1, (p.envelopes.size() + kForwardSlice - 1) / kForwardSlice);
        for (size_t k = 0; k < slices; ++k) {
          Forwarded f{from, bytes / slices, {}};
          const size_t begin = k * kForwardSlice;
          const size_t end = std::min(p.envelopes.size(), begin + kForwardSlice);
          for (size_t i = begin; i < end; ++i) f.proposal.envelopes.push_back(std::move(p.envelopes[i]));
          inbox_forwarded_.push_back(std::move(f));
        }
      }
    }
    if (!refused) woken_ = true;
  }
  if (refused) {
    std::lock_guard lock(status_mu_);
    if (forwarded) {
      ++refusals_of(from).forwarded_ignored;
    } else {
      ++refusals_of(from).raft_messages;
    }
    return;
  }
  inbox_cv_.notify_one();
}

void RaftDriver::run() {
  publish_membership();
  auto next_expiry = Clock::now();
  bool draining = false;
  for (;;) {
    {
      std::unique_lock lock(inbox_mu_);
      auto wake_at = next_tick_;
      if (auto due = queue_.next_due(); due && raft_->soft_state().leader != consensus::kNoNode) {
        wake_at = std::min(wake_at, *due);
      }
      wake_at = std::min(wake_at, next_expiry);
      if (draining) wake_at = std::min(wake_at, drain_until_);
      inbox_cv_.wait_until(lock, wake_at,
                           [&] { return woken_ || (stop_requested_ && !draining); });
      woken_ = false;
      if (stop_requested_) {
        draining = true;
        // Stop once the drain time is over, or earlier when nothing of ours is in flight.
        const bool idle = queue_.size() == 0 && raft_->applied() >= raft_->last_index();
        if (Clock::now() >= drain_until_ || idle || failed_) break;
      }
    }
    if (failed_) {
      // Keep the thread alive for stop(); do nothing more.
      std::unique_lock lock(inbox_mu_);
      inbox_cv_.wait(lock, [&] { return stop_requested_; });
      break;
    }
    try {
      loop_once(draining);
    } catch (const std::exception& e) {
      // Apply is total by design (docs/design.md, "Apply is total"); an exception here is a bug
      // or the machine out of memory. Stop cleanly, failing closed, rather than terminate.
      fail(Status::error("internal", std::string("the driver failed: ") + e.what()));
      continue;
    }
    const auto now = Clock::now();
    if (now >= next_expiry) {
      next_expiry = std::min(tracker_.expire(now), now + options_.tick);
    }
    refresh_status();
  }
  refresh_status();
}

void RaftDriver::loop_once(bool draining) {
  step_inbox();
  const auto now = Clock::now();
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
  propose_batches(draining);
  while (!failed_ && raft_->has_ready()) handle_ready();
  if (!failed_ && !raft_->failure().ok()) fail(from_raft(raft_->failure()));
}

void RaftDriver::step_inbox() {
  std::vector<InboxMessage> messages;
  std::deque<Forwarded> forwarded;
  std::vector<std::pair<consensus::ConfChange, std::function<void(Status)>>> conf_changes;
  {
    std::lock_guard lock(inbox_mu_);
    messages.swap(inbox_messages_);
    forwarded.swap(inbox_forwarded_);
    inbox_use_.clear();
    conf_changes.swap(inbox_conf_changes_);
  }
  for (auto& [change, done] : conf_changes) {
    Status s = from_raft(raft_->propose_conf_change(change));
    if (done) done(s);
  }
  for (const InboxMessage& m : messages) {
    // A peer's bad message is its problem, not ours; step refuses it and we carry on. Only
    // `invalid` is the peer's fault: `dropped` is a term raise deferred to a later timeout.
    if (raft_->step(m.message).code() == "invalid") {
      std::lock_guard lock(status_mu_);
      ++refusals_of(m.from).raft_messages;
    }
  }
  size_t screened = 0;
  while (!forwarded.empty() && (screened == 0 || screened + forwarded.front().proposal.envelopes.size() <= kScreenBudget)) {
    Forwarded f = std::move(forwarded.front());
    forwarded.pop_front();
    if (raft_->soft_state().role == consensus::Role::kLeader) {
      screened += f.proposal.envelopes.size();
      propose_forwarded(f.from, std::move(f.proposal));
    } else {
      std::lock_guard lock(status_mu_);
      ++stats_.proposals_dropped;  // leadership moved on; the follower's clients resubmit
    }
  }
  if (!forwarded.empty()) {
    // Next loop's work, ahead of what arrived meanwhile, still charged to its senders.
    std::lock_guard lock(inbox_mu_);
    for (const Forwarded& f : forwarded) {
      InboxUse& use = inbox_use_[f.from];
      use.records += f.proposal.envelopes.size();
      use.bytes += f.bytes;
    }
    for (Forwarded& f : inbox_forwarded_) forwarded.push_back(std::move(f));
    inbox_forwarded_ = std::move(forwarded);
    woken_ = true;
  }
}

void RaftDriver::propose_batches(bool flush) {
  const consensus::SoftState soft = raft_->soft_state();
  if (soft.leader == consensus::kNoNode) return;  // keep them until there is a leader
  for (;;) {
    std::vector<ledger::Envelope> batch = queue_.take_due(Clock::now(), flush);
    if (batch.empty()) return;
    ledger::Proposal proposal;
    proposal.envelopes = std::move(batch);
    const size_t n = proposal.envelopes.size();
    if (soft.role == consensus::Role::kLeader) {
      propose_local(std::move(proposal));
    } else {
      const std::string leader = name_of(soft.leader);
      const bool sent = !leader.empty() && send_(leader, forward_frame(proposal));
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

void RaftDriver::propose_local(ledger::Proposal proposal) {
  // The leader's clock stamps the block (a follower's clock never does); apply keeps block
  // time from going backwards.
  proposal.timestamp_ms = wall_clock_ms();
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

void RaftDriver::propose_forwarded(const std::string& from, ledger::Proposal proposal) {
  ForwardScreen::Verdict v = forward_screen_->screen(from, std::move(proposal), Clock::now());
  if (v.refused > 0 || v.duplicates > 0 || v.ignored > 0) {
    std::lock_guard lock(status_mu_);
    PeerRefusals& r = refusals_of(from);
    r.forwarded_records += v.refused;
    r.forwarded_duplicates += v.duplicates;
    r.forwarded_ignored += v.ignored;
  }
  if (v.log) {
    // Reason codes only: no record content, no patient data.
    std::string codes;
    for (const auto& [code, count] : v.refused_by_code) {
      codes += (codes.empty() ? "" : ", ") + code + " " + std::to_string(count);
    }
    spdlog::warn("raft: refused {} forwarded record(s) from {} ({}); counted in "
                 "medtrail_peer_refusals_total",
                 v.refused, from, codes);
  }
  for (ledger::Proposal& p : v.proposals) propose_local(std::move(p));
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
  if (Status s = persist(ready); !s.ok()) return fail(s);
  send(ready.messages);
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

Status RaftDriver::load_directory() {
  std::lock_guard lock(directory_mu_);
  directory_.clear();
  for (const ledger::GenesisNode& n : options_.genesis_nodes) directory_[n.id] = n;
  auto members = load_members(store_);
  if (!members.ok()) return members.status();
  for (ledger::GenesisNode& n : *members) directory_[n.id] = std::move(n);
  for (const auto& [id, node] : directory_) names_[raft_id_of(id)] = id;
  return Status();
}

Status RaftDriver::apply_conf_change(const consensus::Entry& entry) {
  membership_changed_ = true;
  auto change = consensus::decode_conf_change(entry.data);
  if (!change.ok() || change->context.empty()) return applier_.skip(entry.index);
  // The leader checked the record before proposing; a node that cannot read it still applies
  // the change (Raft already did) and simply cannot reach that member.
  auto node = member_from_json(change->context, store_.suite());
  if (!node.ok() || raft_id_of(node->id) != change->node) {
    spdlog::warn("raft: membership change {} carries an unusable member record", entry.index);
    return applier_.skip(entry.index);
  }
  rocksdb::WriteBatch batch;
  batch.Put(store_.column_family(ledger::ColumnFamily::kMeta), member_key(node->id),
            member_to_json(*node));
  MEDTRAIL_RETURN_IF_ERROR(applier_.skip(entry.index, &batch));
  names_[change->node] = node->id;
  std::lock_guard lock(directory_mu_);
  directory_[node->id] = std::move(*node);
  return Status();
}

void RaftDriver::publish_membership() {
  membership_changed_ = false;
  const consensus::ConfState conf = raft_->conf_state();
  auto in_conf = [&](consensus::NodeId rid) {
    return std::binary_search(conf.voters.begin(), conf.voters.end(), rid) ||
           std::binary_search(conf.learners.begin(), conf.learners.end(), rid);
  };
  const bool self_is_member = in_conf(raft_id_of(options_.self));
  std::vector<ledger::GenesisNode> members;  // those with a known record (addresses, pins)
  {
    std::lock_guard lock(directory_mu_);
    for (const auto& [id, node] : directory_) {
      if (in_conf(raft_id_of(id))) members.push_back(node);
    }
    members_ = members;
  }
  if (!self_is_member) spdlog::warn("raft: this node is not in the configuration");
  if (on_membership_) on_membership_(members, self_is_member);
}

void RaftDriver::propose_conf_change(consensus::ConfChange change, std::function<void(Status)> done) {
  {
    std::lock_guard lock(inbox_mu_);
    inbox_conf_changes_.emplace_back(std::move(change), std::move(done));
    woken_ = true;
  }
  inbox_cv_.notify_one();
}

std::vector<ledger::GenesisNode> RaftDriver::members() const {
  std::lock_guard lock(directory_mu_);
  return members_;
}

std::optional<ledger::GenesisNode> RaftDriver::find_node(const std::string& node_id) const {
  std::lock_guard lock(directory_mu_);
  auto it = directory_.find(node_id);
  if (it == directory_.end()) return std::nullopt;
  return it->second;
}

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

Status RaftDriver::persist(const consensus::Ready& ready) {
  bool wrote = false;
  if (ready.snapshot) {
    // Raft hands over only a snapshot accept_snapshot verified: a bad image never replaces our log.
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->apply_snapshot(*ready.snapshot)));
    wrote = true;
  }
  if (ready.hard_state) {
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->set_hard_state(*ready.hard_state)));
    wrote = true;
  }
  if (!ready.entries.empty()) {
    MEDTRAIL_RETURN_IF_ERROR(from_raft(storage_->append(ready.entries)));
    wrote = true;
  }
  if (wrote && options_.fsync) {
    const auto started = Clock::now();
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

void RaftDriver::follow_governance(Clock::time_point now) {
  constexpr auto kEvery = std::chrono::seconds(1);
  constexpr auto kInFlight = std::chrono::seconds(5);
  next_governance_check_ = now + kEvery;
  if (raft_->soft_state().role != consensus::Role::kLeader) return;
  StoreStateView state(store_);
  auto governed = contracts::governed_nodes(state, applier_.signers().chain_params());
  if (state.failed()) return;  // try again next time; the decision stays on the chain
  std::optional<consensus::ConfChange> change = next_membership_change(status(), governed);
  if (!change) return;
  if (last_governed_change_ == change && now < last_governed_change_at_ + kInFlight) return;
  last_governed_change_ = change;
  last_governed_change_at_ = now;
  Status s = from_raft(raft_->propose_conf_change(*change));
  spdlog::info("governance: proposed membership change {} for raft id {:016x}: {}",
               static_cast<int>(change->type), change->node, s.ok() ? "ok" : s.to_string());
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
