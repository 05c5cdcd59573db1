// Snapshot transfer (§5.6 / thesis §5.3) in bounded chunks, stop-and-wait per follower. The
// follower acknowledges the bytes it holds; the leader resumes from there, after a lost chunk
// (by timeout) or when the follower asks to restart. A new leader starts a fresh transfer.

#include <algorithm>

#include "raft_core.h"

namespace medtrail::consensus::internal {

const Snapshot* RaftCore::current_snapshot() {
  Index stored = storage_.first_index() - 1;
  if (!outgoing_snapshot_ || outgoing_snapshot_->meta.index != stored) {
    outgoing_snapshot_.reset();
    auto snap = storage_.snapshot();
    if (!snap.ok() || snap->meta.index == 0) return nullptr;
    auto size = snapshot_io_->size(*snap);
    if (!size.ok()) return nullptr;  // e.g. the image file is unreadable: retried later
    outgoing_snapshot_ = std::move(*snap);
    outgoing_snapshot_size_ = *size;
  }
  return &*outgoing_snapshot_;
}

bool RaftCore::start_snapshot(NodeId to, PeerProgress& pr) {
  // etcd: a follower that is not responding is not worth a (large) snapshot yet.
  if (!pr.recently_active()) return false;
  const Snapshot* snap = current_snapshot();
  if (snap == nullptr) return false;  // temporarily unavailable: retried on the next trigger
  pr.become_snapshot(snap->meta, outgoing_snapshot_size_);
  send_snapshot_chunk(to, pr);
  return true;
}

void RaftCore::send_snapshot_chunk(NodeId to, PeerProgress& pr) {
  const Snapshot* snap = current_snapshot();
  if (snap == nullptr) return;
  if (snap->meta != pr.transfer().meta) {
    // Storage moved on to a newer snapshot: send that one from the start.
    pr.become_snapshot(snap->meta, outgoing_snapshot_size_);
  }
  SnapshotTransfer& t = pr.transfer();
  t.acked = std::min(t.acked, t.size);
  auto chunk = snapshot_io_->read(*snap, t.acked, config_.snapshot_chunk_bytes);
  t.idle_ticks = 0;
  if (!chunk.ok() || (chunk->empty() && t.acked < t.size)) {
    // The image could not be read now: the resend timer tries again, from a fresh look at
    // storage.
    outgoing_snapshot_.reset();
    return;
  }
  Message m;
  m.type = MessageType::kSnapshotChunk;
  m.to = to;
  m.snapshot = snap->meta;
  m.snapshot_offset = t.acked;
  m.snapshot_size = t.size;
  m.snapshot_chunk = std::move(*chunk);
  if (m.snapshot_chunk.size() > t.size - t.acked) m.snapshot_chunk.resize(t.size - t.acked);
  t.last_chunk_sent = t.acked + m.snapshot_chunk.size() >= t.size;
  send(std::move(m));
}

void RaftCore::tick_snapshot_transfers() {
  // A chunk or its acknowledgement was lost: resend from the last acknowledged offset.
  int resend_after = std::max(2 * config_.heartbeat_ticks, config_.election_ticks / 2);
  for (auto& [node, pr] : progress_) {
    if (pr.state() != PeerProgress::State::kSnapshot) continue;
    if (++pr.transfer().idle_ticks >= resend_after) send_snapshot_chunk(node, pr);
  }
}

void RaftCore::handle_snapshot_response(const Message& m, PeerProgress& pr) {
  if (pr.state() != PeerProgress::State::kSnapshot) return;
  SnapshotTransfer& t = pr.transfer();
  if (m.snapshot.index != t.meta.index || m.snapshot.term != t.meta.term) return;  // stale
  if (m.reject) {
    const uint64_t was_acked = t.acked;
    t.acked = std::min(m.snapshot_offset, t.size);
    if (t.acked == 0 && (t.last_chunk_sent || was_acked == 0)) {
      // The follower had every chunk and asks to start over (it refused the image through
      // Config::accept_snapshot, or lost the transfer), or it could not even begin one (its
      // SnapshotIo had no room): the chunk it answers was sent from offset 0, as we had nothing
      // acknowledged. Start again when the resend timer fires, so an image it cannot take is
      // not streamed back to back.
      t.last_chunk_sent = false;
      t.idle_ticks = 0;
      return;
    }
    send_snapshot_chunk(m.from, pr);
    return;
  }
  if (m.snapshot_offset >= t.size) {
    // Installed (or not needed): m.index is durable on the follower.
    if (m.index <= log_.last_index()) pr.maybe_update(m.index);
    pr.become_probe();
    maybe_send_append(m.from, true);
    return;
  }
  if (m.snapshot_offset <= t.acked) return;  // a duplicate acknowledgement
  t.acked = m.snapshot_offset;
  send_snapshot_chunk(m.from, pr);
}

void RaftCore::respond_snapshot(const Message& m, bool reject, uint64_t held, Index index) {
  Message resp;
  resp.type = MessageType::kSnapshotResponse;
  resp.to = m.from;
  resp.snapshot = m.snapshot;
  resp.snapshot_offset = held;
  resp.snapshot_size = m.snapshot_size;
  resp.reject = reject;
  resp.index = index;
  send(std::move(resp));
}

void RaftCore::drop_incoming_snapshot() {
  if (incoming_snapshot_) snapshot_io_->abort_receive();
  incoming_snapshot_.reset();
}

// The chunk's offsets, metadata and configuration were checked on admission
// (check_snapshot_chunk).
Status RaftCore::handle_snapshot_chunk(const Message& m) {
  if (m.snapshot.index <= log_.committed()) {
    // We already have everything it covers: tell the leader to carry on from our commit.
    drop_incoming_snapshot();
    respond_snapshot(m, false, m.snapshot_size, log_.committed());
    return Status();
  }
  bool same = incoming_snapshot_ && incoming_snapshot_->meta == m.snapshot &&
              incoming_snapshot_->size == m.snapshot_size && incoming_snapshot_->from == m.from &&
              incoming_snapshot_->term == term_;
  if (!same || m.snapshot_offset != incoming_snapshot_->held) {
    if (m.snapshot_offset != 0) {
      // Out of order, or part of a transfer we no longer hold: ask to resume from what we have.
      uint64_t held = same ? incoming_snapshot_->held : 0;
      if (!same) drop_incoming_snapshot();
      respond_snapshot(m, true, held, 0);
      return Status();
    }
    drop_incoming_snapshot();
    if (Status s = snapshot_io_->begin_receive(m.snapshot, m.snapshot_size); !s.ok()) {
      // No room, say: the leader starts over after its resend timeout.
      respond_snapshot(m, true, 0, 0);
      return s;
    }
    incoming_snapshot_ = IncomingSnapshot{m.snapshot, m.snapshot_size, 0, m.from, term_};
  }
  if (Status s = snapshot_io_->receive(m.snapshot_chunk); !s.ok()) {
    drop_incoming_snapshot();
    respond_snapshot(m, true, 0, 0);
    return s;
  }
  incoming_snapshot_->held += m.snapshot_chunk.size();
  if (incoming_snapshot_->held < incoming_snapshot_->size) {
    respond_snapshot(m, false, incoming_snapshot_->held, 0);
    return Status();
  }
  incoming_snapshot_.reset();
  auto data = snapshot_io_->finish_receive();
  if (!data.ok()) {
    respond_snapshot(m, true, 0, 0);
    return data.status();
  }
  Snapshot snap{m.snapshot, std::move(*data)};
  if (log_.match_term(snap.meta.index, snap.meta.term)) {
    // Our log already holds the snapshot's last entry: fast-forward commit, keep the log.
    snapshot_io_->discard(snap.data);
    log_.commit_to(snap.meta.index);
    respond_snapshot(m, false, m.snapshot_size, log_.committed());
    return Status();
  }
  if (config_.accept_snapshot && !config_.accept_snapshot(snap)) {
    // The state machine cannot use this image (e.g. it fails verification): installing it would
    // leave the node unable to apply anything. Drop it, keep our log, and ask the leader to
    // start over; it waits for its resend timer first (handle_snapshot_response).
    snapshot_io_->discard(snap.data);
    ++counters_.snapshots_refused;
    respond_snapshot(m, true, 0, 0);
    return Status::error("invalid", "snapshot refused by Config::accept_snapshot");
  }
  log_.restore(snap);
  conf_ = snap.meta.conf;
  respond_snapshot(m, false, m.snapshot_size, snap.meta.index);
  return Status();
}

}  // namespace medtrail::consensus::internal
