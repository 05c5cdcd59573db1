#include "integration/cluster_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "medtrail/ledger/key_file.h"
#include "support/metrics_text.h"
#include "support/poll.h"

namespace medtrail::integration {

using testing::HttpClient;
using testing::HttpResponse;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Three organisations run nodes, two more only submit (a second pharmacy lets two pharmacies
// race for one prescription); Raft ticks faster than the demo's so that failover tests stay short.
const char* const kOrgs[] = {"hosp-a", "pharm-b", "reg-c", "clinic-d", "pharm-e"};
const char* const kRoles[] = {"hospital", "pharmacy", "regulator", "clinic", "pharmacy"};

std::string orgs_file(const std::vector<ClusterNode>& nodes,
                      const std::string& confidential_fields) {
  std::ostringstream out;
  out << R"({"chain_name": "medtrail-it", "suite": "ed25519-sha256", "checkpoint_quorum": )"
      << (nodes.size() >= 3 ? 2 : 1) << R"(, "organisations": [)";
  for (size_t i = 0; i < std::size(kOrgs); ++i) {
    out << (i ? ", " : "") << R"({"id": ")" << kOrgs[i] << R"(", "name": "Org )" << kOrgs[i]
        << R"(", "roles": [")" << kRoles[i] << R"("]})";
  }
  out << R"(], "nodes": [)";
  for (size_t i = 0; i < nodes.size(); ++i) {
    out << (i ? ", " : "") << R"({"id": ")" << nodes[i].id << R"(", "org": ")" << nodes[i].org
        << R"(", "peer_address": "127.0.0.1:)" << nodes[i].peer_port
        << R"(", "api_address": "127.0.0.1:)" << nodes[i].api_port << R"("})";
  }
  out << R"(], "raft": {"tick_ms": 50, "election_ticks": 10, "heartbeat_ticks": 1})";
  // The regulator runs the pseudonym service when it runs a node (the third).
  if (nodes.size() >= 3) out << R"(, "pseudonym": {"org": "reg-c"})";
  // Most tests drive the rules with bodies in clear; a chain founded today seals them.
  out << R"(, "confidential_fields": ")" << confidential_fields << R"(")";
  out << "}";
  return out.str();
}

// fork + exec with stdout and stderr to `log` (appended), the test's environment plus `env`
// ("NAME=value", overriding). Only async-signal-safe calls run between fork and exec:
// everything is prepared before.
pid_t spawn(const std::vector<std::string>& args, const std::string& log, const std::string& cwd,
            const std::vector<std::string>& env = {}) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const bool overridden = std::any_of(env.begin(), env.end(), [&](const std::string& extra) {
      return entry.substr(0, entry.find('=') + 1) ==
             std::string_view(extra).substr(0, extra.find('=') + 1);
    });
    if (!overridden) envp.push_back(*e);
  }
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);  // the test died before prctl took effect
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    // Descriptors the test has open (client sockets) must not live on in the node.
    ::syscall(SYS_close_range, 3u, ~0u, 0u);
    if (::chdir(cwd.c_str()) != 0) _exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

// `toml` with plain_http = true in its [api] table (one added when it has none) and in its
// [public] table when it has one.
std::string with_plain_http(std::string toml) {
  for (const std::string table : {"[api]", "[public]"}) {
    const size_t at = toml.find(table + "\n");
    if (at != std::string::npos) toml.insert(at + table.size() + 1, "plain_http = true\n");
  }
  if (toml.find("[api]\n") == std::string::npos) toml += "\n[api]\nplain_http = true\n";
  return toml;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::vector<uint16_t> pick_free_ports(size_t count) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < count; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot pick a free port");
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

Cluster::Cluster(ClusterOptions options) {
  std::string pattern = (fs::temp_directory_path() / "medtrail-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  found(options);
}

void Cluster::found(const ClusterOptions& options) {
  auto ports = pick_free_ports(2 * options.nodes);
  for (int i = 0; i < options.nodes; ++i) {
    ClusterNode node;
    node.id = "node-" + std::to_string(i + 1);
    node.org = kOrgs[i % 3];
    node.peer_port = ports[2 * i];
    node.api_port = ports[2 * i + 1];
    node.dir = dir_ + "/consortium/nodes/" + node.id;
    nodes_.push_back(node);
  }
  std::string orgs_path = dir_ + "/orgs.json";
  std::ofstream(orgs_path) << orgs_file(nodes_, options.confidential_fields);
  dir_ += "/consortium";
  std::string output;
  int rc = run_cli({"genesis", "init", "--orgs", orgs_path, "--out", dir_}, &output);
  if (rc != 0) throw std::runtime_error("medtrail genesis init failed: " + output);
  plain_http_ = options.plain_http;
  const std::string toml = plain_http_ ? with_plain_http(options.extra_toml) : options.extra_toml;
  if (!toml.empty()) {
    for (int i = 0; i < size(); ++i) append_toml(i, toml);
  }
  for (const char* org : kOrgs) {
    auto key = ledger::load_key_file(dir_ + "/orgs/" + org + "/admin.key");
    if (!key.ok())
      throw std::runtime_error("admin key of " + std::string(org) + ": " +
                               key.status().to_string());
    orgs_.push_back(org);
    admin_keys_.emplace(org, std::move(key).value());
  }
}

Cluster::~Cluster() {
  bool failed = ::testing::Test::HasFailure();
  for (int i = 0; i < size(); ++i) {
    if (running(i)) {
      ::kill(nodes_[i].pid, SIGKILL);
      reap(i, 10s, nullptr);
    }
  }
  if (failed) {
    for (int i = 0; i < size(); ++i) {
      std::cerr << "---- last lines of " << nodes_[i].id << " (" << nodes_[i].dir << "/node.log):\n"
                << log_tail(i, 40) << "\n";
    }
    std::cerr << "cluster directory kept: " << dir_ << "\n";
  } else if (std::getenv("MEDTRAIL_IT_KEEP") == nullptr) {
    std::error_code ec;
    fs::remove_all(fs::path(dir_).parent_path(), ec);
  }
}

int Cluster::add_node(const std::string& id, const std::string& org) {
  auto ports = pick_free_ports(2);
  ClusterNode node;
  node.id = id;
  node.org = org;
  node.peer_port = ports[0];
  node.api_port = ports[1];
  node.dir = dir_ + "/nodes/" + id;
  std::string output;
  int rc = run_cli({"node", "init", "--genesis", genesis_path(), "--id", id, "--org", org, "--out",
                    node.dir, "--peer", "127.0.0.1:" + std::to_string(node.peer_port), "--api",
                    "127.0.0.1:" + std::to_string(node.api_port)},
                   &output);
  if (rc != 0) throw std::runtime_error("medtrail node init failed: " + output);
  nodes_.push_back(node);
  if (plain_http_) append_toml(size() - 1, with_plain_http(""));
  return size() - 1;
}

void Cluster::append_toml(int i, const std::string& toml) {
  std::ofstream(nodes_.at(i).dir + "/node.toml", std::ios::app) << "\n" << toml << "\n";
}

std::optional<int> Cluster::exited(int i) {
  int code = -1;
  if (running(i) && reap(i, 0ms, &code)) return code;
  return std::nullopt;
}

void Cluster::start(int i, const std::vector<std::string>& env) {
  ClusterNode& node = nodes_.at(i);
  if (node.pid > 0) return;
  std::ofstream(node.dir + "/node.log", std::ios::app) << "==== test starts " << node.id << "\n";
  node.pid = spawn({MEDTRAIL_NODE_PATH, "--config", node.dir + "/node.toml"},
                   node.dir + "/node.log", node.dir, env);
}

std::vector<std::string> preload_environment(const std::string& library) {
  // An ASan-built node insists its runtime comes first; a preloaded library comes before it.
  const char* asan = std::getenv("ASAN_OPTIONS");
  return {"LD_PRELOAD=" + library,
          "ASAN_OPTIONS=" + std::string(asan != nullptr ? asan : "") + ":verify_asan_link_order=0"};
}

void Cluster::start_all() {
  for (int i = 0; i < size(); ++i) start(i);
}

bool Cluster::reap(int i, std::chrono::milliseconds timeout, int* exit_code) {
  ClusterNode& node = nodes_.at(i);
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(node.pid, &status, WNOHANG);
    if (r == node.pid) {
      if (exit_code != nullptr) {
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      node.pid = -1;
      return true;
    }
    if (r < 0) {
      node.pid = -1;
      return true;
    }
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

int Cluster::stop(int i, int signal, std::chrono::milliseconds timeout) {
  if (!running(i)) return -1;
  ::kill(nodes_[i].pid, signal);
  int code = -1;
  if (reap(i, timeout, &code)) return code;
  ::kill(nodes_[i].pid, SIGKILL);
  reap(i, 10s, nullptr);
  return -1;
}

HttpClient Cluster::client(int i, std::chrono::milliseconds timeout) const {
  return HttpClient("127.0.0.1", nodes_.at(i).api_port, timeout);
}

bool Cluster::wait_ready(int i, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  HttpClient http = client(i, 2s);
  while (Clock::now() < deadline) {
    if (!running(i)) return false;
    int code = -1;
    if (reap(i, 0ms, &code)) {
      ADD_FAILURE() << nodes_[i].id << " exited with " << code << " while starting";
      return false;
    }
    if (http.get("/readyz").status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

bool Cluster::wait_all_ready(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!wait_ready(i, std::max(left, 1ms))) return false;
  }
  return true;
}

std::optional<nlohmann::json> Cluster::status(int i) {
  if (!running(i)) return std::nullopt;
  HttpResponse r = client(i, 3s).get("/v1/status");
  if (r.status != 200) return std::nullopt;
  auto json = nlohmann::json::parse(r.body, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

std::optional<int> Cluster::leader(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::map<std::string, int> votes;
    int live = 0;
    std::optional<int> claimant;
    for (int i = 0; i < size(); ++i) {
      auto s = status(i);
      if (!s) continue;
      ++live;
      if (s->value("role", "") == "leader") claimant = i;
      if (s->contains("leader") && (*s)["leader"].is_string()) ++votes[(*s)["leader"]];
    }
    if (claimant && votes[nodes_[*claimant].id] * 2 > live) return claimant;
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

bool Cluster::wait_applied_everywhere(uint64_t height, std::chrono::milliseconds timeout) {
  return testing::wait_until(
      [&] {
        for (int i = 0; i < size(); ++i) {
          if (!running(i)) continue;
          auto s = status(i);
          if (!s || s->value("height", uint64_t{0}) < height) return false;
        }
        return true;
      },
      timeout, 100ms);
}

bool Cluster::wait_converged(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string previous;
  while (Clock::now() < deadline) {
    std::string seen;
    bool agree = true;
    for (int i = 0; i < size() && agree; ++i) {
      if (!running(i)) continue;
      auto s = status(i);
      if (!s) {
        agree = false;
        break;
      }
      std::string here = s->value("height", nlohmann::json()).dump() + "/" +
                         s->value("tree_size", nlohmann::json()).dump() + "/" +
                         s->value("tree_root", nlohmann::json()).dump();
      if (seen.empty()) seen = here;
      agree = here == seen;
    }
    if (agree && !seen.empty() && seen == previous) return true;
    previous = agree ? seen : "";
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

std::string Cluster::log_tail(int i, size_t lines) const {
  std::ifstream in(nodes_.at(i).dir + "/node.log");
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& line : tail) out += line + "\n";
  return out;
}

double Cluster::metric(int i, const std::string& series) const {
  return testing::metric_sum(client(i, 5s).get("/metrics").body, series);
}

int Cluster::run_node_once(const std::string& config, std::string* output,
                           std::chrono::milliseconds timeout) const {
  std::string log = fs::path(dir_).parent_path().string() + "/node-once.out";
  fs::remove(log);
  pid_t pid = spawn({MEDTRAIL_NODE_PATH, "--config", config}, log, "/");
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  int code = -1;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (output != nullptr) *output = read_file(log);
  return code;
}

int Cluster::run_cli(const std::vector<std::string>& args, std::string* output) const {
  std::vector<std::string> argv = {MEDTRAIL_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string log = fs::path(dir_).parent_path().string() + "/cli.out";
  fs::remove(log);
  pid_t pid = spawn(argv, log, "/");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (output != nullptr) *output = read_file(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace medtrail::integration
