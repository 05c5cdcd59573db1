#include "config/node_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace medtrail::node {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMinimal = R"(node_id  = "node-1"
genesis  = "../genesis.json"
data_dir = "data"
key_file = "node.key"
[tls]
cert = "tls.crt"
key  = "tls.key"
[listen]
peer = "127.0.0.1:7001"
api  = "127.0.0.1:8001"
)";

constexpr const char* kFull = R"(# every key set
node_id  = "node-2"
genesis  = "/etc/medtrail/genesis.json"
data_dir = "/var/lib/medtrail"
key_file = "keys/node.key"

[tls]
cert = "tls.crt"
key  = "/etc/medtrail/tls.key"

[listen]
peer = "[::1]:7002"
api  = "0.0.0.0:0"

[api]
tls_cert = "api.crt"
tls_key  = "api.key"
record_reads = "off"
max_connections = 10
max_connections_per_address = 3
requests_per_second_per_address = 7
request_burst_per_address = 9
head_timeout_ms = 800
idle_timeout_ms = 900
request_timeout_ms = 1000
trusted_proxies = ["10.0.0.5", "fd00::/8"]

[public]
listen = "0.0.0.0:8080"
tls_cert = "/etc/medtrail/public.crt"
tls_key = "public.key"
max_connections = 20
max_connections_per_address = 0
requests_per_second_per_address = 0
head_timeout_ms = 2000

[limits]
max_request_bytes = 1048576
max_header_bytes = 8192
max_records_per_request = 10
admission_queue = 500
max_batch_records = 100
max_batch_bytes = 65536
batch_linger_us = 0
max_proposals_in_flight = 3
verify_threads = 4
api_threads = 2
commit_wait_ms = 500
max_frame_bytes = 1048576
peer_queue_frames = 64
checkpoint_every = 5
snapshot_every = 0

[log]
level = "debug"
file  = "node.log"

[storage]
fsync = false
low_priority_compactions = false
)";

Result<NodeConfig> parse(const std::string& text) {
  return parse_node_config(text, "node.toml", "/srv/cluster/node-1");
}

// Expects bad_config with a message starting "node.toml:<line>: <key>: ".
void expect_error(const std::string& text, int line, const std::string& key,
                  const std::string& why = "") {
  Result<NodeConfig> r = parse(text);
  ASSERT_FALSE(r.ok()) << "accepted; expected an error about " << key;
  EXPECT_EQ(r.status().code(), "bad_config");
  std::string prefix = "node.toml:" + std::to_string(line) + ": " + key + ": ";
  EXPECT_EQ(r.status().message().substr(0, prefix.size()), prefix) << r.status().message();
  EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
}

// kMinimal with `line` appended (a table header and key as needed).
std::string minimal_plus(const std::string& extra) { return std::string(kMinimal) + extra; }
constexpr int kMinimalLines = 10;

TEST(NodeConfig, MinimalFileGetsDefaultsAndResolvesRelativePaths) {
  Result<NodeConfig> r = parse(kMinimal);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const NodeConfig& c = *r;
  EXPECT_EQ(c.source, "node.toml");
  EXPECT_EQ(c.node_id, "node-1");
  EXPECT_EQ(c.genesis_file, "/srv/cluster/genesis.json");
  EXPECT_EQ(c.data_dir, "/srv/cluster/node-1/data");
  EXPECT_EQ(c.key_file, "/srv/cluster/node-1/node.key");
  EXPECT_EQ(c.tls_cert_file, "/srv/cluster/node-1/tls.crt");
  EXPECT_EQ(c.tls_key_file, "/srv/cluster/node-1/tls.key");
  EXPECT_EQ(c.peer_listen, "127.0.0.1:7001");
  ListenerConfig api = members_listener_defaults();
  api.listen = "127.0.0.1:8001";
  // HTTPS by default, with the node's own identity (the one genesis pins).
  api.tls_cert_file = c.tls_cert_file;
  api.tls_key_file = c.tls_key_file;
  EXPECT_EQ(c.api, api);
  EXPECT_EQ(c.public_api, public_listener_defaults());
  EXPECT_EQ(c.public_api.listen, "");  // no public listener unless [public] asks for one
  EXPECT_EQ(c.record_reads, RecordReads::kMembers);
  EXPECT_EQ(c.limits, NodeLimits{});
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_file, "");
  EXPECT_TRUE(c.fsync);
  EXPECT_TRUE(c.low_priority_compactions);
}

TEST(NodeConfig, FullFileSetsEveryFieldAndKeepsAbsolutePaths) {
  Result<NodeConfig> r = parse(kFull);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const NodeConfig& c = *r;
  EXPECT_EQ(c.node_id, "node-2");
  EXPECT_EQ(c.genesis_file, "/etc/medtrail/genesis.json");
  EXPECT_EQ(c.data_dir, "/var/lib/medtrail");
  EXPECT_EQ(c.key_file, "/srv/cluster/node-1/keys/node.key");
  EXPECT_EQ(c.tls_cert_file, "/srv/cluster/node-1/tls.crt");
  EXPECT_EQ(c.tls_key_file, "/etc/medtrail/tls.key");
  EXPECT_EQ(c.peer_listen, "[::1]:7002");
  ListenerConfig api{"0.0.0.0:0", "/srv/cluster/node-1/api.crt", "/srv/cluster/node-1/api.key",
                     10, 3, 7, 9, 800, 900, 1000, {"10.0.0.5", "fd00::/8"}};
  EXPECT_EQ(c.api, api);
  ListenerConfig pub = public_listener_defaults();
  pub.listen = "0.0.0.0:8080";
  pub.tls_cert_file = "/etc/medtrail/public.crt";
  pub.tls_key_file = "/srv/cluster/node-1/public.key";
  pub.max_connections = 20;
  pub.max_connections_per_address = 0;
  pub.requests_per_second_per_address = 0;
  pub.head_timeout_ms = 2000;
  EXPECT_EQ(c.public_api, pub);
  EXPECT_EQ(c.record_reads, RecordReads::kOff);
  NodeLimits want{1048576, 8192, 10, 500, 100, 65536, 0, 3, 4, 2, 500, 1048576, 64, 5, 0};
  EXPECT_EQ(c.limits, want);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_file, "/srv/cluster/node-1/node.log");
  EXPECT_FALSE(c.fsync);
  EXPECT_FALSE(c.low_priority_compactions);
}

TEST(NodeConfig, ListenersServeHttpsWithTheNodesIdentityUnlessPlainHttpIsSet) {
  Result<NodeConfig> r = parse(minimal_plus("[public]\nlisten = \"127.0.0.1:8080\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->public_api.tls_cert_file, r->tls_cert_file);
  EXPECT_EQ(r->public_api.tls_key_file, r->tls_key_file);
  EXPECT_FALSE(r->public_api.plain_http);

  r = parse(minimal_plus("[api]\nplain_http = true\n[public]\nlisten = \"127.0.0.1:8080\"\nplain_http = true\n"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  for (const ListenerConfig* l : {&r->api, &r->public_api}) {
    EXPECT_TRUE(l->plain_http);
    EXPECT_EQ(l->tls_cert_file, "");
    EXPECT_EQ(l->tls_key_file, "");
  }
  // Only one listener plain: the other keeps its default.
  r = parse(minimal_plus("[api]\nplain_http = true\n[public]\nlisten = \"127.0.0.1:8080\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->public_api.tls_cert_file, r->tls_cert_file);

  expect_error(minimal_plus("[api]\ntls_cert = \"a.crt\"\ntls_key = \"a.key\"\nplain_http = true\n"),
               kMinimalLines + 4, "api.plain_http", "contradict");
  expect_error(minimal_plus("[api]\nplain_http = \"yes\"\n"), kMinimalLines + 2, "api.plain_http", "");
}

TEST(NodeConfig, EmptyBaseDirLeavesRelativePathsAlone) {
  Result<NodeConfig> r = parse_node_config(kMinimal, "node.toml", "");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->genesis_file, "../genesis.json");
  EXPECT_EQ(r->data_dir, "data");
}

TEST(NodeConfig, UnknownKeysAtAnyTableNameFileLineAndKey) {
  expect_error("colour = \"blue\"\n" + std::string(kMinimal), 1, "colour", "unknown key");
  expect_error(minimal_plus("[limits]\nmax_batch_records = 5\nmax_batch_recrods = 5\n"),
               kMinimalLines + 3, "limits.max_batch_recrods", "unknown key");
  expect_error(minimal_plus("[metrics]\nport = 9\n"), kMinimalLines + 1, "metrics", "unknown key");
  expect_error(minimal_plus("[storage]\nfsync = true\nsync = true\n"), kMinimalLines + 3,
               "storage.sync", "unknown key");
  std::string tls_extra = kMinimal;
  tls_extra.replace(tls_extra.find("key  = \"tls.key\""), 0, "ca = \"ca.crt\"\n");
  expect_error(tls_extra, 7, "tls.ca", "unknown key");
}

TEST(NodeConfig, MissingRequiredKeysAreNamed) {
  for (const char* line :
       {"node_id", "genesis", "data_dir", "key_file", "cert", "key  =", "peer", "api  ="}) {
    std::string text = kMinimal;
    size_t at = text.find(std::string("\n") + line);
    if (at == std::string::npos) at = text.find(line) - 1;  // the first line
    size_t end = text.find('\n', at + 1);
    text.erase(at + 1, end - at);
    Result<NodeConfig> r = parse(text);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.status().code(), "bad_config");
    EXPECT_NE(r.status().message().find("node.toml: "), std::string::npos);
    EXPECT_NE(r.status().message().find("required key is missing"), std::string::npos)
        << r.status().message();
  }
  Result<NodeConfig> r =
      parse("node_id = \"n\"\ngenesis = \"g\"\ndata_dir = \"d\"\nkey_file = \"k\"\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "node.toml: tls.cert: required key is missing");
  std::string no_listen = kMinimal;
  no_listen.erase(no_listen.find("[listen]"));
  r = parse(no_listen);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "node.toml: listen.peer: required key is missing");
}

TEST(NodeConfig, WrongTypesNameFileLineAndKey) {
  std::string text = kMinimal;
  text.replace(text.find("\"data\""), 6, "42");
  expect_error(text, 3, "data_dir", "must be a string");
  expect_error(minimal_plus("[storage]\nfsync = \"yes\"\n"), kMinimalLines + 2, "storage.fsync",
               "must be true or false");
  expect_error(minimal_plus("[limits]\nmax_batch_records = \"many\"\n"), kMinimalLines + 2,
               "limits.max_batch_records", "must be 1..100000");
  expect_error(minimal_plus("log = \"debug\"\n"), kMinimalLines + 1, "listen.log");
  expect_error("log = \"debug\"\n" + std::string(kMinimal), 1, "log", "must be a table");
  expect_error(
      "node_id = \"\"\n" + std::string(kMinimal).substr(std::string(kMinimal).find('\n') + 1), 1,
      "node_id", "must not be empty");
}

TEST(NodeConfig, MinFreeSpaceDefaultsTo256MiBAndIsBounded) {
  EXPECT_EQ(parse(kMinimal)->min_free_mb, 256u);
  EXPECT_EQ(parse(minimal_plus("[storage]\nmin_free_mb = 0\n"))->min_free_mb, 0u);
  EXPECT_EQ(parse(minimal_plus("[storage]\nmin_free_mb = 4096\n"))->min_free_mb, 4096u);
  expect_error(minimal_plus("[storage]\nmin_free_mb = 2000000\n"), kMinimalLines + 2, "storage.min_free_mb");
  expect_error(minimal_plus("[storage]\nmin_free_mb = -1\n"), kMinimalLines + 2, "storage.min_free_mb");
}

TEST(NodeConfig, PeerRoutesSayWhereToDialANode) {
  Result<NodeConfig> r = parse(minimal_plus("[peer_routes]\nnode-2 = \"10.8.0.2:7002\"\nnode-3 = \"[::1]:7003\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->peer_routes, (std::map<std::string, std::string>{{"node-2", "10.8.0.2:7002"}, {"node-3", "[::1]:7003"}}));
  EXPECT_TRUE(parse(kMinimal)->peer_routes.empty());

  expect_error(minimal_plus("[peer_routes]\nnode-2 = \"10.8.0.2\"\n"), kMinimalLines + 2, "peer_routes.node-2",
               "expected host:port");
  expect_error(minimal_plus("[peer_routes]\nnode-2 = 7002\n"), kMinimalLines + 2, "peer_routes.node-2",
               "must be a string");
  expect_error(minimal_plus("[peer_routes]\n\"Node 2\" = \"10.8.0.2:7002\"\n"), kMinimalLines + 2,
               "peer_routes.Node 2", "not a node id");
  expect_error("peer_routes = \"node-2\"\n" + std::string(kMinimal), 1, "peer_routes", "must be a table");
}

TEST(NodeConfig, SyntaxErrorsNameFileAndLine) {
  Result<NodeConfig> r = parse(minimal_plus("[log\nlevel = \"info\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "bad_config");
  EXPECT_EQ(r.status().message().rfind("node.toml:" + std::to_string(kMinimalLines + 1) + ": ", 0),
            0u)
      << r.status().message();
  r = parse(minimal_plus("node_id = \"again\"\n"));  // TOML forbids redefining a key
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "bad_config");
}

TEST(NodeConfig, LimitsOutOfRangeNameFileLineAndKey) {
  struct Case {
    const char* key;
    const char* value;
    const char* range;
  };
  for (const Case& c :
       {Case{"max_request_bytes", "1023", "1024..268435456"},
        Case{"max_request_bytes", "268435457", "1024..268435456"},
        Case{"max_header_bytes", "1048577", "1024..1048576"},
        Case{"max_records_per_request", "0", "1..10000"},
        Case{"admission_queue", "10000001", "1..10000000"},
        Case{"max_batch_records", "100001", "1..100000"},
        Case{"max_batch_bytes", "67108865", "1024..67108864"},
        Case{"batch_linger_us", "1000001", "0..1000000"}, Case{"verify_threads", "257", "0..256"},
        Case{"max_proposals_in_flight", "0", "1..1024"},
        Case{"max_proposals_in_flight", "1025", "1..1024"},
        Case{"api_threads", "65", "0..64"}, Case{"commit_wait_ms", "0", "1..600000"},
        Case{"max_frame_bytes", "65535", "65536..1073741824"},
        Case{"peer_queue_frames", "15", "16..1000000"}, Case{"checkpoint_every", "0", "1..100000"},
        Case{"snapshot_every", "-1", "0..18446744073709551615"},
        Case{"verify_threads", "-1", "0..256"}, Case{"api_threads", "1.5", "0..64"}}) {
    SCOPED_TRACE(std::string(c.key) + " = " + c.value);
    expect_error(minimal_plus("[limits]\n" + std::string(c.key) + " = " + c.value + "\n"),
                 kMinimalLines + 2, std::string("limits.") + c.key,
                 std::string("must be ") + c.range);
  }
}

TEST(NodeConfig, LimitsAtTheirBoundsAreAccepted) {
  Result<NodeConfig> r = parse(minimal_plus(
      "[limits]\nmax_request_bytes = 268435456\nmax_header_bytes = 1024\n"
      "admission_queue = 10000000\nbatch_linger_us = 1000000\nmax_frame_bytes = 1073741824\n"
      "peer_queue_frames = 16\nsnapshot_every = 9223372036854775807\n"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->limits.max_request_bytes, 256u << 20);
  EXPECT_EQ(r->limits.snapshot_every, 9223372036854775807u);
}

TEST(NodeConfig, ListenerLimitsOutOfRangeNameTheListenerTable) {
  struct Case {
    const char* key;
    const char* value;
    const char* range;
  };
  for (const char* table : {"api", "public"}) {
    for (const Case& c : {Case{"max_connections", "0", "1..100000"},
                          Case{"max_connections", "100001", "1..100000"},
                          Case{"max_connections_per_address", "100001", "0..100000"},
                          Case{"requests_per_second_per_address", "1000001", "0..1000000"},
                          Case{"request_burst_per_address", "-1", "0..10000000"},
                          Case{"head_timeout_ms", "99", "100..600000"},
                          Case{"idle_timeout_ms", "3600001", "100..3600000"},
                          Case{"request_timeout_ms", "99", "100..600000"}}) {
      SCOPED_TRACE(std::string(table) + "." + c.key + " = " + c.value);
      const std::string listen = std::string(table) == "public" ? "listen = \"0.0.0.0:8080\"\n" : "";
      expect_error(minimal_plus("[" + std::string(table) + "]\n" + listen + c.key + " = " + c.value + "\n"),
                   kMinimalLines + 2 + (listen.empty() ? 0 : 1), std::string(table) + "." + c.key,
                   std::string("must be ") + c.range);
    }
  }
}

TEST(NodeConfig, ConnectionLimitsThatMovedToTheListenerSaySo) {
  expect_error(minimal_plus("[limits]\nmax_connections = 10\n"), kMinimalLines + 2,
               "limits.max_connections", "moved to [api]");
  expect_error(minimal_plus("[limits]\nrequest_timeout_ms = 1000\n"), kMinimalLines + 2,
               "limits.request_timeout_ms", "moved to [api]");
}

TEST(NodeConfig, PublicListenerNeedsAnAddress) {
  Result<NodeConfig> r = parse(minimal_plus("[public]\nmax_connections = 5\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("public.listen: required key is missing"), std::string::npos)
      << r.status().message();
  expect_error(minimal_plus("[public]\nlisten = \"8080\"\n"), kMinimalLines + 2, "public.listen",
               "expected host:port");
  // record_reads is the members' listener's alone.
  expect_error(minimal_plus("[public]\nlisten = \"0.0.0.0:8080\"\nrecord_reads = \"off\"\n"),
               kMinimalLines + 3, "public.record_reads", "unknown key");
}

TEST(NodeConfig, TrustedProxiesMustBeAddressesOrNetworks) {
  Result<NodeConfig> ok = parse(minimal_plus(
      "[api]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\", \"::1\", \"2001:db8::/32\"]\n"));
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok->api.trusted_proxies.size(), 4u);
  expect_error(minimal_plus("[api]\ntrusted_proxies = [\"proxy.example\"]\n"), kMinimalLines + 2,
               "api.trusted_proxies", "not an IP address or network");
  expect_error(minimal_plus("[api]\ntrusted_proxies = [\"10.0.0.0/33\"]\n"), kMinimalLines + 2,
               "api.trusted_proxies", "prefix must be 0..32");
  expect_error(minimal_plus("[api]\ntrusted_proxies = \"127.0.0.1\"\n"), kMinimalLines + 2,
               "api.trusted_proxies", "must be an array of strings");
  expect_error(minimal_plus("[api]\ntrusted_proxies = [1]\n"), kMinimalLines + 2,
               "api.trusted_proxies", "must be an array of strings");
}

TEST(NodeConfig, ApiTlsNeedsBothCertAndKey) {
  expect_error(minimal_plus("[api]\ntls_cert = \"api.crt\"\n"), kMinimalLines + 1, "api",
               "set both or neither");
  expect_error(minimal_plus("[api]\ntls_key = \"api.key\"\n"), kMinimalLines + 1, "api",
               "set both or neither");
}

TEST(NodeConfig, EnumeratedValuesAreChecked) {
  expect_error(minimal_plus("[api]\nrecord_reads = \"everyone\"\n"), kMinimalLines + 2,
               "api.record_reads", "must be one of members|off");
  // "open" served records to anyone; an old config is told why it is gone, not re-read.
  expect_error(minimal_plus("[api]\nrecord_reads = \"open\"\n"), kMinimalLines + 2,
               "api.record_reads", "\"open\" is no longer offered");
  expect_error(minimal_plus("[log]\nlevel = \"verbose\"\n"), kMinimalLines + 2, "log.level",
               "must be one of trace|debug|info|warn|error");
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    Result<NodeConfig> r = parse(minimal_plus("[log]\nlevel = \"" + std::string(level) + "\"\n"));
    ASSERT_TRUE(r.ok()) << level;
    EXPECT_EQ(r->log_level, level);
  }
  Result<NodeConfig> r = parse(minimal_plus("[api]\nrecord_reads = \"off\"\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->record_reads, RecordReads::kOff);
}

TEST(NodeConfig, BadListenAddressesNameFileLineAndKey) {
  std::string text = kMinimal;
  text.replace(text.find("127.0.0.1:7001"), 14, "127.0.0.1:70000");
  expect_error(text, 9, "listen.peer", "port");
  text = kMinimal;
  text.replace(text.find("127.0.0.1:8001"), 14, "localhost");
  expect_error(text, 10, "listen.api", "host:port");
}

TEST(NodeConfig, BadNodeIdIsRejected) {
  std::string text = kMinimal;
  text.replace(text.find("node-1"), 6, "Node 1");
  expect_error(text, 1, "node_id", "[a-z0-9-]");
}

class NodeConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "medtrail-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST_F(NodeConfigFile, LoadResolvesPathsAgainstTheFilesDirectory) {
  fs::create_directories(dir_ / "nodes" / "node-1");
  std::string path = (dir_ / "nodes" / "node-1" / "node.toml").string();
  std::ofstream(path) << kMinimal;
  Result<NodeConfig> r = load_node_config(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->source, path);
  EXPECT_EQ(r->genesis_file, (dir_ / "nodes" / "genesis.json").string());
  EXPECT_EQ(r->data_dir, (dir_ / "nodes" / "node-1" / "data").string());
}

TEST_F(NodeConfigFile, ErrorsNameTheFilesPath) {
  std::string path = (dir_ / "node.toml").string();
  std::ofstream(path) << minimal_plus("[log]\nlevel = \"loud\"\n");
  Result<NodeConfig> r = load_node_config(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind(path + ":" + std::to_string(kMinimalLines + 2) + ": ", 0),
            0u)
      << r.status().message();
}

TEST_F(NodeConfigFile, MissingFileIsAnIoError) {
  Result<NodeConfig> r = load_node_config((dir_ / "absent.toml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "io_error");
}

TEST(ParseHostPort, AcceptsHostnamesIpv4AndBracketedIpv6) {
  Result<HostPort> r = parse_host_port("127.0.0.1:7001");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 7001);
  r = parse_host_port("[::1]:8001");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->host, "::1");
  EXPECT_EQ(r->port, 8001);
  r = parse_host_port("[fe80::1:2]:65535");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "fe80::1:2");
  EXPECT_EQ(r->port, 65535);
  r = parse_host_port("node-1.hospital.example:0");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "node-1.hospital.example");
  EXPECT_EQ(r->port, 0);
}

TEST(ParseHostPort, RejectsMalformedAddresses) {
  for (const char* text :
       {"127.0.0.1", "127.0.0.1:", ":7001", "127.0.0.1:65536", "127.0.0.1:99999999", "127.0.0.1:-1",
        "127.0.0.1:+1", "127.0.0.1:7o01", "127.0.0.1: 7001", "::1:7001", "[::1]", "[]:7001",
        "[::1:7001", "[zz::1]:7001", "host name:7001", ""}) {
    Result<HostPort> r = parse_host_port(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), "bad_address") << text;
  }
}

TEST(NodeConfig, PseudonymServiceKeysResolveAndCitizensNeedTheServiceKey) {
  Result<NodeConfig> none = parse(kMinimal);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->pseudonym_key_file, "");
  EXPECT_EQ(none->citizen_credentials_file, "");
  Result<NodeConfig> r =
      parse(minimal_plus("[pseudonym]\nkey_file = \"pseudonym.key\"\ncitizen_credentials = \"citizens.txt\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->pseudonym_key_file, "/srv/cluster/node-1/pseudonym.key");
  EXPECT_EQ(r->citizen_credentials_file, "/srv/cluster/node-1/citizens.txt");
  Result<NodeConfig> alone = parse(minimal_plus("[pseudonym]\ncitizen_credentials = \"citizens.txt\"\n"));
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.status().message().find("pseudonym.citizen_credentials: is for the node that runs the service"),
            std::string::npos)
      << alone.status().message();
  expect_error(minimal_plus("[pseudonym]\nkey = \"x\"\n"), kMinimalLines + 2, "pseudonym.key", "unknown key");
}

}  // namespace
}  // namespace medtrail::node
