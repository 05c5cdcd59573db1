#pragma once
// A real medtrail cluster for a test: `medtrail genesis init` in a fresh temporary directory
// with ports picked by the test, then one medtrail-node child process per node, stdout and
// stderr to nodes/<id>/node.log. Every child is killed and reaped by the destructor (and,
// should the test process itself die, by the kernel: PR_SET_PDEATHSIG), so no test leaks a
// process. On a failed test the destructor prints the tail of every node's log and keeps the
// directory.
//
// Children are started and stopped from the test's main thread only: the death signal fires
// when the thread that forked exits, not the process.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "medtrail/ledger/crypto_suite.h"
#include "support/http_client.h"

namespace medtrail::integration {

using namespace std::chrono_literals;

struct ClusterNode {
  std::string id;
  std::string org;
  std::string dir;  // nodes/<id>: node.toml, data/, node.log
  uint16_t api_port = 0;
  uint16_t peer_port = 0;
  pid_t pid = -1;  // -1 when not running
};

struct ClusterOptions {
  int nodes = 3;
  std::string extra_toml;  // appended to every node.toml (e.g. a [limits] table)
  // Genesis "confidential_fields": "clear_allowed", with which most tests drive the rules;
  // "sealed" (what genesis init writes by default) or "erasable".
  std::string confidential_fields = "clear_allowed";
  // The harness' HttpClient speaks plain HTTP, so by default every node's [api] (and [public],
  // when extra_toml opens it) says plain_http = true, explicitly. false: the nodes' own default,
  // HTTPS with each node's TLS identity, which the CLI trusts through the genesis pins.
  bool plain_http = true;
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  const ClusterNode& node(int i) const { return nodes_.at(i); }
  const std::string& dir() const { return dir_; }
  std::string genesis_path() const { return dir_ + "/genesis.json"; }
  std::string data_dir(int i) const { return nodes_.at(i).dir + "/data"; }
  // Organisations in genesis (the first ones run nodes) and their admin keys.
  const std::vector<std::string>& orgs() const { return orgs_; }
  const ledger::KeyPair& admin_key(const std::string& org) const { return admin_keys_.at(org); }

  // Creates a node genesis does not name (`medtrail node init`, ports picked here) for `org`;
  // returns its index. Its member record is at node(i).dir + "/member.json". Not started.
  int add_node(const std::string& id, const std::string& org);
  std::string admin_key_path(const std::string& org) const {
    return dir_ + "/orgs/" + org + "/admin.key";
  }

  // Appends `toml` to the node's node.toml (before it starts: e.g. its [peer_routes]).
  void append_toml(int i, const std::string& toml);

  // `env`: "NAME=value" entries the node's process gets beside the test's own environment.
  void start(int i, const std::vector<std::string>& env = {});
  void start_all();
  bool running(int i) const { return nodes_.at(i).pid > 0; }
  // When the node was running and has exited since (on its own): its exit code, as stop()
  // gives it; the node is then no longer running. Otherwise nullopt.
  std::optional<int> exited(int i);
  // Sends `signal` and waits for the exit; returns the exit code, 128+signal when killed by a
  // signal, or -1 when it did not exit within `timeout` (it is then SIGKILLed).
  int stop(int i, int signal = 15, std::chrono::milliseconds timeout = 15s);
  void kill9(int i) { stop(i, 9); }

  // GET /readyz answers 200 on the node / on every running node.
  bool wait_ready(int i, std::chrono::milliseconds timeout = 30s);
  bool wait_all_ready(std::chrono::milliseconds timeout = 30s);
  // GET /v1/status, or nullopt when the node does not answer.
  std::optional<nlohmann::json> status(int i);
  // The node that says it leads and that a majority of the running nodes name as leader.
  std::optional<int> leader(std::chrono::milliseconds timeout = 15s);
  // Every running node reports the same height, tree_size and tree_root, twice in a row.
  bool wait_converged(std::chrono::milliseconds timeout = 30s);
  // Every running node reports a height of at least `height`: a record committed there is
  // applied on each, so any node admits what it enables (a signer it registered, say).
  bool wait_applied_everywhere(uint64_t height, std::chrono::milliseconds timeout = 30s);

  testing::HttpClient client(int i, std::chrono::milliseconds timeout = 20s) const;
  // The last `lines` lines of the node's log.
  std::string log_tail(int i, size_t lines = 40) const;
  // The sum of the samples of every series of node i's /metrics whose text starts with `series`
  // (a name, or a name and the start of its labels); 0 when there is none.
  double metric(int i, const std::string& series) const;
  // Runs medtrail-node with `config` until it exits (or `timeout`: then it is killed and -1
  // returned); fills `output` with what it wrote. For start-ups that must be refused.
  int run_node_once(const std::string& config, std::string* output,
                    std::chrono::milliseconds timeout = 20s) const;
  // Runs the medtrail CLI; returns its exit code and fills `output` (stdout and stderr).
  int run_cli(const std::vector<std::string>& args, std::string* output = nullptr) const;

 private:
  void found(const ClusterOptions& options);
  bool reap(int i, std::chrono::milliseconds timeout, int* exit_code);

  std::string dir_;
  bool plain_http_ = true;
  std::vector<ClusterNode> nodes_;
  std::vector<std::string> orgs_;
  std::map<std::string, ledger::KeyPair> admin_keys_;
};

// The environment that preloads `library` into a node (Cluster::start): LD_PRELOAD, and what an
// ASan-built node needs to accept a library loaded before its runtime.
std::vector<std::string> preload_environment(const std::string& library);

// Free TCP ports on 127.0.0.1: bound to port 0 together (so distinct), read, closed.
std::vector<uint16_t> pick_free_ports(size_t count);

}  // namespace medtrail::integration
