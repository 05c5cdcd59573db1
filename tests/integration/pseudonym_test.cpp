// The pseudonym service end to end, as people use it: `medtrail genesis init` gives the
// regulator's node the service key, the node serves evaluations, and `medtrail patient-ref`
// turns resident ids into patient_refs that match the service key genesis names — while no id
// reaches any node's log, and a node without the service answers so.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "integration/cluster_harness.h"
#include "integration/member_reader.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/pseudonym_key_file.h"
#include "medtrail/ledger/resident_id.h"

namespace medtrail::integration {
namespace {

namespace fs = std::filesystem;

const std::string kIdA = "110101199003077571";
const std::string kIdB = "11010519491231002X";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> hex_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (ledger::is_hash_hex(line)) lines.push_back(line);
  }
  return lines;
}

TEST(PseudonymService, AMemberGetsRefsThroughTheCliAndNoIdReachesANode) {
  Cluster cluster;
  const int service = 2;  // reg-c's node
  ASSERT_EQ(cluster.node(service).org, "reg-c");
  // The stand-in identity check for citizens, as scripts/cluster sets it up.
  const std::string toml_path = cluster.node(service).dir + "/node.toml";
  std::string toml = read_file(toml_path);
  const std::string key_line = "key_file = \"pseudonym.key\"\n";
  ASSERT_NE(toml.find("[pseudonym]"), std::string::npos);
  ASSERT_NE(toml.find(key_line), std::string::npos) << toml;
  toml.insert(toml.find(key_line) + key_line.size(), "citizen_credentials = \"citizens.txt\"\n");
  std::ofstream(toml_path, std::ios::trunc) << toml;
  std::ofstream(cluster.node(service).dir + "/citizens.txt") << "health-card-7\n";
  cluster.start_all();
  ASSERT_TRUE(cluster.wait_all_ready());
  EXPECT_EQ(read_file(cluster.node(0).dir + "/node.toml").find("[pseudonym]"), std::string::npos);

  MemberReader reader(cluster, "auditor-wu");
  const std::string key_path = cluster.dir() + "/auditor.key";
  ASSERT_TRUE(ledger::save_key_file(key_path, reader.key()).ok());
  const std::string ids_path = cluster.dir() + "/ids.txt";
  std::ofstream(ids_path) << kIdA << "\n" << kIdB << "\n\n 11010519491231002x\n";
  auto run = [&](int node, std::string* output) {
    return cluster.run_cli({"patient-ref", "--node", "http://127.0.0.1:" + std::to_string(cluster.node(node).api_port),
                            "--genesis", cluster.genesis_path(), "--key", key_path, "--as", reader.id(), "--purpose",
                            "audit", "--state-dir", cluster.dir() + "/cli-state", "--input", ids_path},
                           output);
  };

  std::string output;
  ASSERT_EQ(run(service, &output), 0) << output;
  std::vector<std::string> refs = hex_lines(output);
  ASSERT_EQ(refs.size(), 3u) << output;
  EXPECT_NE(refs[0], refs[1]);
  EXPECT_EQ(refs[1], refs[2]);  // one person, two spellings
  // The refs are the service key's, which genesis names.
  auto key = ledger::load_pseudonym_key_file(cluster.node(service).dir + "/pseudonym.key");
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  auto direct = ledger::oprf_evaluate(ledger::kPseudonymMode, *key, ledger::to_bytes(kIdA));
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(refs[0], ledger::patient_ref_of(*direct));

  // A node without the service says so, and nothing is recorded for it.
  std::string refused;
  EXPECT_EQ(run(0, &refused), 1) << refused;
  EXPECT_NE(refused.find("no_pseudonym_service"), std::string::npos) << refused;

  // A typo is refused on the member's side, without echoing the id.
  std::ofstream(ids_path, std::ios::trunc) << "110101199003077578\n";
  std::string typo;
  EXPECT_EQ(run(service, &typo), 2) << typo;
  EXPECT_NE(typo.find("bad_resident_id"), std::string::npos) << typo;
  EXPECT_EQ(typo.find("110101199003077578"), std::string::npos) << typo;

  // A citizen gets their own ref with their health card's credential, and the same ref.
  const std::string card_path = cluster.dir() + "/card.txt";
  std::ofstream(card_path) << "health-card-7\n";
  std::ofstream(ids_path, std::ios::trunc) << kIdA << "\n";
  auto mine = [&](const std::string& card) {
    std::string out;
    const int rc = cluster.run_cli({"my-ref", "--node", "http://127.0.0.1:" + std::to_string(cluster.node(service).api_port),
                                    "--genesis", cluster.genesis_path(), "--credential-file", card, "--input", ids_path},
                                   &out);
    return std::pair{rc, out};
  };
  auto [rc, own] = mine(card_path);
  ASSERT_EQ(rc, 0) << own;
  ASSERT_EQ(hex_lines(own).size(), 1u) << own;
  EXPECT_EQ(hex_lines(own)[0], refs[0]);
  std::ofstream(card_path, std::ios::trunc) << "health-card-8\n";
  auto [refused_rc, refused_card] = mine(card_path);
  EXPECT_EQ(refused_rc, 1) << refused_card;
  EXPECT_NE(refused_card.find("identity_check_failed"), std::string::npos) << refused_card;

  // No node saw an id in any spelling, nor the card.
  for (int i = 0; i < cluster.size(); ++i) {
    const std::string log = read_file(cluster.node(i).dir + "/node.log");
    for (const std::string& id : {kIdA, kIdB, std::string("11010519491231002x"), std::string("health-card-7")}) {
      EXPECT_EQ(log.find(id), std::string::npos) << "node " << i << " logged an id";
    }
  }
}

}  // namespace
}  // namespace medtrail::integration
