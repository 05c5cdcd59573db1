#include "api/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "api/heap_figures.h"
#include "api/rocksdb_figures.h"

namespace medtrail::node::api {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

constexpr const char* kRoles[] = {"follower", "pre_candidate", "candidate", "leader", "failed"};

Family<Counter>& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
Family<Gauge>& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

// A status label from a bounded set, whatever a handler answered.
std::string status_label(int status) {
  return status >= 100 && status <= 599 ? std::to_string(status) : "other";
}

}  // namespace

struct Metrics::Impl {
  prometheus::Registry registry;
  Family<Counter>& requests = counter(registry, "medtrail_http_requests_total",
                                      "HTTP responses by route pattern and status");
  Family<Histogram>& durations = prometheus::BuildHistogram()
                                     .Name("medtrail_http_request_duration_seconds")
                                     .Help("HTTP request latency by route pattern")
                                     .Register(registry);
  Gauge& queue_depth = gauge(registry, "medtrail_admission_queue_depth",
                             "Records admitted and waiting to be proposed")
                           .Add({});
  Gauge& pending =
      gauge(registry, "medtrail_pending_records", "Record ids admitted and not yet applied")
          .Add({});
  Family<Gauge>& role = gauge(registry, "medtrail_raft_role", "1 for the node's current role");
  Gauge& term = gauge(registry, "medtrail_raft_term", "Current Raft term").Add({});
  Gauge& commit_index = gauge(registry, "medtrail_raft_commit_index", "Raft commit index").Add({});
  Gauge& applied_index =
      gauge(registry, "medtrail_raft_applied_index", "Raft applied index").Add({});
  Gauge& height = gauge(registry, "medtrail_block_height", "Height of the chain").Add({});
  Gauge& tree_size = gauge(registry, "medtrail_tree_size", "Leaves in the Merkle log").Add({});
  Gauge& disk = gauge(registry, "medtrail_disk_bytes", "RocksDB table and WAL bytes").Add({});
  Family<Counter>& rocksdb_written =
      counter(registry, "medtrail_rocksdb_bytes_written_total",
              "Bytes RocksDB wrote since the node started, by kind: user (the node's writes), wal, "
              "tables (flushes and compactions); (wal + tables) / user is the write amplification");
  Family<Gauge>& rocksdb_memory =
      gauge(registry, "medtrail_rocksdb_memory_bytes",
            "RocksDB memory by kind: memtables, table_readers, block_cache");
  Gauge& level0_files =
      gauge(registry, "medtrail_rocksdb_level0_files",
            "The most level-0 files any column family holds: RocksDB delays every write at 20 "
            "and stops them at 36, until compactions catch up")
          .Add({});
  Family<Gauge>& write_stall = gauge(registry, "medtrail_rocksdb_write_stall",
                                     "1 while RocksDB holds the node's writes back, by state: "
                                     "delayed, stopped (compactions behind)");
  Family<Gauge>& heap = gauge(registry, "medtrail_heap_bytes",
                              "The process's heap by kind: in_use, free (kept by the allocator)");
  Counter& fsyncs = counter(registry, "medtrail_fsync_total", "Raft log syncs").Add({});
  Counter& fsync_seconds =
      counter(registry, "medtrail_fsync_seconds_total", "Time spent in Raft log syncs").Add({});
  Counter& proposals = counter(registry, "medtrail_proposals_total", "Proposals made").Add({});
  Counter& records_proposed =
      counter(registry, "medtrail_records_proposed_total", "Records in proposals").Add({});
  Counter& proposals_dropped = counter(registry, "medtrail_proposals_dropped_total",
                                       "Batches Raft refused or that found no leader")
                                   .Add({});
  Counter& records_expired = counter(registry, "medtrail_records_expired_total",
                                     "Queued records dropped after waiting too long")
                                 .Add({});
  Counter& checkpoints_signed =
      counter(registry, "medtrail_checkpoints_signed_total", "Checkpoints this node signed")
          .Add({});
  Counter& checkpoints_embedded = counter(registry, "medtrail_checkpoints_embedded_total",
                                          "Quorum checkpoints the leader put in a proposal")
                                      .Add({});
  Counter& checkpoint_refused = counter(registry, "medtrail_checkpoint_signatures_refused_total",
                                        "Checkpoint signatures from peers refused")
                                    .Add({});
  Counter& snapshots_taken =
      counter(registry, "medtrail_snapshots_taken_total", "Raft snapshots (ledger images) taken")
          .Add({});
  Counter& snapshots_installed = counter(registry, "medtrail_snapshots_installed_total",
                                         "Ledger images received, verified and installed")
                                     .Add({});
  Family<Gauge>& peer_connected =
      gauge(registry, "medtrail_peer_connected", "1 while the peer link is up, by direction");
  Family<Counter>& peer_dropped = counter(registry, "medtrail_peer_frames_dropped_total",
                                          "Frames to the peer dropped (queue full, link lost)");
  Counter& peer_auth_failures = counter(registry, "medtrail_peer_auth_failures_total",
                                        "Peer connections refused at authentication")
                                    .Add({});
  Counter& malformed_frames = counter(registry, "medtrail_peer_malformed_frames_total",
                                      "Peer frames that could not be read")
                                  .Add({});
  Family<Counter>& raft_dropped =
      counter(registry, "medtrail_raft_messages_dropped_total",
              "Raft messages no honest peer sends, dropped by reason (docs/raft-safety.md)");
  Counter& snapshots_refused = counter(registry, "medtrail_raft_snapshots_refused_total",
                                       "Received ledger images that did not verify, refused")
                                   .Add({});
  Family<Counter>& peer_refusals =
      counter(registry, "medtrail_peer_refusals_total",
              "What an authenticated peer sent that this node refused, by peer and kind");

  // Each HTTP listener's face under load and abuse (http::Server::Stats).
  Family<Gauge>& connections_open =
      gauge(registry, "medtrail_http_connections_open", "Open HTTP connections, by listener");
  Family<Counter>& connections_refused =
      counter(registry, "medtrail_http_connections_refused_total",
              "Connections closed at accept, by listener and reason (server_full, address_full)");
  Family<Counter>& connections_evicted =
      counter(registry, "medtrail_http_connections_evicted_total",
              "Connections closed to make room near the connection cap (silent or idle keep-alive "
              "for a second, a request head arriving for 250 ms), by listener");
  Family<Counter>& accept_errors =
      counter(registry, "medtrail_http_accept_errors_total",
              "Failed accepts, by listener: out of file descriptors (accepting pauses 100 ms) or a "
              "client gone before it was accepted");
  Family<Counter>& connections_timed_out =
      counter(registry, "medtrail_http_connections_timed_out_total",
              "Connections closed by a deadline, by listener and phase (head, idle, body, write)");
  Family<Counter>& rate_limited =
      counter(registry, "medtrail_http_requests_rate_limited_total",
              "Requests answered 429 by the listener's per-address rate, by listener");

  // Each route's series, found once. Family::Add builds a counter (or a histogram with its
  // buckets) and the label map on every call, and throws them away when the series exists:
  // about a dozen allocations per request. Routes are patterns and statuses 100-599 or "other",
  // so the map stays small.
  struct RouteSeries {
    Histogram* duration = nullptr;
    std::vector<std::pair<int, Counter*>> by_status;  // status, or 0 for "other"
  };
  std::mutex series_mu;
  std::map<std::string, RouteSeries, std::less<>> series;

  // Counters read from the node's own totals advance by the difference since the last scrape.
  std::mutex scrape_mu;
  static void mirror(Counter& c, double total) {
    if (total > c.Value()) c.Increment(total - c.Value());
  }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observe(std::string_view route, int status, std::chrono::nanoseconds latency) {
  // Labelled by pattern, never by path, so the number of series stays bounded.
  if (route.empty()) route = "unmatched";
  const std::string status_text = status_label(status);
  const int status_key = status_text == "other" ? 0 : status;
  Counter* count = nullptr;
  Histogram* duration = nullptr;
  {
    Impl& m = *impl_;
    std::lock_guard lock(m.series_mu);
    auto it = m.series.find(route);
    if (it == m.series.end()) {
      static const Histogram::BucketBoundaries kBuckets = {
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
      Impl::RouteSeries added;
      added.duration = &m.durations.Add({{"route", std::string(route)}}, kBuckets);
      it = m.series.emplace(std::string(route), std::move(added)).first;
    }
    for (const auto& [s, c] : it->second.by_status) {
      if (s == status_key) count = c;
    }
    if (count == nullptr) {
      count = &m.requests.Add({{"route", std::string(route)}, {"status", status_text}});
      it->second.by_status.emplace_back(status_key, count);
    }
    duration = it->second.duration;
  }
  count->Increment();
  duration->Observe(std::chrono::duration<double>(latency).count());
}

std::string Metrics::scrape(const ApiContext& ctx, const std::vector<Listener>& listeners) {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.scrape_mu);
    for (const Listener& l : listeners) {
      const http::Server::Stats s = l.server->stats();
      m.connections_open.Add({{"listener", l.name}}).Set(s.open_connections);
      Impl::mirror(m.connections_refused.Add({{"listener", l.name}, {"reason", "server_full"}}),
                   static_cast<double>(s.refused_server_full));
      Impl::mirror(m.connections_refused.Add({{"listener", l.name}, {"reason", "address_full"}}),
                   static_cast<double>(s.refused_address_full));
      Impl::mirror(m.connections_evicted.Add({{"listener", l.name}}),
                   static_cast<double>(s.evicted_idle));
      Impl::mirror(m.accept_errors.Add({{"listener", l.name}}),
                   static_cast<double>(s.accept_errors));
      const std::pair<const char*, uint64_t> phases[] = {{"head", s.closed_head_timeout},
                                                         {"idle", s.closed_idle_timeout},
                                                         {"body", s.closed_body_timeout},
                                                         {"write", s.closed_write_timeout}};
      for (const auto& [phase, count] : phases) {
        Impl::mirror(m.connections_timed_out.Add({{"listener", l.name}, {"phase", phase}}),
                     static_cast<double>(count));
      }
      Impl::mirror(m.rate_limited.Add({{"listener", l.name}}), static_cast<double>(s.rate_limited));
    }
    const RaftStatus raft = ctx.driver->status();
    const RaftDriverStats stats = ctx.driver->stats();
    m.queue_depth.Set(static_cast<double>(ctx.queue->size()));
    m.pending.Set(static_cast<double>(ctx.tracker->pending()));
    for (const char* role : kRoles) m.role.Add({{"role", role}}).Set(raft.role == role ? 1 : 0);
    m.term.Set(static_cast<double>(raft.term));
    m.commit_index.Set(static_cast<double>(raft.commit_index));
    m.applied_index.Set(static_cast<double>(raft.applied_index));
    m.height.Set(static_cast<double>(ctx.store->height()));
    m.tree_size.Set(static_cast<double>(ctx.store->tree_size()));
    const RocksdbFigures rocks = read_rocksdb_figures(*ctx.store);
    m.disk.Set(static_cast<double>(rocks.disk_bytes));
    const std::pair<const char*, uint64_t> written[] = {{"user", rocks.user_bytes_written},
                                                        {"wal", rocks.wal_bytes_written},
                                                        {"tables", rocks.table_bytes_written}};
    for (const auto& [kind, bytes] : written) {
      Impl::mirror(m.rocksdb_written.Add({{"kind", kind}}), static_cast<double>(bytes));
    }
    const std::pair<const char*, uint64_t> memory[] = {{"memtables", rocks.memtable_bytes},
                                                       {"table_readers", rocks.table_reader_bytes},
                                                       {"block_cache", rocks.block_cache_bytes}};
    for (const auto& [kind, bytes] : memory) {
      m.rocksdb_memory.Add({{"kind", kind}}).Set(static_cast<double>(bytes));
    }
    m.level0_files.Set(static_cast<double>(rocks.level0_files));
    m.write_stall.Add({{"state", "delayed"}}).Set(rocks.writes_delayed ? 1 : 0);
    m.write_stall.Add({{"state", "stopped"}}).Set(rocks.writes_stopped ? 1 : 0);
    const HeapFigures heap = read_heap_figures();
    m.heap.Add({{"kind", "in_use"}}).Set(static_cast<double>(heap.in_use_bytes));
    m.heap.Add({{"kind", "free"}}).Set(static_cast<double>(heap.free_bytes));
    Impl::mirror(m.fsyncs, static_cast<double>(stats.syncs));
    Impl::mirror(m.fsync_seconds, static_cast<double>(stats.sync_nanos) / 1e9);
    Impl::mirror(m.proposals, static_cast<double>(stats.proposals));
    Impl::mirror(m.records_proposed, static_cast<double>(stats.records_proposed));
    Impl::mirror(m.proposals_dropped, static_cast<double>(stats.proposals_dropped));
    Impl::mirror(m.records_expired, static_cast<double>(stats.records_expired));
    Impl::mirror(m.checkpoints_signed, static_cast<double>(stats.checkpoints_signed));
    Impl::mirror(m.checkpoints_embedded, static_cast<double>(stats.checkpoints_embedded));
    // Totals over peers: every refusal is counted against the peer that sent it.
    double checkpoint_refused = 0;
    double malformed = 0;
    for (const auto& [peer, r] : stats.peer_refusals) {
      checkpoint_refused += static_cast<double>(r.checkpoint_signatures);
      malformed += static_cast<double>(r.malformed_frames);
    }
    Impl::mirror(m.checkpoint_refused, checkpoint_refused);
    Impl::mirror(m.snapshots_taken, static_cast<double>(stats.snapshots_taken));
    Impl::mirror(m.snapshots_installed, static_cast<double>(stats.snapshots_installed));
    if (ctx.peers != nullptr) {
      const peer::PeerNetwork::Stats net = ctx.peers->stats();
      Impl::mirror(m.peer_auth_failures, static_cast<double>(net.auth_failures));
      malformed += static_cast<double>(net.malformed_frames);
      // Peers are genesis' nodes: at most 64, so per-peer series stay bounded.
      for (const peer::PeerNetwork::PeerState& p : ctx.peers->peer_states()) {
        m.peer_connected.Add({{"peer", p.node_id}, {"direction", "inbound"}})
            .Set(p.inbound_connected ? 1 : 0);
        m.peer_connected.Add({{"peer", p.node_id}, {"direction", "outbound"}})
            .Set(p.outbound_connected ? 1 : 0);
        Impl::mirror(m.peer_dropped.Add({{"peer", p.node_id}}),
                     static_cast<double>(p.frames_dropped));
      }
    }
    Impl::mirror(m.malformed_frames, malformed);
    const consensus::RaftNode::Counters& rc = stats.raft;
    const std::pair<const char*, uint64_t> reasons[] = {
        {"implausible_term", rc.implausible_term},
        {"term_jump_deferred", rc.term_jumps_deferred},
        {"implausible_index", rc.implausible_index},
        {"leader_conflict", rc.leader_conflict},
        {"malformed", rc.malformed},
        {"read_refused", rc.reads_refused}};
    for (const auto& [reason, count] : reasons) {
      Impl::mirror(m.raft_dropped.Add({{"reason", reason}}), static_cast<double>(count));
    }
    Impl::mirror(m.snapshots_refused, static_cast<double>(rc.snapshots_refused));
    // Keyed by authenticated member ids: bounded by the configuration.
    for (const auto& [peer, r] : stats.peer_refusals) {
      const std::pair<const char*, uint64_t> kinds[] = {
          {"malformed_frame", r.malformed_frames},
          {"raft_message", r.raft_messages},
          {"forwarded_record", r.forwarded_records},
          {"forwarded_duplicate", r.forwarded_duplicates},
          {"forwarded_ignored", r.forwarded_ignored},
          {"checkpoint_signature", r.checkpoint_signatures}};
      for (const auto& [what, count] : kinds) {
        Impl::mirror(m.peer_refusals.Add({{"peer", peer}, {"what", what}}),
                     static_cast<double>(count));
      }
    }
  }
  return prometheus::TextSerializer().Serialize(m.registry.Collect());
}

}  // namespace medtrail::node::api
