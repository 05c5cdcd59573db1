// consensus-sim: runs the deterministic Raft cluster simulator over a range of seeds.
//   consensus-sim --seeds N --steps M --nodes K [--seed S] [--faults all|none|lies] [--verbose]
// Seeds S .. S+N-1 are run; any violation prints the seed, the invariant and the last events,
// and the exit status is 1. `--seed S` alone replays that one seed. `--faults none` turns off
// crashes, pauses, partitions, lossy links and lying members; membership changes and
// leadership transfers still happen (they are workload, not faults). `--faults lies` keeps
// only the lying members (sim/liar.h), on an otherwise reliable network.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/simulation.h"

namespace {

struct Args {
  uint64_t first_seed = 1;
  uint64_t seeds = 0;  // 0: 1 if --seed was given, else 100
  uint64_t steps = 2000;
  int nodes = 3;
  std::string faults = "all";
  bool verbose = false;
  bool local_reads = false;
  bool skip_sync = false;
  size_t trace_lines = 60;
};

void usage() {
  std::fprintf(stderr,
               "usage: consensus-sim [--seeds N] [--steps M] [--nodes K] [--seed S]\n"
               "                     [--faults all|none|lies] [--trace LINES] [--verbose]\n"
               "                     [--unsafe-local-reads] [--unsafe-skip-sync]\n"
               "The --unsafe-* flags break the driver on purpose, to show the checks catch it.\n");
}

bool parse_u64(const char* text, uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

bool parse(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    uint64_t n = 0;
    if (flag == "--verbose") {
      args.verbose = true;
    } else if (flag == "--unsafe-local-reads") {
      args.local_reads = true;
    } else if (flag == "--unsafe-skip-sync") {
      args.skip_sync = true;
    } else if (flag == "--faults" && has_value) {
      const std::string mode = argv[++i];
      if (mode != "all" && mode != "none" && mode != "lies") return false;
      args.faults = mode;
    } else if (has_value && parse_u64(argv[i + 1], n)) {
      ++i;
      if (flag == "--seeds") {
        args.seeds = n;
      } else if (flag == "--seed") {
        args.first_seed = n;
        if (args.seeds == 0) args.seeds = 1;
      } else if (flag == "--steps") {
        args.steps = n;
      } else if (flag == "--nodes" && n >= 1 && n <= 9) {
        args.nodes = static_cast<int>(n);
      } else if (flag == "--trace") {
        args.trace_lines = n;
      } else {
        return false;
      }
    } else {
      return false;
    }
  }
  if (args.seeds == 0) args.seeds = 100;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, args)) {
    usage();
    return 2;
  }
  using medtrail::sim::SimOptions;
  using medtrail::sim::SimResult;
  const auto start = std::chrono::steady_clock::now();
  uint64_t steps = 0, elections = 0, commits = 0, reads = 0, acked = 0, violations = 0;
  uint64_t conf_changes = 0, crashes = 0, lies = 0, messages = 0;
  for (uint64_t seed = args.first_seed; seed < args.first_seed + args.seeds; ++seed) {
    SimOptions options;
    options.seed = seed;
    options.nodes = args.nodes;
    options.steps = args.steps;
    options.faults = args.faults != "none";
    if (args.faults == "lies") {
      options.fault_options.crashes = false;
      options.fault_options.pauses = false;
      options.fault_options.partitions = false;
      options.fault_options.link_faults = false;
      options.fault_options.baseline = medtrail::sim::LinkFaults{};
    }
    options.verbose = args.verbose;
    options.trace_lines = args.trace_lines;
    options.workload.local_reads = args.local_reads;
    options.unsafe_skip_sync = args.skip_sync;
    const SimResult result = medtrail::sim::run_simulation(options);
    steps += result.steps + result.settle_steps;
    elections += result.elections;
    commits += result.commits;
    reads += result.reads_checked;
    acked += result.appends_acknowledged;
    conf_changes += result.conf_changes;
    crashes += result.crashes;
    lies += result.lies;
    messages += result.messages;
    if (!result.ok()) {
      ++violations;
      std::printf("%s", result.failure_report().c_str());
      std::string replay = "consensus-sim --seed " + std::to_string(seed) + " --steps " +
                           std::to_string(args.steps) + " --nodes " + std::to_string(args.nodes) +
                           " --faults " + args.faults;
      if (args.local_reads) replay += " --unsafe-local-reads";
      if (args.skip_sync) replay += " --unsafe-skip-sync";
      std::printf("replay: %s\n\n", replay.c_str());
    }
    std::fflush(stdout);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "seeds %llu (from %llu), nodes %d, faults %s\n"
      "steps %llu, elections %llu, commits %llu, acknowledged appends %llu, reads checked %llu\n"
      "membership changes %llu, crashes %llu, lies %llu, messages %llu\n"
      "violations %llu, wall time %.2fs\n",
      static_cast<unsigned long long>(args.seeds), static_cast<unsigned long long>(args.first_seed),
      args.nodes, args.faults.c_str(), static_cast<unsigned long long>(steps),
      static_cast<unsigned long long>(elections), static_cast<unsigned long long>(commits),
      static_cast<unsigned long long>(acked), static_cast<unsigned long long>(reads),
      static_cast<unsigned long long>(conf_changes), static_cast<unsigned long long>(crashes),
      static_cast<unsigned long long>(lies), static_cast<unsigned long long>(messages),
      static_cast<unsigned long long>(violations), wall);
  return violations == 0 ? 0 : 1;
}
