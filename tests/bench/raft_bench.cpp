// Raft throughput (issue 3): three RaftNodes in one process, messages handed over directly.
//
// BM_RaftPureCore: MemoryLogStorage, no I/O: committed 256-byte entries/s of the core alone.
// BM_RaftRocksDbFsync: RocksDbLogStorage with a real fsync per Ready on every node; reports
// committed entries/s and fsyncs per committed entry. `batch` entries are proposed before the
// Readies are handled, as the node's leader does under load: fsyncs per entry fall to 1/batch.

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "medtrail/consensus/memory_log_storage.h"
#include "medtrail/consensus/raft.h"
#include "medtrail/consensus/rocksdb_log_storage.h"

namespace {

using namespace medtrail::consensus;

// Counts syncs of the storage it wraps.
class CountingStorage final : public LogStorage {
 public:
  explicit CountingStorage(LogStorage& inner) : inner_(inner) {}
  Result<InitialState> initial_state() const override { return inner_.initial_state(); }
  Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max) const override {
    return inner_.entries(lo, hi, max);
  }
  Result<Term> term(Index i) const override { return inner_.term(i); }
  Index first_index() const override { return inner_.first_index(); }
  Index last_index() const override { return inner_.last_index(); }
  Result<Snapshot> snapshot() const override { return inner_.snapshot(); }
  Status append(const std::vector<Entry>& e) override { return inner_.append(e); }
  Status set_hard_state(const HardState& s) override { return inner_.set_hard_state(s); }
  Status apply_snapshot(const Snapshot& s) override { return inner_.apply_snapshot(s); }
  Status create_snapshot(Index i, const ConfState& c, std::string d) override {
    return inner_.create_snapshot(i, c, std::move(d));
  }
  Status compact(Index i) override { return inner_.compact(i); }
  Status sync() override {
    ++syncs;
    return inner_.sync();
  }
  uint64_t syncs = 0;

 private:
  LogStorage& inner_;
};

struct RocksDbHandle {
  std::filesystem::path dir;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~RocksDbHandle() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

struct BenchNode {
  std::unique_ptr<RocksDbHandle> rocks;
  std::unique_ptr<LogStorage> storage;
  std::unique_ptr<CountingStorage> counted;
  std::unique_ptr<RaftNode> raft;
};

class BenchCluster {
 public:
  explicit BenchCluster(bool rocksdb) {
    ConfState conf{{1, 2, 3}, {}};
    for (NodeId id = 1; id <= 3; ++id) {
      BenchNode& n = nodes_[id - 1];
      if (rocksdb) {
        n.rocks = open_rocks(id);
        auto s = RocksDbLogStorage::open(n.rocks->db.get(), n.rocks->handles[1], n.rocks->handles[2]);
        (void)(*s)->set_initial_conf(conf);
        n.storage = std::move(s).value();
      } else {
        auto s = std::make_unique<MemoryLogStorage>();
        s->set_initial_conf(conf);
        n.storage = std::move(s);
      }
      n.counted = std::make_unique<CountingStorage>(*n.storage);
      Config config;
      config.id = id;
      config.seed = id;
      config.max_uncommitted_bytes = 1ull << 30;
      config.max_inflight_messages = 256;
      n.raft = std::move(RaftNode::create(config, *n.counted).value());
    }
    for (int i = 0; i < 100 && nodes_[0].raft->soft_state().role != Role::kLeader; ++i) {
      nodes_[0].raft->tick();
      pump();
    }
  }

  bool has_leader() const { return nodes_[0].raft->soft_state().role == Role::kLeader; }
  RaftNode& leader() { return *nodes_[0].raft; }
  uint64_t committed = 0;  // entries delivered committed on the leader
  uint64_t syncs() const {
    uint64_t s = 0;
    for (const auto& n : nodes_) s += n.counted->syncs;
    return s;
  }

  // Handles every Ready and delivers every message until the cluster is quiet.
  void pump() {
    bool progress = true;
    while (progress) {
      progress = false;
      for (auto& n : nodes_) {
        while (n.raft->has_ready()) {
          progress = true;
          Ready r = n.raft->ready();
          bool wrote = false;
          if (r.snapshot) wrote |= n.counted->apply_snapshot(*r.snapshot).ok();
          if (!r.entries.empty()) wrote |= n.counted->append(r.entries).ok();
          if (r.hard_state) wrote |= n.counted->set_hard_state(*r.hard_state).ok();
          if (wrote) (void)n.counted->sync();
          for (auto& m : r.messages) queue_.push_back(std::move(m));
          if (&n == &nodes_[0]) committed += r.committed_entries.size();
          n.raft->advance(r);
        }
      }
      while (!queue_.empty()) {
        progress = true;
        Message m = std::move(queue_.front());
        queue_.pop_front();
        (void)nodes_[m.to - 1].raft->step(m);
      }
    }
  }

 private:
  static std::unique_ptr<RocksDbHandle> open_rocks(NodeId id) {
    auto h = std::make_unique<RocksDbHandle>();
    h->dir = std::filesystem::temp_directory_path() /
             ("medtrail-raft-bench-" + std::to_string(id) + "-" + std::to_string(std::random_device{}()));
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"raft_log", {}}, {"raft_state", {}}};
    rocksdb::DB* raw = nullptr;
    (void)rocksdb::DB::Open(options, h->dir.string(), cfs, &h->handles, &raw);
    h->db.reset(raw);
    return h;
  }

  BenchNode nodes_[3];
  std::deque<Message> queue_;
};

void run(benchmark::State& state, bool rocksdb) {
  const int batch = static_cast<int>(state.range(0));
  BenchCluster cluster(rocksdb);
  if (!cluster.has_leader()) {
    state.SkipWithError("no leader");
    return;
  }
  const std::string payload(256, 'e');
  cluster.pump();
  uint64_t committed_before = cluster.committed;
  uint64_t syncs_before = cluster.syncs();
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) (void)cluster.leader().propose(payload);
    cluster.pump();
  }
  double committed = static_cast<double>(cluster.committed - committed_before);
  state.counters["entries_per_s"] = benchmark::Counter(committed, benchmark::Counter::kIsRate);
  state.counters["fsyncs_per_entry"] =
      committed > 0 ? static_cast<double>(cluster.syncs() - syncs_before) / committed : 0;
}

void BM_RaftPureCore(benchmark::State& state) { run(state, false); }
BENCHMARK(BM_RaftPureCore)->Arg(1)->Arg(64)->ArgName("batch");

void BM_RaftRocksDbFsync(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_RaftRocksDbFsync)->Arg(1)->Arg(64)->Arg(256)->ArgName("batch")->MinTime(2.0);

}  // namespace
