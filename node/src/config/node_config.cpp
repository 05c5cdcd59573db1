#include "config/node_config.h"

#include <toml++/toml.h>

#include "http/trusted_proxies.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>

namespace medtrail::node {
namespace {

namespace fs = std::filesystem;

// A node.toml is a few hundred bytes; anything this size is not one.
constexpr size_t kMaxConfigBytes = 1 << 20;

constexpr std::string_view kTopKeys[] = {"node_id", "genesis", "data_dir", "key_file", "tls",     "listen",
                                         "api",     "public",  "limits",   "log",      "storage", "cluster",
                                         "peer_routes", "pseudonym"};
constexpr std::string_view kTlsKeys[] = {"cert", "key"};
constexpr std::string_view kListenKeys[] = {"peer", "api"};
// Keys every listener table takes ([api], [public]).
#define MEDTRAIL_LISTENER_KEYS                                                                      \
  "tls_cert", "tls_key", "plain_http", "max_connections", "max_connections_per_address",            \
      "requests_per_second_per_address", "request_burst_per_address", "head_timeout_ms",            \
      "idle_timeout_ms", "request_timeout_ms", "trusted_proxies"
constexpr std::string_view kApiKeys[] = {MEDTRAIL_LISTENER_KEYS, "record_reads"};
constexpr std::string_view kPublicKeys[] = {MEDTRAIL_LISTENER_KEYS, "listen"};
#undef MEDTRAIL_LISTENER_KEYS
constexpr std::string_view kLogKeys[] = {"level", "file"};
constexpr std::string_view kStorageKeys[] = {"fsync", "min_free_mb", "low_priority_compactions"};
constexpr std::string_view kClusterKeys[] = {"join"};
constexpr std::string_view kPseudonymKeys[] = {"key_file", "citizen_credentials"};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view kRecordReads[] = {"members", "off"};
constexpr size_t kMaxPeerRoutes = 1024;

// Same rule as genesis node ids.
bool valid_node_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
  });
}
constexpr std::string_view kLimitKeys[] = {
    "max_request_bytes", "max_header_bytes",  "max_records_per_request", "admission_queue",
    "max_batch_records", "max_batch_bytes",   "batch_linger_us",         "max_proposals_in_flight",
    "verify_threads",    "api_threads",       "commit_wait_ms",
    "max_frame_bytes",   "peer_queue_frames", "checkpoint_every",        "snapshot_every",
    "public_lookups_per_minute", "public_lookup_burst", "public_lookup_floor_us"};

// Keys that moved from [limits] to the listener tables, with where they went.
constexpr std::string_view kMovedLimitKeys[] = {"max_connections", "request_timeout_ms"};

template <typename T, typename Struct = NodeLimits>
struct Limit {
  std::string_view key;
  T Struct::*field;
  uint64_t min;
  uint64_t max;
};

constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;
constexpr Limit<uint64_t> kLimits64[] = {
    {"max_request_bytes", &NodeLimits::max_request_bytes, kKiB, 256 * kMiB},
    {"max_batch_bytes", &NodeLimits::max_batch_bytes, kKiB, 64 * kMiB},
    {"max_frame_bytes", &NodeLimits::max_frame_bytes, 64 * kKiB, kGiB},
    {"snapshot_every", &NodeLimits::snapshot_every, 0, UINT64_MAX},
};
constexpr Limit<uint32_t> kLimits32[] = {
    {"max_header_bytes", &NodeLimits::max_header_bytes, kKiB, kMiB},
    {"max_records_per_request", &NodeLimits::max_records_per_request, 1, 10000},
    {"admission_queue", &NodeLimits::admission_queue, 1, 10000000},
    {"max_batch_records", &NodeLimits::max_batch_records, 1, 100000},
    {"batch_linger_us", &NodeLimits::batch_linger_us, 0, 1000000},
    {"max_proposals_in_flight", &NodeLimits::max_proposals_in_flight, 1, 1024},
    {"verify_threads", &NodeLimits::verify_threads, 0, 256},
    {"api_threads", &NodeLimits::api_threads, 0, 64},
    {"commit_wait_ms", &NodeLimits::commit_wait_ms, 1, 600000},
    {"peer_queue_frames", &NodeLimits::peer_queue_frames, 16, 1000000},
    {"checkpoint_every", &NodeLimits::checkpoint_every, 1, 100000},
    {"public_lookups_per_minute", &NodeLimits::public_lookups_per_minute, 1, 1000000},
    {"public_lookup_burst", &NodeLimits::public_lookup_burst, 1, 100000},
    {"public_lookup_floor_us", &NodeLimits::public_lookup_floor_us, 0, 100000},
};

constexpr Limit<uint32_t, ListenerConfig> kListenerLimits[] = {
    {"max_connections", &ListenerConfig::max_connections, 1, 100000},
    {"max_connections_per_address", &ListenerConfig::max_connections_per_address, 0, 100000},
    {"requests_per_second_per_address", &ListenerConfig::requests_per_second_per_address, 0, 1000000},
    {"request_burst_per_address", &ListenerConfig::request_burst_per_address, 0, 10000000},
    {"head_timeout_ms", &ListenerConfig::head_timeout_ms, 100, 600000},
    {"idle_timeout_ms", &ListenerConfig::idle_timeout_ms, 100, 3600000},
    {"request_timeout_ms", &ListenerConfig::request_timeout_ms, 100, 600000},
};

constexpr Limit<uint64_t, NodeConfig> kMinFreeLimit = {"min_free_mb", &NodeConfig::min_free_mb, 0, 1 << 20};

// Reads one TOML table, producing errors of the form "<source>:<line>: <key>: <why>".
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string_view source)
      : table_(table), prefix_(std::move(prefix)), source_(source) {}

  // Any key outside `known` is an error: a misspelt key must not silently keep a default.
  Status check_keys(std::span<const std::string_view> known) const {
    for (auto&& [key, value] : table_) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        return error_at(value, key.str(), "unknown key");
      }
    }
    return Status();
  }

  // Sets `out` to the sub-table `key`, or to nullptr when it is absent.
  Status table(std::string_view key, const toml::table*& out) const {
    out = nullptr;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status();
    out = node->as_table();
    return out != nullptr ? Status() : error_at(*node, key, "must be a table");
  }

  Status string(std::string_view key, bool required, std::string& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return required ? missing(key) : Status();
    const toml::value<std::string>* v = node->as_string();
    if (v == nullptr) return error_at(*node, key, "must be a string");
    if (required && v->get().empty()) return error_at(*node, key, "must not be empty");
    out = v->get();
    return Status();
  }

  // An optional path; relative ones resolve against `base_dir`.
  Status path(std::string_view key, bool required, const std::string& base_dir,
              std::string& out) const {
    MEDTRAIL_RETURN_IF_ERROR(string(key, required, out));
    if (!out.empty() && !base_dir.empty() && fs::path(out).is_relative()) {
      out = (fs::path(base_dir) / out).lexically_normal().string();
    }
    return Status();
  }

  Status boolean(std::string_view key, bool& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status();
    const toml::value<bool>* v = node->as_boolean();
    if (v == nullptr) return error_at(*node, key, "must be true or false");
    out = v->get();
    return Status();
  }

  template <typename T, typename Struct>
  Status integer(const Limit<T, Struct>& limit, Struct& limits) const {
    const toml::node* node = table_.get(limit.key);
    if (node == nullptr) return Status();
    std::string range = "must be " + std::to_string(limit.min) + ".." + std::to_string(limit.max);
    const toml::value<int64_t>* v = node->as_integer();
    if (v == nullptr) return error_at(*node, limit.key, range);
    int64_t n = v->get();
    if (n < 0 || static_cast<uint64_t>(n) < limit.min || static_cast<uint64_t>(n) > limit.max) {
      return error_at(*node, limit.key, range);
    }
    limits.*limit.field = static_cast<T>(n);
    return Status();
  }

  // An optional string that must be one of `allowed`; `out` keeps its default when absent.
  Status one_of(std::string_view key, std::span<const std::string_view> allowed,
                std::string& out) const {
    MEDTRAIL_RETURN_IF_ERROR(string(key, false, out));
    if (std::find(allowed.begin(), allowed.end(), out) != allowed.end()) return Status();
    std::string list;
    for (std::string_view a : allowed) {
      if (!list.empty()) list += '|';
      list += a;
    }
    return error_at(*table_.get(key), key, "must be one of " + list);
  }

  // An optional array of strings, at most `max` of them.
  Status strings(std::string_view key, size_t max, std::vector<std::string>& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status();
    const toml::array* array = node->as_array();
    if (array == nullptr) return error_at(*node, key, "must be an array of strings");
    if (array->size() > max) return error_at(*node, key, "at most " + std::to_string(max) + " entries");
    out.clear();
    for (const toml::node& item : *array) {
      const toml::value<std::string>* v = item.as_string();
      if (v == nullptr) return error_at(*node, key, "must be an array of strings");
      out.push_back(v->get());
    }
    return Status();
  }

  // A "host:port" value, checked by parse_host_port.
  Status address(std::string_view key, std::string& out) const {
    MEDTRAIL_RETURN_IF_ERROR(string(key, true, out));
    Result<HostPort> parsed = parse_host_port(out);
    if (!parsed.ok()) return error_at(*table_.get(key), key, parsed.status().message());
    return Status();
  }

  Status error_at(const toml::node& node, std::string_view key, const std::string& why) const {
    return Status::error("bad_config", std::string(source_) + ":" +
                                           std::to_string(node.source().begin.line) + ": " +
                                           full_key(key) + ": " + why);
  }

  // An error about the value of `key`, which is present.
  Status error_in(std::string_view key, const std::string& why) const {
    return error_at(*table_.get(key), key, why);
  }

  // An error about the table as a whole (at its header's line, when it has one).
  Status error_here(const std::string& why) const {
    // Appended piecewise: GCC 12 at -O3 warns (-Wrestrict, falsely) on "literal" + string.
    std::string line;
    if (table_.source().begin.line > 0) {
      line.append(":").append(std::to_string(table_.source().begin.line));
    }
    std::string name = prefix_.empty() ? std::string() : prefix_.substr(0, prefix_.size() - 1);
    return Status::error("bad_config", std::string(source_) + line + ": " + name + ": " + why);
  }

  Status missing(std::string_view key) const {
    return Status::error("bad_config",
                         std::string(source_) + ": " + full_key(key) + ": required key is missing");
  }

 private:
  std::string full_key(std::string_view key) const { return prefix_ + std::string(key); }

  const toml::table& table_;
  std::string prefix_;
  std::string_view source_;
};

// Reads sub-table `key` of `parent`; an absent table reads as empty, so its required keys
// are reported missing by name.
Status sub_table(const TableReader& parent, std::string_view key, std::string_view source,
                 std::span<const std::string_view> known, std::optional<TableReader>& out) {
  static const toml::table kEmpty;
  const toml::table* table = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(parent.table(key, table));
  out.emplace(table != nullptr ? *table : kEmpty, std::string(key) + ".", source);
  return out->check_keys(known);
}

// The keys every listener table shares. A listener serves HTTPS, with the node's own [tls]
// identity (`node_tls`, pinned in genesis) unless it names another; plain HTTP is never a
// default, only `plain_http = true` (behind a proxy that terminates TLS on the same host, say).
Status read_listener(const TableReader& table, const std::string& base, const ListenerConfig& node_tls,
                     ListenerConfig& l) {
  MEDTRAIL_RETURN_IF_ERROR(table.path("tls_cert", false, base, l.tls_cert_file));
  MEDTRAIL_RETURN_IF_ERROR(table.path("tls_key", false, base, l.tls_key_file));
  if (l.tls_cert_file.empty() != l.tls_key_file.empty()) {
    return table.error_here("tls_cert and tls_key go together: set both or neither");
  }
  MEDTRAIL_RETURN_IF_ERROR(table.boolean("plain_http", l.plain_http));
  if (l.plain_http && !l.tls_cert_file.empty()) {
    return table.error_in("plain_http", "plain HTTP and a tls_cert contradict each other: drop one");
  }
  if (!l.plain_http && l.tls_cert_file.empty()) {
    l.tls_cert_file = node_tls.tls_cert_file;
    l.tls_key_file = node_tls.tls_key_file;
  }
  for (const auto& limit : kListenerLimits) MEDTRAIL_RETURN_IF_ERROR(table.integer(limit, l));
  MEDTRAIL_RETURN_IF_ERROR(
      table.strings("trusted_proxies", http::TrustedProxies::kMaxEntries, l.trusted_proxies));
  if (auto parsed = http::TrustedProxies::parse(l.trusted_proxies); !parsed.ok()) {
    return table.error_in("trusted_proxies", parsed.status().message());
  }
  return Status();
}

// [peer_routes]: node id = "host:port", where this node dials that peer instead of the address
// the consortium's records give (a gateway, a tunnel, a fault-injecting proxy in a test). Any
// node id may be listed: a node added later may be routed before it joins.
Status read_peer_routes(const TableReader& top, NodeConfig& c) {
  const toml::table* routes = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(top.table("peer_routes", routes));
  if (routes == nullptr) return Status();
  TableReader reader(*routes, "peer_routes.", c.source);
  if (routes->size() > kMaxPeerRoutes) {
    return top.error_in("peer_routes", "at most " + std::to_string(kMaxPeerRoutes) + " routes");
  }
  for (auto&& [key, value] : *routes) {
    const std::string_view id = key.str();
    if (!valid_node_id(id)) return reader.error_at(value, id, "not a node id (1..64 characters of [a-z0-9-])");
    std::string address;
    MEDTRAIL_RETURN_IF_ERROR(reader.address(id, address));
    c.peer_routes.emplace(std::string(id), std::move(address));
  }
  return Status();
}

Status read_config(const toml::table& root, std::string_view source, const std::string& base,
                   NodeConfig& c) {
  TableReader top(root, "", source);
  MEDTRAIL_RETURN_IF_ERROR(top.check_keys(kTopKeys));
  MEDTRAIL_RETURN_IF_ERROR(top.string("node_id", true, c.node_id));
  // Same rule as genesis node ids; whether genesis names this node is checked at start-up.
  if (!valid_node_id(c.node_id)) {
    return top.error_at(*root.get("node_id"), "node_id", "must be 1..64 characters of [a-z0-9-]");
  }
  MEDTRAIL_RETURN_IF_ERROR(top.path("genesis", true, base, c.genesis_file));
  MEDTRAIL_RETURN_IF_ERROR(top.path("data_dir", true, base, c.data_dir));
  MEDTRAIL_RETURN_IF_ERROR(top.path("key_file", true, base, c.key_file));

  std::optional<TableReader> tls, listen, api, public_api, limits, log, storage, cluster, pseudonym;
  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "tls", source, kTlsKeys, tls));
  MEDTRAIL_RETURN_IF_ERROR(tls->path("cert", true, base, c.tls_cert_file));
  MEDTRAIL_RETURN_IF_ERROR(tls->path("key", true, base, c.tls_key_file));

  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "listen", source, kListenKeys, listen));
  MEDTRAIL_RETURN_IF_ERROR(listen->address("peer", c.peer_listen));
  MEDTRAIL_RETURN_IF_ERROR(listen->address("api", c.api.listen));

  ListenerConfig node_tls;
  node_tls.tls_cert_file = c.tls_cert_file;
  node_tls.tls_key_file = c.tls_key_file;
  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "api", source, kApiKeys, api));
  MEDTRAIL_RETURN_IF_ERROR(read_listener(*api, base, node_tls, c.api));
  if (root.contains("public")) {
    MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "public", source, kPublicKeys, public_api));
    MEDTRAIL_RETURN_IF_ERROR(public_api->address("listen", c.public_api.listen));
    MEDTRAIL_RETURN_IF_ERROR(read_listener(*public_api, base, node_tls, c.public_api));
  }
  std::string reads = "members";
  MEDTRAIL_RETURN_IF_ERROR(api->string("record_reads", false, reads));
  if (reads == "open") {
    // Offered until reads were authenticated; serving records to anyone who reaches the port
    // is exactly the harvest docs/api-auth.md closes, so an old config says so instead of
    // quietly getting another policy.
    return api->error_in("record_reads", "\"open\" is no longer offered: a record is read by a member's "
                                         "signed, recorded query (docs/api-auth.md); use \"members\" or \"off\"");
  }
  MEDTRAIL_RETURN_IF_ERROR(api->one_of("record_reads", kRecordReads, reads));
  c.record_reads = reads == "off" ? RecordReads::kOff : RecordReads::kMembers;

  const toml::table* limits_table = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(top.table("limits", limits_table));
  for (std::string_view moved : kMovedLimitKeys) {
    if (limits_table != nullptr && limits_table->contains(moved)) {
      return TableReader(*limits_table, "limits.", source)
          .error_in(moved, "moved to [api] (the members' listener; [public] has its own)");
    }
  }
  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "limits", source, kLimitKeys, limits));
  for (const auto& limit : kLimits64) MEDTRAIL_RETURN_IF_ERROR(limits->integer(limit, c.limits));
  for (const auto& limit : kLimits32) MEDTRAIL_RETURN_IF_ERROR(limits->integer(limit, c.limits));

  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "log", source, kLogKeys, log));
  MEDTRAIL_RETURN_IF_ERROR(log->one_of("level", kLogLevels, c.log_level));
  MEDTRAIL_RETURN_IF_ERROR(log->path("file", false, base, c.log_file));

  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "cluster", source, kClusterKeys, cluster));
  MEDTRAIL_RETURN_IF_ERROR(cluster->boolean("join", c.join));

  MEDTRAIL_RETURN_IF_ERROR(read_peer_routes(top, c));

  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "pseudonym", source, kPseudonymKeys, pseudonym));
  MEDTRAIL_RETURN_IF_ERROR(pseudonym->path("key_file", false, base, c.pseudonym_key_file));
  MEDTRAIL_RETURN_IF_ERROR(pseudonym->path("citizen_credentials", false, base, c.citizen_credentials_file));
  if (!c.citizen_credentials_file.empty() && c.pseudonym_key_file.empty()) {
    return pseudonym->error_in("citizen_credentials", "is for the node that runs the service: set key_file too");
  }

  MEDTRAIL_RETURN_IF_ERROR(sub_table(top, "storage", source, kStorageKeys, storage));
  MEDTRAIL_RETURN_IF_ERROR(storage->integer(kMinFreeLimit, c));
  MEDTRAIL_RETURN_IF_ERROR(
      storage->boolean("low_priority_compactions", c.low_priority_compactions));
  return storage->boolean("fsync", c.fsync);
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

Status bad_address(std::string_view text, const std::string& why) {
  std::string message = "\"";
  message.append(text).append("\": ").append(why);
  return Status::error("bad_address", message);
}

}  // namespace

ListenerConfig members_listener_defaults() { return ListenerConfig{}; }

ListenerConfig public_listener_defaults() {
  ListenerConfig l;
  l.max_connections = 1024;
  l.max_connections_per_address = 16;
  l.requests_per_second_per_address = 20;
  l.request_burst_per_address = 40;
  l.head_timeout_ms = 5000;
  l.idle_timeout_ms = 10000;
  l.request_timeout_ms = 10000;
  return l;
}

Result<NodeConfig> parse_node_config(std::string_view text, std::string_view source,
                                     const std::string& base_dir) {
  NodeConfig config;
  config.source = std::string(source);
  // toml++ reports syntax errors by exception; they end here, as a Status.
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::error("bad_config", std::string(source) + ":" +
                                           std::to_string(e.source().begin.line) + ": " +
                                           std::string(e.description()));
  }
  MEDTRAIL_RETURN_IF_ERROR(read_config(root, source, base_dir, config));
  return config;
}

Result<NodeConfig> load_node_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("io_error", "cannot open " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return Status::error("bad_config",
                           path + ": larger than " + std::to_string(kMaxConfigBytes) + " bytes");
    }
  }
  if (in.bad()) return Status::error("io_error", "cannot read " + path);
  return parse_node_config(text, path, fs::path(path).parent_path().string());
}

Result<HostPort> parse_host_port(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad_address(text, "expected host:port");
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  HostPort out;
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad_address(text, "malformed [IPv6] host");
    std::string_view inner = host.substr(1, host.size() - 2);
    if (inner.find(':') == std::string_view::npos ||
        !std::all_of(inner.begin(), inner.end(), is_ipv6_char)) {
      return bad_address(text, "malformed [IPv6] host");
    }
    out.host = std::string(inner);
  } else {
    if (host.empty()) return bad_address(text, "empty host");
    if (host.find(':') != std::string_view::npos) {
      return bad_address(text, "an IPv6 host must be in brackets");
    }
    if (!std::all_of(host.begin(), host.end(), is_host_char)) {
      return bad_address(text, "malformed host");
    }
    out.host = std::string(host);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || port.size() > 5 || ec != std::errc() || end != port.data() + port.size() ||
      value > 65535) {
    return bad_address(text, "port must be a number 0..65535");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

}  // namespace medtrail::node
