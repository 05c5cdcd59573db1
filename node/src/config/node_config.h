#pragma once
// The node's own configuration (TOML). Paths that are relative are resolved against the
// directory of the config file, so a cluster directory can be moved as a whole.
//
//   node_id  = "node-1"                    # must name a node in genesis
//   genesis  = "../genesis.json"
//   data_dir = "data"                      # RocksDB lives in <data_dir>/db
//   key_file = "node.key"                  # the node's signing key (checkpoints)
//   [tls]                                  # peer links (mutual TLS 1.3, pinned in genesis)
//   cert = "tls.crt"
//   key  = "tls.key"
//   [listen]
//   peer = "127.0.0.1:7001"                # host:port; port 0 picks a free one
//   api  = "127.0.0.1:8001"                # the members' API: every route
//   [api]                                  # optional; the members' listener
//   tls_cert = "api.crt"                   # both or neither: HTTPS with this certificate
//   tls_key  = "api.key"                   #   (default: HTTPS with the node's [tls] identity)
//   plain_http = false                     # true: plain HTTP (never the default)
//   record_reads = "members"               # "members" (signed, recorded reads) | "off"
//   max_connections = 1024                 # and the other listener keys (ListenerConfig)
//   [public]                               # optional: a second listener, public routes only
//   listen = "0.0.0.0:8080"                #   (lookups, the citizen's page, checkpoint, tiles,
//   trusted_proxies = ["127.0.0.1"]        #   proofs, health), with its own, stricter limits
//   [limits]                               # optional, defaults shown in NodeLimits
//   max_request_bytes = 8388608
//   ...
//   [log]
//   level = "info"                         # trace|debug|info|warn|error
//   file  = ""                             # empty: stderr
//   [storage]
//   fsync = true                           # false: no fsync at all (tests, benchmarks only)
//   min_free_mb = 256                      # the node stops before its disk has less free
//                                          # (0: never); 0..1048576
//   [cluster]
//   join = false                           # true: a node genesis does not name, added later
//                                          # through the membership endpoint
//   [peer_routes]                          # optional: dial a peer here instead of at the
//   node-2 = "10.8.0.2:7002"               # address genesis or its member record gives
//   [pseudonym]                            # optional: this node runs the patient pseudonym
//   key_file = "pseudonym.key"             # service (docs/privacy.md); its org and public key
//                                          # must be genesis' pseudonym service
//   citizen_credentials = "citizens.txt"   # optional, demos and tests only: the stand-in
//                                          # identity check for citizens' own refs
//
// Unknown keys, wrong types, out-of-range values and missing required keys are errors that
// name the file, the line and the key: `bad_config` "node.toml:7: limits.max_batch_records:
// must be 1..10000".

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::node {

using ledger::Result;
using ledger::Status;

struct NodeLimits {
  uint64_t max_request_bytes = 8 << 20;   // HTTP body; 1 KiB..256 MiB
  uint32_t max_header_bytes = 16 << 10;   // 1 KiB..1 MiB
  uint32_t max_records_per_request = 1000;  // 1..10000
  uint32_t admission_queue = 20000;       // records admitted but not yet proposed; 1..10^7
  uint32_t max_batch_records = 2000;      // records per proposal; 1..100000
  uint64_t max_batch_bytes = 4 << 20;     // bytes per proposal; 1 KiB..64 MiB
  uint32_t batch_linger_us = 2000;        // wait for more records before proposing; 0..1000000
  uint32_t max_proposals_in_flight = 2;   // leader's entries not yet committed; 1..1024
  uint32_t verify_threads = 0;            // 0: one per core; ..256
  uint32_t api_threads = 0;               // io_context threads; 0: one per core; ..64
  uint32_t commit_wait_ms = 10000;        // ?wait=commit timeout; 1..600000
  uint64_t max_frame_bytes = 64 << 20;    // peer frames; 64 KiB..1 GiB
  uint32_t peer_queue_frames = 8192;      // per peer; 16..10^6
  uint32_t checkpoint_every = 1;          // blocks between checkpoints; 1..100000
  uint64_t snapshot_every = 100000;       // applied entries between Raft snapshots; 0 = never
  // Public lookups (/v1/trace, /trace): per client address (an IPv6 /64 counts as one).
  uint32_t public_lookups_per_minute = 300;  // sustained; 1..10^6
  uint32_t public_lookup_burst = 30;         // 1..100000
  uint32_t public_lookup_floor_us = 3000;    // no answer sooner: hides known vs unknown; 0..100000
  bool operator==(const NodeLimits&) const = default;
};

// One HTTP listener (docs/config.md, "Listeners"): where, TLS, and its caps and deadlines
// (http::ServerOptions says what each does).
struct ListenerConfig {
  std::string listen;         // host:port; empty: this listener is off (the public one only)
  // HTTPS: the listener's own certificate, else the node's [tls] one (pinned in genesis, so a
  // client holding genesis trusts it). Empty only with plain_http.
  std::string tls_cert_file;
  std::string tls_key_file;
  uint32_t max_connections = 1024;              // 1..100000
  uint32_t max_connections_per_address = 256;   // 0 (no share)..100000
  uint32_t requests_per_second_per_address = 5000;  // 0 (no limit)..10^6
  uint32_t request_burst_per_address = 10000;   // 0 (one second's worth)..10^7
  uint32_t head_timeout_ms = 10000;             // to receive a request head; 100..600000
  uint32_t idle_timeout_ms = 30000;             // keep-alive between requests; 100..3600000
  uint32_t request_timeout_ms = 30000;          // the body, then the response; 100..600000
  std::vector<std::string> trusted_proxies;     // X-Forwarded-For from these only; <= 256
  bool plain_http = false;  // only when set: behind a proxy terminating TLS on this host, tests
  bool operator==(const ListenerConfig&) const = default;
};

// The members' listener: generous shares, for hospitals' gateways behind one address.
ListenerConfig members_listener_defaults();
// The public listener: a citizen needs a few connections and a few requests a second.
ListenerConfig public_listener_defaults();

enum class RecordReads { kMembers, kOff };

struct NodeConfig {
  std::string source;  // the config file's path, for messages
  std::string node_id;
  std::string genesis_file;
  std::string data_dir;
  std::string key_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string peer_listen;  // host:port
  ListenerConfig api = members_listener_defaults();  // [listen] api, [api]
  ListenerConfig public_api = public_listener_defaults();  // [public]; listen empty: off
  RecordReads record_reads = RecordReads::kMembers;
  NodeLimits limits;
  std::string log_level = "info";
  std::string log_file;
  bool fsync = true;
  uint64_t min_free_mb = 256;  // [storage]: stop (or refuse to start) below this much free space
  bool low_priority_compactions = true;  // [storage]: RocksDB's compactions at nice 19
  bool join = false;
  std::map<std::string, std::string> peer_routes;  // node id -> host:port to dial it at
  std::string pseudonym_key_file;  // empty: this node does not evaluate pseudonyms
  std::string citizen_credentials_file;  // empty: no citizen's own ref is served
};

// Parses `text`; relative paths resolve against `base_dir`; `source` names it in errors.
Result<NodeConfig> parse_node_config(std::string_view text, std::string_view source,
                                     const std::string& base_dir);
// Reads and parses a file. Errors: `io_error`, `bad_config`.
Result<NodeConfig> load_node_config(const std::string& path);

// "host:port" with a numeric port 0..65535 and a non-empty host (IPv6 in brackets).
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> parse_host_port(std::string_view text);

}  // namespace medtrail::node
