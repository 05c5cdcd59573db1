#include "app/node_app.h"
#include "core/disk_guard.h"
#include "app/open_files.h"

#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "api/api_context.h"
#include "api/api_routes.h"
#include "api/listener_options.h"
#include "api/metrics.h"
#include "core/admission.h"
#include "core/block_applier.h"
#include "core/patient_key_store.h"
#include "core/raft_driver.h"
#include "core/record_tracker.h"
#include "core/signer_directory.h"
#include "core/submission_queue.h"
#include "core/verified_signatures.h"
#include "http/http_server.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/pseudonym_key_file.h"
#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/thread_name.h"
#include "medtrail/ledger/thread_pool.h"
#include "medtrail/ledger/tls_identity.h"
#include "peer/peer_network.h"

namespace medtrail::node {

namespace {

constexpr const char* kNodeIdKey = "node_id";
// How long shutdown waits for queued records to be proposed, committed and applied.
constexpr std::chrono::milliseconds kShutdownDrain{3000};

Result<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("io_error", "cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  if (out.str().size() > (1 << 20)) return Status::error("io_error", path + " is too large");
  return out.str();
}

unsigned thread_count(uint32_t configured) {
  if (configured != 0) return configured;
  return std::max(2u, std::thread::hardware_concurrency());
}

const char* scheme(const ListenerConfig& listener) { return listener.tls_cert_file.empty() ? "http" : "https"; }

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

// A listener's HTTPS certificate and key, when it has them (the key read as key files are).
Status read_listener_identity(const ListenerConfig& listener, std::string& cert_pem,
                              std::string& key_pem) {
  if (listener.tls_cert_file.empty()) return Status();
  auto c = read_small_file(listener.tls_cert_file);
  if (!c.ok()) return c.status();
  MEDTRAIL_RETURN_IF_ERROR(ledger::read_tls_private_key(listener.tls_key_file, key_pem));
  cert_pem = std::move(*c);
  return Status();
}

}  // namespace

struct NodeApp::Impl {
  NodeConfig config;
  ledger::LoadedGenesis genesis;
  ledger::GenesisNode self;
  std::optional<ledger::KeyPair> node_key;
  std::optional<ledger::OprfServerKey> pseudonym_key;  // [pseudonym] key_file, when set
  std::unique_ptr<api::CitizenIdentityCheck> citizen_check;  // [pseudonym] citizen_credentials
  std::unique_ptr<PatientKeyStore> patient_keys;  // the key service's, beside the pseudonym service
  std::string tls_cert_pem, tls_key_pem;
  std::string api_cert_pem, api_key_pem, public_cert_pem, public_key_pem;
  // Before the pipeline, so destroyed after it: a record's waiters (the tracker's, admission's)
  // hold HTTP handlers, and a handler's strand needs the io_context alive when it goes. A node
  // that failed with answers still owed destroyed them after it (TSan: a freed strand mutex).
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::unique_ptr<ledger::ChainStore> store;
  SignerDirectory signers;
  std::unique_ptr<ledger::ThreadPool> verify_pool;
  std::unique_ptr<VerifiedSignatures> verified;  // admitted here: apply need not verify again
  std::optional<BlockApplier> applier;
  RecordTracker tracker;
  std::unique_ptr<SubmissionQueue> queue;
  std::unique_ptr<Admission> admission;
  std::unique_ptr<RaftDriver> driver;

  std::unique_ptr<boost::asio::signal_set> signals;
  std::unique_ptr<peer::PeerNetwork> peers;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<http::Server> public_server;  // null unless [public] is configured
  api::Metrics metrics;
  api::ApiContext ctx;
  std::atomic<bool> accepting{false};
  std::vector<std::thread> io_threads;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  bool shut_down = false;
  bool was_member = false;             // driver thread only
  std::atomic<bool> removed{false};
  std::atomic<bool> failed{false};

  std::unique_ptr<boost::asio::steady_timer> disk_timer;

  // Stops the node as failed: admission closes, run_until_stopped returns 2.
  void fail() {
    failed = true;
    accepting = false;
    {
      std::lock_guard lock(stop_mu);
      stop_requested = true;
    }
    stop_cv.notify_all();
  }
  // Every second: below storage.min_free_mb the node stops (core/disk_guard.h).
  void watch_disk();

  Status check_identity();
  Status load_pseudonym_key();
  Status open_store();
  Status open_patient_keys();
  Status build_pipeline();
  void build_network();
  void shutdown();
};

Status NodeApp::Impl::check_identity() {
  const auto& nodes = genesis.genesis.nodes;
  auto it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const ledger::GenesisNode& n) { return n.id == config.node_id; });
  const bool founding = it != nodes.end();
  if (!founding && !config.join) {
    return Status::error("unknown_node", "genesis names no node \"" + config.node_id +
                                             "\" (a node added later sets [cluster] join = true)");
  }
  if (founding && config.join) {
    return Status::error("bad_config", "[cluster] join is for nodes genesis does not name");
  }
  auto key = ledger::load_key_file(config.key_file);
  if (!key.ok()) return key.status();
  if (!founding) {
    // Its record arrives with the membership change that adds it; peers check its key then.
    self.id = config.node_id;
    self.public_key = key->public_key;
    auto cert = read_small_file(config.tls_cert_file);
    if (!cert.ok()) return cert.status();
    auto pin = ledger::certificate_spki_sha256(*cert);
    if (!pin.ok()) return pin.status();
    self.tls_spki_sha256 = *pin;
  } else {
    self = *it;
  }
  if (key->public_key != self.public_key) {
    return Status::error("key_mismatch",
                         config.key_file + " is not the signing key genesis pins for this node");
  }
  node_key = std::move(*key);
  auto cert = read_small_file(config.tls_cert_file);
  if (!cert.ok()) return cert.status();
  MEDTRAIL_RETURN_IF_ERROR(ledger::read_tls_private_key(config.tls_key_file, tls_key_pem));
  auto pin = ledger::certificate_spki_sha256(*cert);
  if (!pin.ok()) return pin.status();
  if (*pin != self.tls_spki_sha256) {
    return Status::error("tls_mismatch", config.tls_cert_file +
                                             " does not carry the key genesis pins for this node");
  }
  tls_cert_pem = std::move(*cert);
  MEDTRAIL_RETURN_IF_ERROR(read_listener_identity(config.api, api_cert_pem, api_key_pem));
  return read_listener_identity(config.public_api, public_cert_pem, public_key_pem);
}

// A pseudonym node must hold exactly the key genesis names for its own organisation's service:
// any other key would hand members refs that their proof check rejects, or that split a
// patient's trail in two.
Status NodeApp::Impl::load_pseudonym_key() {
  if (config.pseudonym_key_file.empty()) return Status();
  const std::optional<ledger::GenesisPseudonym>& service = genesis.genesis.pseudonym;
  if (!service) {
    return Status::error("bad_config", "[pseudonym] key_file is set but genesis names no pseudonym service");
  }
  if (service->org != self.org) {
    return Status::error("bad_config", "genesis' pseudonym service belongs to " + service->org +
                                           ", not to this node's organisation " + self.org);
  }
  auto key = ledger::load_pseudonym_key_file(config.pseudonym_key_file);
  if (!key.ok()) return key.status();
  if (!std::equal(key->public_key.begin(), key->public_key.end(), service->public_key.begin(),
                  service->public_key.end())) {
    return Status::error("key_mismatch",
                         config.pseudonym_key_file + " is not the pseudonym key genesis names");
  }
  pseudonym_key = std::move(*key);
  if (!config.citizen_credentials_file.empty()) {
    auto listed = api::ListedCredentials::load(config.citizen_credentials_file);
    if (!listed.ok()) return listed.status();
    citizen_check = std::move(*listed);
  }
  return Status();
}

// The node of the pseudonym service is also the key service of erasable sealed fields
// (docs/privacy.md, "Erasure"): its patient keys live beside the chain's store, never in it. Keys
// an erasure killed while the node was down (or before a crash let it retire them) go first.
Status NodeApp::Impl::open_patient_keys() {
  if (!pseudonym_key) return Status();
  auto keys = PatientKeyStore::open(config.data_dir + "/patient-keys");
  if (!keys.ok()) return keys.status();
  patient_keys = std::move(*keys);
  auto retired = patient_keys->retire_all(erasure_counts(*store));
  if (!retired.ok()) return retired.status();
  spdlog::info("patient keys: {} kept, {} destroyed for erasures applied while they were not", patient_keys->size_estimate(),
               *retired);
  return Status();
}

Status NodeApp::Impl::open_store() {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::error("io_error", "creating " + config.data_dir + ": " + ec.message());
  std::filesystem::permissions(config.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  MEDTRAIL_RETURN_IF_ERROR(check_free_space(config.data_dir, config.min_free_mb << 20));
  ledger::ChainStoreOptions options;
  // Blocks need no fsync of their own: the Raft log is synced before anything is acknowledged
  // and an entry applied but lost in a crash is applied again from it.
  options.sync = false;
  // A store without the search index (older data, an installed image) is indexed before the
  // node serves; on a long chain that takes a while, so say how far it has come.
  options.search_index_progress = [](uint64_t done, uint64_t total) {
    spdlog::info("search index: {} of {} leaves indexed", done, total);
  };
  auto store_or = ledger::ChainStore::open(config.data_dir + "/db", *genesis.suite,
                                           genesis.chain_id, options);
  if (!store_or.ok()) return store_or.status();
  store = std::move(*store_or);

  // A data dir belongs to one node: another node's log and votes must never be taken over.
  rocksdb::ColumnFamilyHandle* meta = store->column_family(ledger::ColumnFamily::kMeta);
  std::string stored;
  rocksdb::Status s = store->db()->Get(rocksdb::ReadOptions(), meta, kNodeIdKey, &stored);
  if (s.ok()) {
    if (stored != config.node_id) {
      return Status::error("wrong_node", config.data_dir + " belongs to node \"" + stored +
                                             "\", not \"" + config.node_id + "\"");
    }
  } else if (s.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = store->db()->Put(sync, meta, kNodeIdKey, config.node_id);
    if (!s.ok()) return Status::error("io_error", "recording the node id: " + s.ToString());
  } else {
    return Status::error("io_error", "reading the node id: " + s.ToString());
  }
  return Status();
}

Status NodeApp::Impl::build_pipeline() {
  const NodeLimits& limits = config.limits;
  auto directory = SignerDirectory::from_genesis(genesis.genesis, genesis.chain_id);
  if (!directory.ok()) return directory.status();
  signers = std::move(directory).value();
  verify_pool = std::make_unique<ledger::ThreadPool>(limits.verify_threads, "verify");
  verified = std::make_unique<VerifiedSignatures>(2 * static_cast<size_t>(limits.admission_queue));
  auto applier_or = BlockApplier::open(*store, signers, *verify_pool, verified.get());
  if (!applier_or.ok()) return applier_or.status();
  applier.emplace(std::move(*applier_or));

  BatchLimits batch;
  batch.capacity = limits.admission_queue;
  batch.max_batch_records = limits.max_batch_records;
  // A proposal is one Raft entry, and an entry must fit a peer frame (with room for its
  // envelope, as forwarded batches are split).
  batch.max_batch_bytes = std::min<uint64_t>(limits.max_batch_bytes, limits.max_frame_bytes / 4);
  batch.linger = std::chrono::microseconds(limits.batch_linger_us);
  queue = std::make_unique<SubmissionQueue>(batch, [this] {
    if (driver) driver->wake();
  });
  const std::chrono::milliseconds wait(limits.commit_wait_ms);
  // A pending id outlives any wait for it, so a client's retry after a timeout joins it.
  admission = std::make_unique<Admission>(*store, signers, tracker, *queue, *verify_pool, 2 * wait,
                                          verified.get());

  RaftDriverOptions options;
  options.self = config.node_id;
  for (const auto& n : genesis.genesis.nodes) options.voters.push_back(n.id);
  options.tick = std::chrono::milliseconds(genesis.genesis.raft.tick_ms);
  options.election_ticks = static_cast<int>(genesis.genesis.raft.election_ticks);
  options.heartbeat_ticks = static_cast<int>(genesis.genesis.raft.heartbeat_ticks);
  options.max_frame_bytes = limits.max_frame_bytes;
  options.max_queue_age = wait;
  options.max_proposals_in_flight = limits.max_proposals_in_flight;
  options.genesis_nodes = genesis.genesis.nodes;
  options.fsync = config.fsync;
  // A node added after genesis is not in the consortium's checkpoint trust: it does not sign.
  if (!config.join) {
    options.checkpoint_key = node_key;
    options.checkpoint_signer = ledger::Genesis::node_signer(self);
  }
  options.checkpoint_every = limits.checkpoint_every;
  options.checkpoint_trust = signers.checkpoint_trust();
  options.snapshot_every = limits.snapshot_every;
  options.scratch_dir = config.data_dir + "/scratch";
  options.snapshot_dir = config.data_dir + "/snapshots";
  options.min_free_bytes = config.min_free_mb << 20;
  options.verify_runner = verify_pool.get();
  options.verified = verified.get();
  std::error_code ec;
  std::filesystem::remove_all(options.scratch_dir, ec);  // what a crash mid-verify left behind
  std::filesystem::create_directories(options.scratch_dir, ec);
  if (ec) return Status::error("io_error", "creating " + options.scratch_dir + ": " + ec.message());
  auto driver_or = RaftDriver::open(*store, *applier, *queue, tracker, options,
                                    [this](const std::string& to, std::string frame) {
                                      return peers && peers->send(to, std::move(frame));
                                    });
  if (!driver_or.ok()) return driver_or.status();
  driver = std::move(*driver_or);
  driver->set_on_membership([this](const std::vector<ledger::GenesisNode>& members, bool self_in) {
    if (peers) {
      std::vector<peer::PeerEndpoint> endpoints;
      // [peer_routes] says where to dial a node when the consortium's address is not the way.
      auto endpoint = [this](const ledger::GenesisNode& n) {
        auto route = config.peer_routes.find(n.id);
        return peer::PeerEndpoint{n.id, route != config.peer_routes.end() ? route->second : n.peer_address,
                                  n.tls_spki_sha256};
      };
      for (const auto& n : members) {
        if (n.id != config.node_id) endpoints.push_back(endpoint(n));
      }
      // A joining node knows only genesis until the log tells it more: keep dialing those.
      if (config.join && !self_in) {
        for (const auto& n : genesis.genesis.nodes) endpoints.push_back(endpoint(n));
      }
      peers->set_peers(std::move(endpoints));
    }
    // A removed node stops admitting; it keeps serving reads of what it has.
    if (!self_in && was_member) {
      spdlog::warn("this node was removed from the configuration; admission stopped");
      accepting = false;
      removed = true;
    }
    was_member = was_member || self_in;
  });
  driver->set_on_failure([this](const Status&) { fail(); });
  driver->set_on_applied([this](const ledger::Proposal&, const ApplyOutcome& outcome) {
    if (!patient_keys || outcome.erased_patients.empty()) return;
    // Destroying a key flushes and compacts the key store: disk work kept off the apply thread,
    // which every record waits on. Until it runs, the key is already refused at every use.
    boost::asio::post(io, [this, refs = outcome.erased_patients, height = outcome.block ? outcome.block->height : 0] {
      const ErasureCount erasures = erasure_counts(*store);
      size_t destroyed = 0;
      for (const std::string& ref : refs) {
        auto r = patient_keys->retire(ref, erasures);
        // Never the ref in a log line. A key that could not be destroyed now is refused at every
        // use and destroyed then, or at the next start.
        if (!r.ok()) spdlog::error("patient keys: an erasure could not destroy a key yet: {}", r.status().to_string());
        destroyed += r.ok() && *r ? 1 : 0;
      }
      spdlog::info("patient keys: {} destroyed for {} erasure(s) in block {}", destroyed, refs.size(), height);
    });
  });
  // An image brings erasures no applied block announced: keys drawn before them go now, not
  // only at their next use or the next start.
  driver->set_on_image_installed([this] {
    if (!patient_keys) return;
    boost::asio::post(io, [this] {
      auto retired = patient_keys->retire_all(erasure_counts(*store));
      if (!retired.ok()) {
        spdlog::error("patient keys: the installed image's erasures could not destroy keys yet: {}",
                      retired.status().to_string());
        return;
      }
      spdlog::info("patient keys: {} destroyed for erasures in an installed ledger image", *retired);
    });
  });
  return Status();
}

void NodeApp::Impl::build_network() {
  const NodeLimits& limits = config.limits;
  auto peer_listen = parse_host_port(config.peer_listen);
  peer::PeerNetworkOptions popts;
  popts.self_id = config.node_id;
  popts.listen_host = peer_listen->host;
  popts.listen_port = peer_listen->port;
  popts.tls_cert_pem = tls_cert_pem;
  popts.tls_key_pem = tls_key_pem;
  for (const auto& n : genesis.genesis.nodes) {
    if (n.id != config.node_id) popts.peers.push_back({n.id, n.peer_address, n.tls_spki_sha256});
  }
  popts.max_frame_bytes = limits.max_frame_bytes;
  popts.max_queue_frames = limits.peer_queue_frames;
  peers = std::make_unique<peer::PeerNetwork>(
      io, popts, [this](const std::string& from, std::string frame) {
        driver->on_frame(from, std::move(frame));
      });

  server = std::make_unique<http::Server>(
      io, api::listener_options(config.api, limits, api_cert_pem, api_key_pem));
  if (!config.public_api.listen.empty()) {
    public_server = std::make_unique<http::Server>(
        io, api::listener_options(config.public_api, limits, public_cert_pem, public_key_pem));
  }
  // The private keys' text lives on only in the servers until their TLS contexts hold the keys.
  for (std::string* pem : {&popts.tls_key_pem, &tls_key_pem, &api_key_pem, &public_key_pem}) ledger::wipe_string(*pem);

  ctx.node_id = config.node_id;
  ctx.config = &config;
  ctx.genesis = &genesis.genesis;
  ctx.store = store.get();
  ctx.admission = admission.get();
  ctx.driver = driver.get();
  ctx.queue = queue.get();
  ctx.tracker = &tracker;
  ctx.peers = peers.get();
  ctx.signers = &signers;
  ctx.pseudonym_key = pseudonym_key ? &*pseudonym_key : nullptr;
  ctx.citizen_check = citizen_check.get();
  ctx.patient_keys = patient_keys.get();
  ctx.node_key = node_key ? &*node_key : nullptr;
  ctx.node_signer = self.org + "/" + self.id;
  ctx.accepting = &accepting;
  ctx.defer = [this](std::function<void()> work) { boost::asio::post(io, std::move(work)); };
  ctx.after = [this](std::chrono::nanoseconds delay, std::function<void()> work) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io, delay);
    timer->async_wait([timer, work = std::move(work)](const boost::system::error_code&) { work(); });
  };
  api::register_api_routes(*server, ctx, metrics, public_server.get());
}

void NodeApp::Impl::watch_disk() {
  if (config.min_free_mb == 0) return;
  disk_timer->expires_after(std::chrono::seconds(1));
  disk_timer->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (Status s = check_free_space(config.data_dir, config.min_free_mb << 20); s.code() == "disk_full") {
      spdlog::critical("{}", s.message());
      return fail();
    }
    watch_disk();
  });
}

void NodeApp::Impl::shutdown() {
  if (shut_down) return;
  shut_down = true;
  accepting = false;
  spdlog::info("shutting down: admission closed, draining the queue");
  if (driver) driver->stop(failed ? std::chrono::milliseconds(0) : kShutdownDrain);
  if (server) server->stop();
  if (public_server) public_server->stop();
  if (peers) peers->stop();
  if (signals) {
    boost::system::error_code ignored;
    signals->cancel(ignored);
  }
  if (disk_timer) disk_timer->cancel();
  work.reset();
  io.stop();
  for (auto& t : io_threads) {
    if (t.joinable()) t.join();
  }
  io_threads.clear();
  if (store) {
    rocksdb::Status s = store->db()->SyncWAL();
    if (!s.ok()) spdlog::error("syncing the WAL at shutdown: {}", s.ToString());
  }
}

NodeApp::NodeApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NodeApp::~NodeApp() {
  if (impl_) impl_->shutdown();
}

namespace {

// Descriptors beyond the connections and the store's files: peer links (two per member at
// most), the log, the key files, a CLI's pipe, with room to spare.
constexpr uint64_t kOtherOpenFiles = 256;

// Out of descriptors the listeners stop accepting until one closes (Server::Stats::
// accept_errors), and RocksDB cannot open a file: worth a word at start, not a refusal to run.
void check_open_files(const NodeConfig& config) {
  const uint64_t connections =
      uint64_t{config.api.max_connections} + (config.public_api.listen.empty() ? 0 : config.public_api.max_connections);
  const OpenFileLimit limit =
      raise_open_file_limit(connections + ledger::kStoreMaxOpenFiles + kOtherOpenFiles);
  if (limit.enough()) return;
  spdlog::warn(
      "open files: this configuration needs up to {} file descriptors ({} connections, {} for the "
      "store, {} for the rest) but the hard limit allows {}: raise it (LimitNOFILE= in the "
      "systemd unit, or ulimit -Hn) or lower max_connections",
      limit.needed, connections, ledger::kStoreMaxOpenFiles, kOtherOpenFiles, limit.soft);
}

}  // namespace

Result<std::unique_ptr<NodeApp>> NodeApp::open(const NodeConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  auto genesis = ledger::load_genesis_file(config.genesis_file);
  if (!genesis.ok()) return genesis.status();
  impl->genesis = std::move(*genesis);
  if (auto s = parse_host_port(config.peer_listen); !s.ok()) return s.status();
  if (auto s = parse_host_port(config.api.listen); !s.ok()) return s.status();
  if (!config.public_api.listen.empty()) {
    if (auto s = parse_host_port(config.public_api.listen); !s.ok()) return s.status();
  }
  MEDTRAIL_RETURN_IF_ERROR(impl->check_identity());
  MEDTRAIL_RETURN_IF_ERROR(impl->load_pseudonym_key());
  check_open_files(config);
  MEDTRAIL_RETURN_IF_ERROR(impl->open_store());
  MEDTRAIL_RETURN_IF_ERROR(impl->open_patient_keys());
  MEDTRAIL_RETURN_IF_ERROR(impl->build_pipeline());
  impl->build_network();
  return std::unique_ptr<NodeApp>(new NodeApp(std::move(impl)));
}

Status NodeApp::start() {
  Impl& d = *impl_;
  MEDTRAIL_RETURN_IF_ERROR(d.peers->start());
  MEDTRAIL_RETURN_IF_ERROR(d.server->start());
  if (d.public_server) MEDTRAIL_RETURN_IF_ERROR(d.public_server->start());
  d.signals = std::make_unique<boost::asio::signal_set>(d.io, SIGTERM, SIGINT);
  d.signals->async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received", signo);
    request_stop();
  });
  d.work.emplace(d.io.get_executor());
  const unsigned threads = thread_count(d.config.limits.api_threads);
  for (unsigned i = 0; i < threads; ++i) {
    d.io_threads.emplace_back([&d, i] {
      ledger::name_this_thread("io-" + std::to_string(i + 1));
      d.io.run();
    });
  }
  d.accepting = true;
  d.driver->start();
  d.disk_timer = std::make_unique<boost::asio::steady_timer>(d.io);
  d.watch_disk();
  spdlog::info("node {} of chain {} ({}): api {}://{}:{} peers {}:{} height {}", d.config.node_id,
               d.genesis.genesis.chain_name, ledger::to_hex(d.genesis.chain_id).substr(0, 16),
               scheme(d.config.api), parse_host_port(d.config.api.listen)->host, d.server->port(),
               parse_host_port(d.config.peer_listen)->host, d.peers->port(), d.store->height());
  if (d.public_server) {
    spdlog::info("public listener {}://{}:{}", scheme(d.config.public_api),
                 parse_host_port(d.config.public_api.listen)->host, d.public_server->port());
  }
  for (const ListenerConfig* l : {&d.config.api, &d.config.public_api}) {
    if (l->plain_http && !l->listen.empty() && !is_loopback(parse_host_port(l->listen)->host)) {
      spdlog::warn("plain HTTP on {} (plain_http = true): anyone on that network reads what it serves; "
                   "only behind a proxy that terminates TLS", l->listen);
    }
  }
  return Status();
}

void NodeApp::request_stop() {
  {
    std::lock_guard lock(impl_->stop_mu);
    impl_->stop_requested = true;
  }
  impl_->stop_cv.notify_all();
}

int NodeApp::run_until_stopped() {
  {
    std::unique_lock lock(impl_->stop_mu);
    impl_->stop_cv.wait(lock, [&] { return impl_->stop_requested; });
  }
  impl_->shutdown();
  const bool failed = impl_->failed.load();
  spdlog::info("node {} stopped{}", impl_->config.node_id, failed ? " on a failure" : "");
  return failed ? 2 : 0;
}

uint16_t NodeApp::api_port() const { return impl_->server->port(); }

uint16_t NodeApp::public_port() const {
  return impl_->public_server ? impl_->public_server->port() : 0;
}
uint16_t NodeApp::peer_port() const { return impl_->peers->port(); }

}  // namespace medtrail::node
