#include "integration/hostile_peer.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "peer/peer_network.h"

namespace medtrail::integration {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

struct HostilePeer::Impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<node::peer::PeerNetwork> network;
  std::thread thread;
  std::string id;
  std::string org;
  ledger::KeyPair key;
  const Cluster* cluster = nullptr;
};

HostilePeer::HostilePeer(const Cluster& cluster, int as_node) : impl_(std::make_unique<Impl>()) {
  const ClusterNode& self = cluster.node(as_node);
  impl_->cluster = &cluster;
  impl_->id = self.id;
  impl_->org = self.org;
  auto key = ledger::load_key_file(self.dir + "/node.key");
  if (!key.ok()) throw std::runtime_error("node key: " + key.status().to_string());
  impl_->key = std::move(key).value();
  auto genesis = ledger::load_genesis_file(cluster.genesis_path());
  if (!genesis.ok()) throw std::runtime_error("genesis: " + genesis.status().to_string());

  node::peer::PeerNetworkOptions options;
  options.self_id = self.id;
  options.listen_port = self.peer_port;
  options.tls_cert_pem = read_file(self.dir + "/tls.crt");
  options.tls_key_pem = read_file(self.dir + "/tls.key");
  options.min_backoff = std::chrono::milliseconds(20);
  options.max_backoff = std::chrono::milliseconds(200);
  for (const ledger::GenesisNode& n : genesis->genesis.nodes) {
    if (n.id == self.id) continue;
    for (int i = 0; i < cluster.size(); ++i) {
      if (cluster.node(i).id != n.id) continue;
      options.peers.push_back(
          {n.id, "127.0.0.1:" + std::to_string(cluster.node(i).peer_port), n.tls_spki_sha256});
    }
  }
  impl_->network = std::make_unique<node::peer::PeerNetwork>(
      impl_->io, std::move(options), [](const std::string&, std::string) {});
  if (auto s = impl_->network->start(); !s.ok()) {
    throw std::runtime_error("hostile peer: " + s.to_string());
  }
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

HostilePeer::~HostilePeer() {
  impl_->network->stop();
  impl_->work.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

const std::string& HostilePeer::node_id() const { return impl_->id; }
const ledger::KeyPair& HostilePeer::node_key() const { return impl_->key; }
std::string HostilePeer::node_signer() const { return impl_->org + "/" + impl_->id; }

bool HostilePeer::send(int to, std::string frame, std::chrono::milliseconds timeout) {
  const std::string& target = impl_->cluster->node(to).id;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const auto& p : impl_->network->peer_states()) {
      if (p.node_id == target && p.outbound_connected) return impl_->network->send(target, std::move(frame));
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace medtrail::integration
