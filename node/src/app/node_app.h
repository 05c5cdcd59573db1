#pragma once
// The daemon, wired: genesis and config checked against each other and the data dir, one
// RocksDB for the chain and the Raft log, the Raft driver, admission, peer links and the HTTP
// API on one io_context with a small thread pool.
//
// Startup refuses (exit 1, with the reason): a node id genesis does not name, a signing key or
// TLS certificate other than the ones genesis pins for this node, a data dir of another chain
// or of another node. Shutdown (SIGTERM, SIGINT): stop admitting (503), propose and apply what
// is queued (bounded wait), stop the API and peer links, sync the WAL, close the store.
#include <atomic>
#include <memory>
#include <string>

#include "config/node_config.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node {

class NodeApp {
 public:
  // Errors: `bad_genesis`, `unknown_node`, `key_mismatch`, `tls_mismatch`, `wrong_chain`,
  // `wrong_node`, `io_error`, `bind_failed`, ...
  static Result<std::unique_ptr<NodeApp>> open(const NodeConfig& config);
  ~NodeApp();
  NodeApp(const NodeApp&) = delete;
  NodeApp& operator=(const NodeApp&) = delete;

  // Binds the peer and API listeners and starts the driver.
  Status start();
  // Blocks until a signal or request_stop(), shuts down, and returns the exit code: 0 after a
  // clean stop, 2 when the node stopped on a failure (storage damage, I/O error).
  int run_until_stopped();
  // Thread-safe.
  void request_stop();

  uint16_t api_port() const;
  uint16_t public_port() const;  // 0 without a public listener
  uint16_t peer_port() const;

 private:
  struct Impl;
  explicit NodeApp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medtrail::node
