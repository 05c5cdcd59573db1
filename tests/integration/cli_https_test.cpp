// The read commands over https. By default a node serves HTTPS with its own TLS identity, and
// `medtrail` given the genesis file trusts exactly the keys genesis pins: no CA, any host name.
// A node given a certificate of its own ([api] tls_cert / tls_key) is read with that certificate
// checked against the trust store (SSL_CERT_FILE) and the URL's host. An untrusted certificate,
// a key genesis does not pin, a wrong name or plain http to a TLS port is refused.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/cluster_harness.h"
#include "support/poll.h"

namespace medtrail::integration {
namespace {

namespace fs = std::filesystem;
using testing::wait_until;

// A self-signed certificate (basicConstraints CA:TRUE, as `openssl req -x509` writes it) for
// the names given as a subjectAltName value, e.g. "DNS:localhost,IP:127.0.0.1".
void make_certificate(const std::string& dir, const std::string& names) {
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
                          "/CN=medtrail-test -addext subjectAltName=" + names + " -keyout '" + dir +
                          "/api.key' -out '" + dir + "/api.crt' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

class CliHttpsTest : public ::testing::Test {
 protected:
  static std::string make_dir() {
    std::string pattern = (fs::temp_directory_path() / "medtrail-https-XXXXXX").string();
    return ::mkdtemp(pattern.data());
  }
  void SetUp() override {
    make_certificate(certs_, "DNS:localhost");
    make_certificate(other_, "DNS:other.example");
    ClusterOptions options;
    options.nodes = 1;
    options.plain_http = false;
    options.extra_toml = "[api]\ntls_cert = \"" + certs_ + "/api.crt\"\ntls_key = \"" + certs_ + "/api.key\"\n";
    cluster_.emplace(options);
    cluster_->start_all();
    ::setenv("SSL_CERT_FILE", (certs_ + "/api.crt").c_str(), 1);
    port_ = std::to_string(cluster_->node(0).api_port);
    // The harness' readiness probe speaks plain HTTP; over TLS the CLI itself is the probe.
    ASSERT_TRUE(wait_until([&] { return watch("https://localhost:" + port_) == 0; }, std::chrono::seconds(30),
                           std::chrono::milliseconds(200)))
        << out_;
  }
  void TearDown() override {
    ::unsetenv("SSL_CERT_FILE");
    cluster_.reset();
    fs::remove_all(certs_);
    fs::remove_all(other_);
  }

  int watch(const std::string& url) {
    return cluster_->run_cli({"checkpoint", "watch", "--once", "--timeout", "5", "--node", url, "--genesis",
                              cluster_->genesis_path(), "--state-dir", certs_ + "/state"},
                             &out_);
  }

  std::string certs_ = make_dir();
  std::string other_ = make_dir();
  std::optional<Cluster> cluster_;
  std::string port_;
  std::string out_;
};

TEST_F(CliHttpsTest, ANodeServingTlsIsReadWithItsCertificateChecked) {
  ASSERT_EQ(watch("https://localhost:" + port_), 0) << out_;
  EXPECT_EQ(out_.find("unreachable"), std::string::npos) << out_;
  ASSERT_EQ(watch("https://localhost:" + port_ + "/"), 0) << out_;

  // `medtrail trace` over https: an unknown code answers, word and all.
  int rc = cluster_->run_cli({"trace", "86901234569999999999", "--node", "https://localhost:" + port_, "--genesis",
                              cluster_->genesis_path(), "--state-dir", certs_ + "/state"},
                             &out_);
  EXPECT_EQ(rc, 1) << out_;
  EXPECT_NE(out_.find("UNKNOWN_CODE"), std::string::npos) << out_;
}

TEST_F(CliHttpsTest, UntrustedCertificatesWrongNamesAndPlainHttpAreRefused) {
  ::setenv("SSL_CERT_FILE", (other_ + "/api.crt").c_str(), 1);  // trusts another certificate only
  EXPECT_EQ(watch("https://localhost:" + port_), 2) << out_;
  EXPECT_NE(out_.find("unreachable"), std::string::npos) << out_;
  EXPECT_NE(out_.find("certificate verify failed"), std::string::npos) << out_;

  ::setenv("SSL_CERT_FILE", (certs_ + "/api.crt").c_str(), 1);
  // The certificate names localhost, not the address it is reached at.
  EXPECT_EQ(watch("https://127.0.0.1:" + port_), 2) << out_;
  EXPECT_NE(out_.find("certificate verify failed"), std::string::npos) << out_;

  EXPECT_EQ(watch("http://localhost:" + port_), 2) << out_;  // plain HTTP to a TLS port
  EXPECT_NE(out_.find("unreachable"), std::string::npos) << out_;
  for (const char* bad : {"ftp://localhost:1", "https://", "https://host:0", "https://host:65536", "https://a/b",
                          "https://u@host:1", "https://[::1"}) {
    EXPECT_EQ(watch(bad), 2) << bad;
    EXPECT_NE(out_.find("bad_url"), std::string::npos) << bad << ": " << out_;
  }
}

// Nothing about TLS in node.toml: what genesis init writes, as an operator starts it.
TEST(CliHttpsByDefault, ANodeServesItsOwnPinnedIdentityAndTheCliTrustsTheGenesisPinsOnly) {
  ClusterOptions options;
  options.nodes = 1;
  options.plain_http = false;
  Cluster cluster(options);
  cluster.start_all();
  const std::string url = "https://127.0.0.1:" + std::to_string(cluster.node(0).api_port);
  const std::string state = cluster.dir() + "/state";
  std::string out;
  auto watch = [&](const std::string& node, const std::string& genesis) {
    return cluster.run_cli({"checkpoint", "watch", "--once", "--timeout", "5", "--node", node, "--genesis", genesis,
                            "--state-dir", state},
                           &out);
  };
  // The harness' readiness probe speaks plain HTTP; here the CLI itself is the probe.
  ASSERT_TRUE(wait_until([&] { return watch(url, cluster.genesis_path()) == 0; }, std::chrono::seconds(30),
                         std::chrono::milliseconds(200)))
      << out << cluster.log_tail(0);
  EXPECT_NE(cluster.log_tail(0, 200).find("api https://127.0.0.1:"), std::string::npos) << cluster.log_tail(0);
  int rc = cluster.run_cli({"trace", "86901234569999999999", "--node", url, "--genesis", cluster.genesis_path(),
                            "--state-dir", state},
                           &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("UNKNOWN_CODE"), std::string::npos) << out;

  // Plain HTTP is not served.
  EXPECT_EQ(watch("http://127.0.0.1:" + std::to_string(cluster.node(0).api_port), cluster.genesis_path()), 2) << out;
  EXPECT_NE(out.find("unreachable"), std::string::npos) << out;

  // A genesis file that pins another key: the node is refused, and the reason says so.
  nlohmann::json genesis = nlohmann::json::parse(std::ifstream(cluster.genesis_path()));
  genesis["nodes"][0]["tls_spki_sha256"] = std::string(64, 'a');
  const std::string other = cluster.dir() + "/other-genesis.json";
  std::ofstream(other) << genesis.dump();
  EXPECT_EQ(watch(url, other), 2) << out;
  EXPECT_NE(out.find("none the genesis file pins"), std::string::npos) << out;
}

}  // namespace
}  // namespace medtrail::integration
