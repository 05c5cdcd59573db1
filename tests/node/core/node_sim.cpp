#include "node_sim.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "medtrail/ledger/chain_verifier.h"
#include "node_stack.h"

namespace medtrail::node::testing {
namespace {

struct InFlight {
  uint64_t at = 0;
  uint64_t seq = 0;  // sent order, so frames due together arrive deterministically
  std::string from;
  std::string to;
  std::string frame;
  bool operator>(const InFlight& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
};

class Sim {
 public:
  explicit Sim(const NodeSimOptions& options)
      : o_(options), rng_(options.seed), suite_(ledger::ed25519_sha256()), admin_(key()) {
    genesis_.checkpoint_quorum = 2;
    const char* orgs[] = {"hosp-a", "pharm-b", "reg-c"};
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
    genesis_.organisations.push_back({"pharm-b", "Pharmacy B", {"pharmacy"}, key().public_key});
    genesis_.organisations.push_back({"reg-c", "Regulator C", {"regulator"}, key().public_key});
    for (int i = 0; i < o_.nodes; ++i) {
      node_keys_.push_back(key());
      ledger::GenesisNode node;
      node.id = "n" + std::to_string(i + 1);
      node.org = orgs[i % 3];
      node.public_key = node_keys_.back().public_key;
      genesis_.nodes.push_back(node);
      ids_.push_back(node.id);
      dirs_.push_back(std::make_unique<medtrail::testing::TempDir>());
    }
    stacks_.resize(ids_.size());
    restart_at_.assign(ids_.size(), 0);
    isolated_until_.assign(ids_.size(), 0);
    checked_.assign(ids_.size(), 0);
    installs_seen_.assign(ids_.size(), 0);
    net_.intercept([this](const std::string& from, const std::string& to, std::string frame) {
      send(from, to, std::move(frame));
    });
  }

  NodeSimReport run() {
    for (size_t i = 0; i < ids_.size(); ++i) start(i);
    // Faults and load.
    for (; time_.ms < o_.fault_ms && report_.ok; ++time_.ms) {
      maybe_fault();
      if (chance(o_.submit_per_ms)) submit();
      round();
    }
    // Healed, quiet, no loss: the cluster must come to one chain.
    healed_ = true;
    for (size_t i = 0; i < ids_.size(); ++i) {
      isolated_until_[i] = 0;
      if (!stacks_[i]) start(i);
    }
    const uint64_t deadline = time_.ms + o_.settle_ms;
    uint64_t agreed_since = 0;
    for (; time_.ms < deadline && report_.ok; ++time_.ms) {
      round();
      if (!agreed()) {
        agreed_since = time_.ms;
      } else if (time_.ms - agreed_since >= 1000) {
        break;
      }
    }
    if (report_.ok && !agreed()) fail("the nodes did not come to one chain once healed");
    if (report_.ok) final_checks();
    for (auto& s : stacks_) {
      if (s) report_.snapshots_installed += s->driver->stats().snapshots_installed;
    }
    stacks_.clear();
    return report_;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  uint64_t uniform(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }

  ledger::KeyPair key() {
    ledger::Bytes seed(32);
    for (auto& b : seed) b = static_cast<uint8_t>(rng_());
    return suite_.keypair_from_secret(seed).value();
  }

  void start(size_t i) {
    StackOptions options;
    options.tick = std::chrono::milliseconds(o_.tick_ms);
    options.node_key = node_keys_[i];
    options.snapshot_every = o_.snapshot_every;
    options.time = &time_;
    options.stepped = true;
    options.raft_seed = o_.seed * 1000 + i + 1 + 100 * report_.crashes;
    options.pending_ttl = std::chrono::milliseconds(3000);
    stacks_[i] = std::make_unique<NodeStack>((dirs_[i]->path() / "db").string(), ids_[i], ids_,
                                             genesis_, net_, options);
    checked_[i] = 0;  // a restarted node's whole chain is checked again
    installs_seen_[i] = 0;
  }

  void send(const std::string& from, const std::string& to, std::string frame) {
    if (!healed_ && chance(o_.drop)) return;
    const uint64_t delay = healed_ ? uniform(0, 2) : uniform(0, static_cast<uint64_t>(o_.max_delay_ms));
    in_flight_.push({time_.ms + delay, next_seq_++, from, to, std::move(frame)});
  }

  size_t index_of(const std::string& id) const {
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] == id) return i;
    }
    return ids_.size();
  }

  bool cut_off(size_t i) const { return isolated_until_[i] > time_.ms; }

  void deliver_due() {
    while (!in_flight_.empty() && in_flight_.top().at <= time_.ms) {
      InFlight f = in_flight_.top();
      in_flight_.pop();
      const size_t from = index_of(f.from);
      const size_t to = index_of(f.to);
      if (to >= ids_.size() || !stacks_[to]) continue;           // a crashed node hears nothing
      if (from < ids_.size() && (cut_off(from) || cut_off(to))) continue;  // partitioned
      net_.deliver(f.from, f.to, std::move(f.frame));
    }
  }

  // About one fault every two seconds: a node cut off, or one crashed and restarted later; at
  // most one node is out at a time, so a quorum stays.
  void maybe_fault() {
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (!stacks_[i] && restart_at_[i] <= time_.ms) start(i);
    }
    if (!chance(1.0 / 2000)) return;
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (!stacks_[i] || cut_off(i)) return;
    }
    const size_t victim = uniform(0, ids_.size() - 1);
    if (o_.crashes && (!o_.partitions || chance(0.5))) {
      stacks_[victim].reset();  // the process dies between two steps; its disk stays
      restart_at_[victim] = time_.ms + uniform(300, 5000);
      ++report_.crashes;
    } else if (o_.partitions) {
      isolated_until_[victim] = time_.ms + uniform(300, 5000);
      ++report_.partitions;
    }
  }

  // A client sends a record to a node it can reach: mostly a new one, sometimes one sent
  // before (to another node, say), which must never land twice.
  void submit() {
    std::vector<size_t> up;
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (stacks_[i]) up.push_back(i);
    }
    if (up.empty()) return;
    NodeStack& node = *stacks_[up[uniform(0, up.size() - 1)]];
    ledger::Envelope envelope;
    if (!sent_.empty() && chance(0.2)) {
      // Half the time one still in flight: the same record racing through two nodes.
      const size_t recent = std::min<size_t>(sent_.size(), 5);
      envelope = chance(0.5) ? sent_[sent_.size() - 1 - uniform(0, recent - 1)]
                             : sent_[uniform(0, sent_.size() - 1)];
    } else {
      envelope = medtrail::testing::make_admin_record(admin_, "hosp-a", ++nonce_);
      sent_.push_back(envelope);
      ++report_.submitted;
    }
    const ledger::Hash hash = ledger::record_hash(suite_, envelope);
    std::vector<Result<ledger::Envelope>> items;
    items.emplace_back(std::move(envelope));
    node.admission->submit(std::move(items), /*wait=*/true, time_.now() + std::chrono::seconds(3),
                           [this, hash](std::vector<RecordStatus> statuses) {
                             if (statuses.size() == 1) acknowledge(hash, statuses[0]);
                           });
  }

  void acknowledge(const ledger::Hash& hash, const RecordStatus& s) {
    if (s.state != RecordState::kCommitted && s.state != RecordState::kRejected &&
        s.state != RecordState::kDuplicate) {
      return;
    }
    auto [it, fresh] = acked_.emplace(hash, s.leaf_index);
    if (fresh) ++report_.acknowledged;
    if (it->second != s.leaf_index) {
      fail("record " + ledger::to_hex(hash).substr(0, 16) + " acknowledged at leaf " +
           std::to_string(it->second) + " and at leaf " + std::to_string(s.leaf_index));
    }
  }

  void round() {
    deliver_due();
    for (auto& s : stacks_) {
      if (s) s->driver->step();
    }
    for (size_t i = 0; i < ids_.size() && report_.ok; ++i) {
      if (stacks_[i]) check_blocks(i);
    }
  }

  // Every block of node i not checked yet against the blocks every node agreed on so far.
  void check_blocks(size_t i) {
    NodeStack& node = *stacks_[i];
    if (node.driver->failed()) return fail(ids_[i] + " stopped on a failure");
    const uint64_t installs = node.driver->stats().snapshots_installed;
    if (installs != installs_seen_[i]) {
      installs_seen_[i] = installs;
      checked_[i] = 0;  // an installed image replaced the chain: check all of it again
    }
    const uint64_t height = node.store->height();
    for (uint64_t h = checked_[i] + 1; h <= height && report_.ok; ++h) {
      auto block = node.store->block_at(h);
      if (!block.ok()) return fail(ids_[i] + " cannot read block " + std::to_string(h));
      const ledger::Hash hash = ledger::block_hash(suite_, block->header);
      auto [agreed, first] = agreed_.emplace(h, std::make_pair(hash, block->header.tree_root));
      if (!first && agreed->second.first != hash) {
        return fail(ids_[i] + "'s block " + std::to_string(h) + " differs from another node's");
      }
      for (const ledger::SignedCheckpoint& sc : block->checkpoints) {
        auto named = agreed_.find(sc.checkpoint.height);
        if (sc.checkpoint.height >= h || named == agreed_.end() ||
            named->second.first != sc.checkpoint.block_hash ||
            named->second.second != sc.checkpoint.tree_root) {
          return fail(ids_[i] + "'s block " + std::to_string(h) + " carries a checkpoint of height " +
                      std::to_string(sc.checkpoint.height) + " that names no agreed block");
        }
      }
      checked_[i] = h;
    }
  }

  bool agreed() const {
    const NodeStack* first = nullptr;
    for (const auto& s : stacks_) {
      if (!s) return false;
      if (s->queue->size() != 0) return false;
      if (first == nullptr) {
        first = s.get();
      } else if (s->store->height() != first->store->height() ||
                 s->store->last_block_hash() != first->store->last_block_hash()) {
        return false;
      }
    }
    return first != nullptr;
  }

  void final_checks() {
    NodeStack& first = *stacks_[0];
    report_.height = first.store->height();
    report_.head = ledger::to_hex(first.store->last_block_hash());
    const ledger::CheckpointTrust trust = first.signers.checkpoint_trust();
    for (size_t i = 0; i < ids_.size() && report_.ok; ++i) {
      NodeStack& node = *stacks_[i];
      checked_[i] = 0;
      check_blocks(i);
      ledger::VerifyOptions verify;
      verify.trust = &trust;
      const ledger::VerifyReport chain = ledger::verify_chain(*node.store, verify);
      if (!chain.ok) return fail(ids_[i] + "'s chain does not verify: " + chain.problem_code + " " + chain.problem);
      for (const auto& [hash, leaf] : acked_) {
        auto found = node.store->find_record(hash);
        if (!found.ok() || *found != leaf) {
          return fail("record " + ledger::to_hex(hash).substr(0, 16) + ", acknowledged at leaf " +
                      std::to_string(leaf) + ", is not there on " + ids_[i]);
        }
      }
    }
    std::set<ledger::Hash> seen;
    for (uint64_t leaf = 0; leaf < first.store->tree_size() && report_.ok; ++leaf) {
      auto record = first.store->leaf_at(leaf);
      if (!record.ok()) return fail("leaf " + std::to_string(leaf) + " cannot be read");
      if (!seen.insert(ledger::record_hash(suite_, record->envelope)).second) {
        fail("a record is on the chain twice (leaf " + std::to_string(leaf) + ")");
      }
    }
  }

  void fail(const std::string& what) {
    if (!report_.ok) return;
    report_.ok = false;
    report_.failure = "at " + std::to_string(time_.ms) + " ms: " + what;
  }

  const NodeSimOptions o_;
  std::mt19937_64 rng_;
  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  std::vector<ledger::KeyPair> node_keys_;
  std::vector<std::string> ids_;
  std::vector<std::unique_ptr<medtrail::testing::TempDir>> dirs_;
  SteppedTime time_;
  LocalNet net_;
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> in_flight_;
  uint64_t next_seq_ = 0;
  bool healed_ = false;
  std::vector<std::unique_ptr<NodeStack>> stacks_;  // null while crashed
  std::vector<uint64_t> restart_at_;
  std::vector<uint64_t> isolated_until_;
  std::vector<uint64_t> checked_;  // highest block checked, per node
  std::vector<uint64_t> installs_seen_;
  std::map<uint64_t, std::pair<ledger::Hash, ledger::Hash>> agreed_;  // height -> block hash, tree root
  std::vector<ledger::Envelope> sent_;
  uint64_t nonce_ = 0;
  std::map<ledger::Hash, uint64_t> acked_;  // record -> the leaf clients were told
  NodeSimReport report_;
};

}  // namespace

NodeSimReport run_node_sim(const NodeSimOptions& options) {
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::err);  // a run's elections and snapshots are not news
  NodeSimReport report = Sim(options).run();
  spdlog::set_level(level);
  return report;
}

}  // namespace medtrail::node::testing
