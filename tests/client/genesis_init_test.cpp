// `medtrail genesis init`, run as a user would: the files it writes and what it refuses.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/pseudonym_key_file.h"
#include "medtrail/ledger/tls_identity.h"
#include "client/cli_runner.h"
#include "support/chain_fixture.h"

namespace medtrail {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr const char* kOrgs = R"({
  "chain_name": "medtrail-test", "suite": "ed25519-sha256", "time_zone": "+08:00",
  "checkpoint_quorum": 2,
  "organisations": [
    {"id": "hosp-xa-01", "name": "Xi'an No.1 Hospital", "roles": ["hospital"]},
    {"id": "pharm-xa-01", "name": "Xi'an Zhonglou Pharmacy", "roles": ["pharmacy"]},
    {"id": "sx-mpa", "name": "Shaanxi Medical Products Administration", "roles": ["regulator"]}
  ],
  "nodes": [
    {"id": "node-1", "org": "hosp-xa-01"},
    {"id": "node-2", "org": "pharm-xa-01",
     "peer_address": "127.0.0.1:7202", "api_address": "127.0.0.1:8202"},
    {"id": "node-3", "org": "sx-mpa"}
  ],
  "raft": {"tick_ms": 50, "election_ticks": 20, "heartbeat_ticks": 2}
})";

using testing::CliRun;
using testing::slurp;

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class GenesisInit : public ::testing::Test {
 protected:
  CliRun run(const std::string& args) { return testing::run_cli(args, dir_.path()); }

  CliRun init(const std::string& orgs_json, const std::string& extra = "") {
    std::ofstream(dir_.file("orgs.json")) << orgs_json;
    return run("genesis init --orgs " + dir_.file("orgs.json") + " --out " + out_dir() + " " +
               extra);
  }

  std::string out_dir() const { return dir_.file("consortium"); }
  fs::path out() const { return fs::path(out_dir()); }

  TempDir dir_;
};

TEST_F(GenesisInit, HasHelp) {
  CliRun r = run("genesis init --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--orgs"), std::string::npos);
  EXPECT_EQ(run("genesis").code, 2);  // a subcommand is required
  EXPECT_EQ(run("genesis init --out " + out_dir()).code, 2);
}

TEST_F(GenesisInit, WritesAGenesisEveryNodeCanLoad) {
  CliRun r = init(kOrgs, "--peer-port-base 17101 --api-port-base 18101");
  ASSERT_EQ(r.code, 0) << r.err;

  auto loaded = ledger::load_genesis_file((out() / "genesis.json").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  const ledger::Genesis& g = loaded->genesis;
  EXPECT_NE(r.out.find("chain_id: " + ledger::to_hex(loaded->chain_id)), std::string::npos)
      << r.out;
  EXPECT_EQ(g.chain_name, "medtrail-test");
  EXPECT_EQ(g.checkpoint_quorum, 2u);
  EXPECT_EQ(g.raft, (ledger::GenesisRaft{50, 20, 2}));
  ASSERT_EQ(g.organisations.size(), 3u);
  ASSERT_EQ(g.nodes.size(), 3u);
  // Node i gets the port bases plus i unless the orgs file names its addresses.
  EXPECT_EQ(g.nodes[0].peer_address, "127.0.0.1:17101");
  EXPECT_EQ(g.nodes[0].api_address, "127.0.0.1:18101");
  EXPECT_EQ(g.nodes[1].peer_address, "127.0.0.1:7202");
  EXPECT_EQ(g.nodes[1].api_address, "127.0.0.1:8202");
  EXPECT_EQ(g.nodes[2].peer_address, "127.0.0.1:17103");
  EXPECT_EQ(g.nodes[2].api_address, "127.0.0.1:18103");

  for (const ledger::GenesisOrg& org : g.organisations) {
    fs::path key_path = out() / "orgs" / org.id / "admin.key";
    EXPECT_EQ(mode_of(key_path), 0600u);
    auto key = ledger::load_key_file(key_path.string());
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    EXPECT_EQ(key->public_key, org.admin_public_key);
  }
  for (const ledger::GenesisNode& node : g.nodes) {
    SCOPED_TRACE(node.id);
    fs::path dir = out() / "nodes" / node.id;
    EXPECT_EQ(mode_of(dir / "node.key"), 0600u);
    EXPECT_EQ(mode_of(dir / "tls.key"), 0600u);
    auto key = ledger::load_key_file((dir / "node.key").string());
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    EXPECT_EQ(key->public_key, node.public_key);

    auto pin = ledger::certificate_spki_sha256(slurp((dir / "tls.crt").string()));
    ASSERT_TRUE(pin.ok()) << pin.status().to_string();
    EXPECT_EQ(*pin, node.tls_spki_sha256);

    std::string toml = slurp((dir / "node.toml").string());
    for (const std::string& line :
         {"node_id  = \"" + node.id + "\"", std::string("genesis  = \"../../genesis.json\""),
          std::string("data_dir = \"data\""), std::string("key_file = \"node.key\""),
          std::string("[tls]"), std::string("cert = \"tls.crt\""),
          std::string("key  = \"tls.key\""), std::string("[listen]"),
          "peer = \"" + node.peer_address + "\"", "api  = \"" + node.api_address + "\""}) {
      EXPECT_NE(toml.find(line + "\n"), std::string::npos) << line << "\n" << toml;
    }
  }
}

TEST_F(GenesisInit, RefusesADirectoryThatAlreadyHasAGenesisAndKeepsItsKeys) {
  ASSERT_EQ(init(kOrgs).code, 0);
  std::string genesis = slurp((out() / "genesis.json").string());
  std::string node_key = slurp((out() / "nodes" / "node-1" / "node.key").string());

  CliRun again = init(kOrgs);
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("genesis.json already exists"), std::string::npos) << again.err;
  EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
  EXPECT_EQ(slurp((out() / "genesis.json").string()), genesis);
  EXPECT_EQ(slurp((out() / "nodes" / "node-1" / "node.key").string()), node_key);
}

TEST_F(GenesisInit, NeverOverwritesAKeyLeftInTheDirectory) {
  fs::create_directories(out() / "nodes" / "node-2");
  std::ofstream(out() / "nodes" / "node-2" / "tls.key") << "precious";
  CliRun r = init(kOrgs);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("tls.key already exists"), std::string::npos) << r.err;
  EXPECT_EQ(slurp((out() / "nodes" / "node-2" / "tls.key").string()), "precious");
  EXPECT_FALSE(fs::exists(out() / "genesis.json"));
  EXPECT_FALSE(fs::exists(out() / "nodes" / "node-1"));
}

TEST_F(GenesisInit, RejectsAnOrgsFileWithAnUnknownKey) {
  std::string orgs = kOrgs;
  orgs.insert(orgs.find("\"name\": \"Xi'an"), "\"website\": \"x\", ");
  CliRun r = init(orgs);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("organisations[0].website: unknown field"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out()));

  std::string top = kOrgs;
  top.insert(1, "\"tls\": true, ");
  r = init(top);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("tls: unknown field"), std::string::npos) << r.err;
}

TEST_F(GenesisInit, RejectsDuplicateKeysAndInvalidConsortia) {
  std::string dup = kOrgs;
  dup.insert(1, "\"checkpoint_quorum\": 1, ");
  CliRun r = init(dup);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("duplicate key \"checkpoint_quorum\""), std::string::npos) << r.err;

  std::string unknown_org = kOrgs;
  unknown_org.replace(unknown_org.find("\"org\": \"sx-mpa\""), 15, "\"org\": \"sx-cdc\"");
  r = init(unknown_org);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nodes[2].org"), std::string::npos) << r.err;

  std::string quorum = kOrgs;
  quorum.replace(quorum.find("\"checkpoint_quorum\": 2"), 22, "\"checkpoint_quorum\": 4");
  r = init(quorum);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("checkpoint_quorum"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out()));

  EXPECT_EQ(run("genesis init --orgs " + dir_.file("absent.json") + " --out " + out_dir()).code, 2);
}

// The pseudonym service's key goes to the first node of its organisation, with the [pseudonym]
// table that makes the node serve it; genesis names the key's public half.
TEST_F(GenesisInit, ThePseudonymServiceKeyGoesToItsOrganisationsNode) {
  std::string orgs = kOrgs;
  orgs.insert(orgs.rfind('}'), R"(, "pseudonym": {"org": "sx-mpa", "person_daily_limit": 40})");
  CliRun r = init(orgs);
  ASSERT_EQ(r.code, 0) << r.err;
  const fs::path key_path = out() / "nodes" / "node-3" / "pseudonym.key";
  EXPECT_EQ(mode_of(key_path), 0600u);
  auto key = ledger::load_pseudonym_key_file(key_path.string());
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  auto loaded = ledger::load_genesis_file((out() / "genesis.json").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  ASSERT_TRUE(loaded->genesis.pseudonym.has_value());
  EXPECT_EQ(loaded->genesis.pseudonym->org, "sx-mpa");
  EXPECT_EQ(loaded->genesis.pseudonym->public_key, ledger::Bytes(key->public_key.begin(), key->public_key.end()));
  EXPECT_EQ(loaded->genesis.pseudonym->person_daily_limit, 40u);
  EXPECT_EQ(loaded->genesis.pseudonym->org_daily_limit, 20000u);  // the default
  EXPECT_NE(slurp(out() / "nodes" / "node-3" / "node.toml").find("[pseudonym]\n"), std::string::npos);
  EXPECT_EQ(slurp(out() / "nodes" / "node-1" / "node.toml").find("[pseudonym]"), std::string::npos);
  EXPECT_FALSE(fs::exists(out() / "nodes" / "node-1" / "pseudonym.key"));
  EXPECT_NE(r.out.find("pseudonym service sx-mpa: node node-3"), std::string::npos) << r.out;
}

// The orgs file chooses which pharmacies serve a prescription; genesis init checks the word.
TEST_F(GenesisInit, ThePrescriptionFlowComesFromTheOrgsFile) {
  ASSERT_EQ(init(kOrgs).code, 0);
  auto loaded = ledger::load_genesis_file((out() / "genesis.json").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->genesis.prescription_flow, ledger::kPrescriptionFlowIssuingHospital);
  fs::remove_all(out());

  std::string open = kOrgs;
  open.insert(open.rfind('}'), R"(, "prescription_flow": "any_institution")");
  ASSERT_EQ(init(open).code, 0);
  loaded = ledger::load_genesis_file((out() / "genesis.json").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->genesis.prescription_flow, ledger::kPrescriptionFlowAnyInstitution);
  fs::remove_all(out());

  std::string wrong = kOrgs;
  wrong.insert(wrong.rfind('}'), R"(, "prescription_flow": "anywhere")");
  CliRun r = init(wrong);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("prescription_flow: must be"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out() / "genesis.json"));
}

TEST_F(GenesisInit, RefusesAPseudonymServiceNoRegulatorNodeCanRun) {
  std::string hospital = kOrgs;
  hospital.insert(hospital.rfind('}'), R"(, "pseudonym": {"org": "hosp-xa-01"})");
  CliRun r = init(hospital);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pseudonym.org: must be a regulator organisation"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out()));

  std::string nodeless = kOrgs;
  const std::string regulator_node = R"({"id": "node-3", "org": "sx-mpa"})";
  nodeless.replace(nodeless.find(regulator_node), regulator_node.size(), R"({"id": "node-3", "org": "hosp-xa-01"})");
  nodeless.insert(nodeless.rfind('}'), R"(, "pseudonym": {"org": "sx-mpa"})");
  r = init(nodeless);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("\"sx-mpa\" runs none"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(GenesisInit, TheDemoConsortiumInits) {
  fs::path demo = fs::path(__FILE__).parent_path() / ".." / ".." / "scripts" / "demo-orgs.json";
  ASSERT_TRUE(fs::exists(demo)) << demo;
  CliRun r = run("genesis init --orgs " + demo.string() + " --out " + out_dir());
  ASSERT_EQ(r.code, 0) << r.err;
  auto loaded = ledger::load_genesis_file((out() / "genesis.json").string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_GE(loaded->genesis.organisations.size(), 10u);
  EXPECT_EQ(loaded->genesis.nodes.size(), 3u);
  EXPECT_EQ(loaded->genesis.checkpoint_quorum, 2u);
}

}  // namespace
}  // namespace medtrail
