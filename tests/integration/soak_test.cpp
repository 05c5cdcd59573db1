// The soak: three nodes under the chaos clients' mixed load (chaos_workload.h) for minutes to
// hours, a network fault every half minute or so (no kills by default: a process's memory is
// followed for the whole run), and every 5 s each node's resident memory, open file
// descriptors and RocksDB size and the clients' latency written to samples.csv. At the end the
// chaos checks (chaos_run.h) hold, file descriptors other than RocksDB's table files have not
// grown (those grow with the chain, up to kStoreMaxOpenFiles), and over runs of ten minutes or
// more resident memory has levelled off.
//
// CI runs a one-minute soak. scripts/soak runs it longer and plots the samples:
//   MEDTRAIL_SOAK_MINUTES   how long (default 1)
//   MEDTRAIL_SOAK_DIR       where samples.csv goes (default: the cluster's directory)
//   MEDTRAIL_SOAK_FAULTS    nemesis faults, comma-separated (default isolate,one-way,slow,reset,pause)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "integration/chaos_nemesis.h"
#include "integration/chaos_run.h"
#include "integration/chaos_workload.h"
#include "medtrail/ledger/chain_store.h"

namespace medtrail::integration::chaos {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Sample {
  double seconds = 0;
  int node = 0;
  double rss_mb = -1;
  long fds = -1;         // other than table files
  long table_fds = -1;   // RocksDB's *.sst
  double db_mb = 0;
  size_t requests = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

double rss_mb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// Open descriptors, and of those the RocksDB table files (*.sst): RocksDB keeps one open per
// table file, up to kStoreMaxOpenFiles, so those grow with the chain by design; any other
// growth is a leak.
struct Descriptors {
  long others = -1;
  long tables = -1;
};
Descriptors open_fds(pid_t pid) {
  std::error_code ec;
  Descriptors d{0, 0};
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code link_ec;
    const std::string target = fs::read_symlink(it->path(), link_ec).string();
    ++(target.ends_with(".sst") ? d.tables : d.others);
  }
  return ec ? Descriptors{} : d;
}

double dir_mb(const std::string& dir) {
  std::error_code ec;
  uint64_t bytes = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) bytes += it->file_size(ec);
  }
  return static_cast<double>(bytes) / (1 << 20);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Mean of the samples of `node` whose time falls in [from, to) of the run, by `field`.
template <typename Field>
double mean(const std::vector<Sample>& samples, int node, double from, double to, Field field) {
  double sum = 0;
  int n = 0;
  for (const Sample& s : samples) {
    if (s.node == node && s.seconds >= from && s.seconds < to) {
      sum += field(s);
      ++n;
    }
  }
  return n > 0 ? sum / n : 0;
}

TEST(Soak, NodesUnderLoadAndFaultsKeepMemoryAndFileDescriptorsFlat) {
  const uint64_t minutes = env_number("MEDTRAIL_SOAK_MINUTES", 1);
  NemesisOptions nemesis_options;
  nemesis_options.seed = 1;
  nemesis_options.faults = env_faults("MEDTRAIL_SOAK_FAULTS", {"isolate", "one-way", "slow", "reset", "pause"});
  nemesis_options.heal_min = 20s;
  nemesis_options.heal_max = 40s;
  nemesis_options.fault_min = 3s;
  nemesis_options.fault_max = 8s;

  ChaosCluster run(nemesis_options, 1);
  std::string why;
  ASSERT_TRUE(run.start(&why)) << why;
  Cluster& cluster = run.cluster;
  Nemesis& nemesis = run.nemesis;
  Workload& workload = run.workload;

  const char* dir_env = std::getenv("MEDTRAIL_SOAK_DIR");
  const std::string out_dir = dir_env != nullptr && *dir_env != '\0' ? dir_env : cluster.dir();
  fs::create_directories(out_dir);
  std::ofstream csv(out_dir + "/samples.csv");
  csv << "seconds,node,rss_mb,fds,db_mb,requests,p50_ms,p99_ms,table_fds\n";
  std::vector<pid_t> pids;
  for (int i = 0; i < cluster.size(); ++i) pids.push_back(cluster.node(i).pid);

  std::vector<Sample> samples;
  std::atomic<bool> done{false};
  const auto started = Clock::now();
  workload.start();
  std::thread sampler([&] {
    size_t seen = 0;
    while (!done) {
      for (int k = 0; k < 50 && !done; ++k) std::this_thread::sleep_for(100ms);
      const std::vector<Op> window = workload.history_since(seen);
      seen += window.size();
      std::vector<double> latencies;
      for (const Op& op : window) {
        if (op.outcome != Outcome::kUnknown) {
          latencies.push_back(std::chrono::duration<double, std::milli>(op.completed - op.invoked).count());
        }
      }
      const double t = std::chrono::duration<double>(Clock::now() - started).count();
      for (int i = 0; i < cluster.size(); ++i) {
        const Descriptors fds = open_fds(pids[i]);
        Sample s{t, i, rss_mb(pids[i]), fds.others, fds.tables, dir_mb(cluster.data_dir(i) + "/db"), window.size(),
                 percentile(latencies, 0.5), percentile(latencies, 0.99)};
        samples.push_back(s);
        csv << s.seconds << "," << cluster.node(i).id << "," << s.rss_mb << "," << s.fds << "," << s.db_mb << ","
            << s.requests << "," << s.p50_ms << "," << s.p99_ms << "," << s.table_fds << "\n";
      }
      csv.flush();
    }
  });
  nemesis.run(started + std::chrono::minutes(minutes));
  done = true;
  sampler.join();
  workload.stop();
  nemesis.heal();

  const double total = std::chrono::duration<double>(Clock::now() - started).count();
  for (int i = 0; i < cluster.size(); ++i) {
    // After a warm-up of a fifth of the run, against its last fifth.
    const double early_fds = mean(samples, i, 0.2 * total, 0.4 * total, [](const Sample& s) { return s.fds; });
    const double late_fds = mean(samples, i, 0.8 * total, total, [](const Sample& s) { return s.fds; });
    const double early_rss = mean(samples, i, 0.2 * total, 0.4 * total, [](const Sample& s) { return s.rss_mb; });
    const double late_rss = mean(samples, i, 0.8 * total, total, [](const Sample& s) { return s.rss_mb; });
    const double late_tables = mean(samples, i, 0.8 * total, total, [](const Sample& s) { return s.table_fds; });
    std::cout << "soak: " << cluster.node(i).id << ": rss " << early_rss << " -> " << late_rss << " MiB, fds "
              << early_fds << " -> " << late_fds << " (and " << late_tables << " table files)\n";
    EXPECT_LE(late_fds, early_fds + 32) << cluster.node(i).id << ": file descriptors grew";
    EXPECT_LE(late_tables, ledger::kStoreMaxOpenFiles) << cluster.node(i).id << ": more table files open than the bound";
    if (minutes >= 10) {
      EXPECT_LE(late_rss, early_rss * 1.5) << cluster.node(i).id << ": memory kept growing";
    }
  }
  const Verdict verdict = settle_and_check(cluster, workload.history());
  std::cout << "soak: " << static_cast<int>(total) << " s, " << verdict.history.ops << " requests, "
            << verdict.history.acknowledged << " answered; chain " << verdict.blocks << " blocks, " << verdict.records
            << " records; samples in " << out_dir << "/samples.csv\n";
  for (const std::string& line : nemesis.log()) std::cout << "soak:   " << line << "\n";
  EXPECT_TRUE(nemesis.unexpected_exits().empty()) << nemesis.unexpected_exits().front();
  EXPECT_GT(verdict.history.acknowledged, 0u);
}

}  // namespace
}  // namespace medtrail::integration::chaos
