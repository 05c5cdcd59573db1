// Start-up refuses what would corrupt a chain or impersonate a node: a data dir of another
// node or another chain, a signing key or TLS certificate other than the ones genesis pins.
// Each refusal exits 1 and names the reason; the data dir is left as it was.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "integration/cluster_harness.h"
#include "medtrail/ledger/pseudonym_key_file.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// node.toml of node `i` with one `key = "..."` line replaced; written next to it.
std::string variant(const Cluster& cluster, int i, const std::string& key, const std::string& value,
                    const std::string& name) {
  std::string toml = slurp(cluster.node(i).dir + "/node.toml");
  std::regex line("(^|\\n)" + key + "\\s*=\\s*\"[^\"]*\"");
  toml = std::regex_replace(toml, line, "$1" + key + " = \"" + value + "\"");
  const std::string path = cluster.node(i).dir + "/" + name;
  std::ofstream(path) << toml;
  return path;
}

class StartupIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.start(0);  // creates node-1's data dir (alone it never becomes ready: no quorum)
    ASSERT_TRUE(started(0)) << cluster_.log_tail(0);
    ASSERT_EQ(cluster_.stop(0, SIGTERM), 0);
  }
  // The node logged that it opened its store and listens.
  bool started(int i) {
    return testing::wait_until([&] { return cluster_.log_tail(i, 5).find(" of chain ") != std::string::npos; }, 20s,
                               50ms);
  }
  Cluster cluster_;
};

TEST_F(StartupIntegration, DataDirOfAnotherNodeIsRefused) {
  const std::string config =
      variant(cluster_, 1, "data_dir", std::filesystem::absolute(cluster_.data_dir(0)).string(),
              "other-data.toml");
  std::string output;
  EXPECT_EQ(cluster_.run_node_once(config, &output), 1) << output;
  EXPECT_NE(output.find("wrong_node"), std::string::npos) << output;
}

TEST_F(StartupIntegration, DataDirOfAnotherChainIsRefused) {
  Cluster other;  // another genesis: another chain id
  const std::string config =
      variant(other, 0, "data_dir", std::filesystem::absolute(cluster_.data_dir(0)).string(),
              "foreign-data.toml");
  std::string output;
  EXPECT_EQ(other.run_node_once(config, &output), 1) << output;
  EXPECT_NE(output.find("wrong_chain"), std::string::npos) << output;
  // The refused node did not touch it: node-1 still starts on it.
  cluster_.start(0);
  EXPECT_TRUE(started(0)) << cluster_.log_tail(0);
  EXPECT_TRUE(cluster_.running(0));
}

TEST_F(StartupIntegration, KeysGenesisDoesNotPinAreRefused) {
  std::string output;
  const std::string wrong_key =
      variant(cluster_, 0, "key_file", cluster_.node(1).dir + "/node.key", "wrong-key.toml");
  EXPECT_EQ(cluster_.run_node_once(wrong_key, &output), 1) << output;
  EXPECT_NE(output.find("key_mismatch"), std::string::npos) << output;

  const std::string wrong_cert =
      variant(cluster_, 0, "cert", cluster_.node(1).dir + "/tls.crt", "wrong-cert.toml");
  EXPECT_EQ(cluster_.run_node_once(wrong_cert, &output), 1) << output;
  EXPECT_NE(output.find("tls_mismatch"), std::string::npos) << output;

  const std::string unknown = variant(cluster_, 0, "node_id", "node-9", "unknown-id.toml");
  EXPECT_EQ(cluster_.run_node_once(unknown, &output), 1) << output;
  EXPECT_NE(output.find("unknown_node"), std::string::npos) << output;
}

// The node's TLS private key is read as every key file is: one others can read is refused,
// with the chmod that fixes it, before the node serves anything.
TEST_F(StartupIntegration, ATlsKeyOthersCanReadIsRefused) {
  const std::string key = cluster_.node(0).dir + "/tls.key";
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  std::string output;
  EXPECT_EQ(cluster_.run_node_once(cluster_.node(0).dir + "/node.toml", &output), 1) << output;
  EXPECT_NE(output.find("insecure_permissions"), std::string::npos) << output;
  EXPECT_NE(output.find("chmod 600 " + key), std::string::npos) << output;
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
}

// The pseudonym service's key: only on a node of the organisation genesis names, and only the
// key genesis names.
TEST_F(StartupIntegration, PseudonymKeysGenesisDoesNotNameAreRefused) {
  const int service = 2;
  ASSERT_EQ(cluster_.node(service).org, "reg-c");
  const std::string service_key = cluster_.node(service).dir + "/pseudonym.key";
  std::string output;

  const std::string elsewhere = cluster_.node(0).dir + "/pseudonym-elsewhere.toml";
  std::ofstream(elsewhere) << slurp(cluster_.node(0).dir + "/node.toml") << "\n[pseudonym]\nkey_file = \""
                           << service_key << "\"\n";
  EXPECT_EQ(cluster_.run_node_once(elsewhere, &output), 1) << output;
  EXPECT_NE(output.find("belongs to reg-c"), std::string::npos) << output;

  const std::string other_key = cluster_.node(service).dir + "/other-pseudonym.key";
  ASSERT_TRUE(ledger::save_pseudonym_key_file(other_key, ledger::oprf_generate_key_pair()).ok());
  std::string toml = slurp(cluster_.node(service).dir + "/node.toml");
  const std::string line = "key_file = \"pseudonym.key\"";
  ASSERT_NE(toml.find(line), std::string::npos) << toml;
  toml.replace(toml.find(line), line.size(), "key_file = \"other-pseudonym.key\"");
  const std::string wrong = cluster_.node(service).dir + "/wrong-pseudonym.toml";
  std::ofstream(wrong) << toml;
  EXPECT_EQ(cluster_.run_node_once(wrong, &output), 1) << output;
  EXPECT_NE(output.find("key_mismatch"), std::string::npos) << output;
  EXPECT_NE(output.find("not the pseudonym key genesis names"), std::string::npos) << output;
}

}  // namespace
}  // namespace medtrail::integration
