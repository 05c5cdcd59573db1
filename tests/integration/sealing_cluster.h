#pragma once
// A fixture for the tests of confidential fields: a started cluster whose genesis says how it
// keeps them ("sealed" or "erasable"), a Submitter for its people, and the paths their clients use.
#include <gtest/gtest.h>

#include <string>

#include "integration/cluster_harness.h"
#include "integration/submitter.h"

namespace medtrail::integration {

class SealingClusterTest : public ::testing::Test {
 protected:
  // `extra_toml` goes into every node.toml (e.g. a [limits] table).
  explicit SealingClusterTest(const std::string& confidential_fields, const std::string& extra_toml = "")
      : cluster(options(confidential_fields, extra_toml)), s(cluster) {
    cluster.start_all();
    ready = cluster.wait_all_ready();
  }
  std::string url(int i) const { return "http://127.0.0.1:" + std::to_string(cluster.node(i).api_port); }
  // An organisation's encryption keyring, as genesis init wrote it.
  std::string keyring(const std::string& org) const { return cluster.dir() + "/orgs/" + org + "/encryption.key"; }

  Cluster cluster;
  Submitter s;
  bool ready = false;

 private:
  static ClusterOptions options(const std::string& confidential_fields, const std::string& extra_toml) {
    ClusterOptions o;
    o.confidential_fields = confidential_fields;
    o.extra_toml = extra_toml;
    return o;
  }
};

}  // namespace medtrail::integration
