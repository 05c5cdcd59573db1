#include "integration/chaos_nemesis.h"

#include <signal.h>

#include <thread>

namespace medtrail::integration::chaos {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Nemesis::Nemesis(Cluster& cluster, NemesisOptions options)
    : cluster_(cluster), options_(std::move(options)), rng_(options_.seed) {
  const int n = cluster_.size();
  proxies_.resize(n);
  for (int from = 0; from < n; ++from) {
    proxies_[from].resize(n);
    std::string routes = "[peer_routes]\n";
    for (int to = 0; to < n; ++to) {
      if (from == to) continue;
      proxies_[from][to] = std::make_unique<FaultProxy>(cluster_.node(to).peer_port, options_.seed * 31 + from * n + to);
      routes += cluster_.node(to).id + " = \"127.0.0.1:" + std::to_string(proxies_[from][to]->port()) + "\"\n";
    }
    cluster_.append_toml(from, routes);
  }
}

void Nemesis::note(const std::string& line) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  log_.push_back(std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + "s " + line);
}

int Nemesis::pick_node(bool prefer_leader) {
  picked_leader_ = false;
  if (prefer_leader) {
    if (auto leader = cluster_.leader(2s)) {
      picked_leader_ = true;
      return *leader;
    }
  }
  return static_cast<int>(rng_() % static_cast<uint64_t>(cluster_.size()));
}

void Nemesis::check_exits() {
  for (int i = 0; i < cluster_.size(); ++i) {
    if (auto code = cluster_.exited(i)) {
      unexpected_exits_.push_back(cluster_.node(i).id + " exited with " + std::to_string(*code));
      note(unexpected_exits_.back());
    }
  }
}

void Nemesis::heal() {
  for (auto& row : proxies_) {
    for (auto& p : row) {
      if (!p) continue;
      p->set_mode(FaultProxy::Mode::kPass);
      p->set_delay(0ms, 0ms);
    }
  }
  for (int i : paused_) ::kill(cluster_.node(i).pid, SIGCONT);
  paused_.clear();
  check_exits();
  for (int i : killed_) cluster_.start(i);
  for (int i : killed_) cluster_.wait_ready(i, 60s);
  killed_.clear();
}

void Nemesis::inject() {
  std::vector<std::string> faults(options_.faults.begin(), options_.faults.end());
  const std::string fault = faults[rng_() % faults.size()];
  const int n = cluster_.size();
  const bool leader = rng_() % 2 == 0;
  ++injected_[fault];
  if (fault == "isolate") {
    const int node = pick_node(leader);
    const bool stall = rng_() % 2 == 0;
    for (int other = 0; other < n; ++other) {
      if (other == node) continue;
      link(node, other).set_mode(stall ? FaultProxy::Mode::kStall : FaultProxy::Mode::kCut);
      link(other, node).set_mode(stall ? FaultProxy::Mode::kStall : FaultProxy::Mode::kCut);
    }
    note(std::string("isolate ") + cluster_.node(node).id + (stall ? " (stall)" : " (cut)"));
  } else if (fault == "one-way") {
    const int from = pick_node(leader);
    const int to = (from + 1 + static_cast<int>(rng_() % static_cast<uint64_t>(n - 1))) % n;
    link(from, to).set_mode(FaultProxy::Mode::kCut);
    note("one-way: " + cluster_.node(to).id + " no longer hears " + cluster_.node(from).id);
  } else if (fault == "slow") {
    const auto base = std::chrono::milliseconds(20 + rng_() % 131);
    for (auto& row : proxies_) {
      for (auto& p : row) {
        if (p) p->set_delay(base, base);
      }
    }
    note("slow: every link " + std::to_string(base.count()) + " ms + jitter up to as much");
  } else if (fault == "reset") {
    for (auto& row : proxies_) {
      for (auto& p : row) {
        if (p) p->reset_connections();
      }
    }
    note("reset every connection");
  } else if (fault == "kill") {
    const int node = pick_node(leader);
    if (cluster_.running(node)) {
      cluster_.kill9(node);
      killed_.insert(node);
      ++kills_;
    }
    note("kill -9 " + cluster_.node(node).id + (picked_leader_ ? " (the leader)" : ""));
  } else if (fault == "pause") {
    const int node = pick_node(leader);
    if (cluster_.running(node)) {
      ::kill(cluster_.node(node).pid, SIGSTOP);
      paused_.insert(node);
    }
    note("pause " + cluster_.node(node).id + (picked_leader_ ? " (the leader)" : ""));
  }
}

void Nemesis::run(Clock::time_point deadline) {
  auto between = [this](std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
    return lo + std::chrono::milliseconds(rng_() % static_cast<uint64_t>((hi - lo).count() + 1));
  };
  auto sleep_until = [&](Clock::time_point t) {
    while (Clock::now() < std::min(t, deadline)) {
      std::this_thread::sleep_for(50ms);
      check_exits();
    }
  };
  while (Clock::now() < deadline && (options_.kill_cycles == 0 || kills_ < options_.kill_cycles)) {
    sleep_until(Clock::now() + between(options_.heal_min, options_.heal_max));
    if (Clock::now() >= deadline) break;
    inject();
    sleep_until(Clock::now() + between(options_.fault_min, options_.fault_max));
    heal();
    note("heal");
  }
  heal();
}

}  // namespace medtrail::integration::chaos
