#pragma once
// A member node gone bad, for the tests: it authenticates to the cluster's peer ports with a
// real member's TLS key and certificate (pinned by genesis, so every link accepts it) and
// sends whatever frames a test crafts. It listens on that member's peer port too, so the
// cluster's own links to the member land here (and are ignored).
//
// The member's node process must not be running: two processes with one identity would take
// each other's links.
#include <chrono>
#include <memory>
#include <string>

#include "integration/cluster_harness.h"
#include "medtrail/ledger/crypto_suite.h"

namespace medtrail::integration {

class HostilePeer {
 public:
  // Takes the identity of cluster.node(as_node): its node id, TLS identity and node key.
  HostilePeer(const Cluster& cluster, int as_node);
  ~HostilePeer();
  HostilePeer(const HostilePeer&) = delete;
  HostilePeer& operator=(const HostilePeer&) = delete;

  const std::string& node_id() const;
  // The member's node key (it signs checkpoints as "<org>/<node>").
  const ledger::KeyPair& node_key() const;
  std::string node_signer() const;

  // Waits until the outbound link to cluster.node(to) is up, then queues `frame` (tag + body).
  // False when the link did not come up within `timeout` or the frame could not be queued.
  bool send(int to, std::string frame, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medtrail::integration
