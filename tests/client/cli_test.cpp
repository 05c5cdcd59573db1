// The `medtrail` binary, run as a user would: exit codes, stdout and stderr.

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/proof_json.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
#include "client/cli_runner.h"
#include "support/chain_fixture.h"

namespace medtrail {
namespace {

using testing::TempDir;

using testing::CliRun;
using testing::slurp;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

class CliTest : public ::testing::Test {
 protected:
  CliRun run(const std::string& args, const std::string& stdin_path = "/dev/null") {
    return testing::run_cli(args, dir_.path(), stdin_path);
  }

  TempDir dir_;
};

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const char* cmd : {"", "keygen", "sign", "verify-envelope", "verify-proof", "verify-chain",
                          "checkpoint watch", "qr", "get", "rx verify", "audit trail", "audit search", "trace",
                          "patient-ref", "my-ref", "seal", "open", "encryption-key new", "encryption-key rotate",
                          "witness init", "witness serve"}) {
    CliRun r = run(std::string(cmd) + " --help");
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST_F(CliTest, UnknownCommandOrMissingOptionIsAUsageError) {
  EXPECT_EQ(run("frobnicate").code, 2);
  CliRun r = run("keygen");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
}

// The read commands take https (tests/integration/cli_https_test.cpp); the load generator does
// not, and says so instead of speaking plain HTTP to a TLS port.
TEST_F(CliTest, LoadRefusesHttpsUrls) {
  ASSERT_EQ(run("keygen --out " + dir_.file("load.json")).code, 0);
  CliRun r = run("load --url https://127.0.0.1:1 --key " + dir_.file("load.json"));
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("bad_url"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("http:// only"), std::string::npos) << r.err;
}

TEST_F(CliTest, KeygenWritesAPrivateKeyFileAndNeverOverwrites) {
  for (const char* suite : {"ed25519-sha256", "sm2-sm3"}) {
    std::string path = dir_.file(std::string("key-") + suite + ".json");
    CliRun r = run("keygen --suite " + std::string(suite) + " --out " + path);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("key_id: "), std::string::npos);
    EXPECT_NE(r.out.find("public_key: "), std::string::npos);
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto key = ledger::load_key_file(path);
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    EXPECT_EQ(key->suite, suite);

    CliRun again = run("keygen --suite " + std::string(suite) + " --out " + path);
    EXPECT_EQ(again.code, 2);
    EXPECT_NE(again.err.find("file_exists"), std::string::npos) << again.err;
  }
  EXPECT_EQ(run("keygen --suite rot13 --out " + dir_.file("k")).code, 2);
}

TEST_F(CliTest, SignedEnvelopeVerifiesAndTamperingIsReported) {
  std::string key_path = dir_.file("key.json");
  ASSERT_EQ(run("keygen --out " + key_path).code, 0);
  auto key = ledger::load_key_file(key_path);
  ASSERT_TRUE(key.ok());
  std::string public_hex = ledger::to_hex(key->public_key);

  write_file(dir_.file("payload.json"), testing::make_payload("hosp-xa-01", "dr-li", 1));
  CliRun signed_run = run("sign --key " + key_path + " --payload " + dir_.file("payload.json"));
  ASSERT_EQ(signed_run.code, 0) << signed_run.err;
  write_file(dir_.file("envelope.json"), signed_run.out);

  CliRun ok = run("verify-envelope " + dir_.file("envelope.json") + " --public-key " + public_hex);
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind("valid", 0), 0u) << ok.out;

  // Standard input works too.
  EXPECT_EQ(run("verify-envelope - --public-key " + public_hex, dir_.file("envelope.json")).code, 0);

  auto other = ledger::default_suite().generate_keypair();
  CliRun wrong_key = run("verify-envelope " + dir_.file("envelope.json") + " --public-key " +
                      ledger::to_hex(other->public_key));
  EXPECT_EQ(wrong_key.code, 1);
  EXPECT_NE(wrong_key.err.find("signature_mismatch"), std::string::npos) << wrong_key.err;

  write_file(dir_.file("garbage.json"), "{\"payload\": 1}");
  CliRun garbage = run("verify-envelope " + dir_.file("garbage.json") + " --public-key " + public_hex);
  EXPECT_EQ(garbage.code, 1);
  EXPECT_EQ(std::count(garbage.err.begin(), garbage.err.end(), '\n'), 1) << "one line";

  CliRun missing = run("verify-envelope " + dir_.file("nope.json") + " --public-key " + public_hex);
  EXPECT_EQ(missing.code, 2);
}

TEST_F(CliTest, SignRefusesAnInvalidPayload) {
  std::string key_path = dir_.file("key.json");
  ASSERT_EQ(run("keygen --out " + key_path).code, 0);
  write_file(dir_.file("payload.json"), R"({"v":1,"kind":"rx.issue"})");
  CliRun r = run("sign --key " + key_path + " --payload " + dir_.file("payload.json"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("missing_field"), std::string::npos) << r.err;
}

TEST_F(CliTest, SignRefusesAKeyFileOthersCanRead) {
  std::string key_path = dir_.file("key.json");
  ASSERT_EQ(run("keygen --out " + key_path).code, 0);
  chmod(key_path.c_str(), 0644);
  write_file(dir_.file("payload.json"), testing::make_payload("hosp-xa-01", "dr-li", 1));
  CliRun r = run("sign --key " + key_path + " --payload " + dir_.file("payload.json"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("insecure_permissions"), std::string::npos) << r.err;
}

class CliChainTest : public CliTest {
 protected:
  void SetUp() override {
    const auto& suite = ledger::ed25519_sha256();
    ledger::ChainStoreOptions options;
    options.sync = false;
    auto store = ledger::ChainStore::open(dir_.file("node/db"), suite,
                                          testing::test_chain_id(suite), options);
    ASSERT_TRUE(store.ok());
    testing::TestConsortium consortium(suite);
    testing::build_chain(**store, consortium, {.blocks = 6, .leaves_per_block = 5});
    auto proof = (*store)->inclusion_proof(7, 30);
    auto leaf = (*store)->leaf_at(7);
    inclusion_json_ = ledger::inclusion_proof_to_json(suite, *proof, ledger::leaf_hash(suite, *leaf),
                                                      (*store)->tree_root());
    auto consistency = (*store)->consistency_proof(10, 30);
    consistency_json_ = ledger::consistency_proof_to_json(suite, *consistency, *(*store)->root_at(10),
                                                          (*store)->tree_root());
  }
  std::string inclusion_json_;
  std::string consistency_json_;
};

TEST_F(CliChainTest, VerifyChainSummarisesAnIntactChain) {
  CliRun r = run("verify-chain --data-dir " + dir_.file("node") + " --threads 2");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("valid: 6 blocks, 30 records"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("records/s"), std::string::npos) << r.out;
  // A bare store directory works as well as a node data dir.
  EXPECT_EQ(run("verify-chain --data-dir " + dir_.file("node/db")).code, 0);
}

TEST_F(CliChainTest, VerifyChainNamesTheFirstBadHeight) {
  {
    auto store = ledger::ChainStore::open_existing(dir_.file("node/db"), /*read_only=*/false);
    ASSERT_TRUE(store.ok());
    auto* db = (*store)->db();
    auto* leaves = (*store)->column_family(ledger::ColumnFamily::kLeaves);
    std::string key = ledger::ChainStore::height_key(12);  // block 3 holds leaves 10..14
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), leaves, key, &value).ok());
    value[value.size() / 2] ^= 0x04;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), leaves, key, value).ok());
  }
  CliRun r = run("verify-chain --data-dir " + dir_.file("node"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("height 3"), std::string::npos) << r.err;
}

TEST_F(CliChainTest, VerifyChainOfAMissingStoreIsAUsageError) {
  CliRun r = run("verify-chain --data-dir " + dir_.file("nothing"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not_found"), std::string::npos) << r.err;
}

// A chain whose id is its genesis' hash, with checkpoints signed by the genesis node keys.
class CliGenesisChainTest : public CliTest {
 protected:
  void SetUp() override {
    const auto& suite = ledger::ed25519_sha256();
    ledger::Genesis g = genesis_of(consortium_);
    std::string bytes = ledger::genesis_to_json(g);
    write_file(dir_.file("genesis.json"), bytes);
    ledger::ChainStoreOptions options;
    options.sync = false;
    auto store = ledger::ChainStore::open(dir_.file("node/db"), suite,
                                          ledger::genesis_chain_id(suite, bytes), options);
    ASSERT_TRUE(store.ok());
    testing::build_chain(**store, consortium_, {.blocks = 5, .leaves_per_block = 3});
  }

  // Organisations hosp-a, pharm-b, reg-c, each with one node holding a consortium node key.
  ledger::Genesis genesis_of(const testing::TestConsortium& consortium) {
    ledger::Genesis g;
    g.chain_name = "cli-test";
    g.created = "2026-11-23T00:00:00Z";
    g.checkpoint_quorum = 2;
    const char* roles[] = {"hospital", "pharmacy", "regulator"};
    for (size_t i = 0; i < consortium.node_ids.size(); ++i) {
      const std::string& signer = consortium.node_ids[i];
      std::string org = signer.substr(0, signer.find('/'));
      g.organisations.push_back({org, org, {roles[i]}, consortium.author.public_key});
      ledger::GenesisNode node;
      node.id = signer.substr(signer.find('/') + 1);
      node.org = org;
      node.public_key = consortium.node_keys[i].public_key;
      node.peer_address = "127.0.0.1:" + std::to_string(7101 + i);
      node.api_address = "127.0.0.1:" + std::to_string(8101 + i);
      g.nodes.push_back(node);
    }
    return g;
  }

  testing::TestConsortium consortium_{ledger::ed25519_sha256()};
};

TEST_F(CliGenesisChainTest, VerifyChainAgainstItsGenesisChecksTheQuorum) {
  CliRun r = run("verify-chain --genesis " + dir_.file("genesis.json") + " --data-dir " +
                 dir_.file("node"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("valid: 5 blocks"), std::string::npos) << r.out;
}

TEST_F(CliGenesisChainTest, VerifyChainAgainstAnotherGenesisIsWrongChain) {
  ledger::Genesis other = genesis_of(consortium_);
  other.chain_name = "another-chain";
  write_file(dir_.file("other.json"), ledger::genesis_to_json(other));
  CliRun r = run("verify-chain --genesis " + dir_.file("other.json") + " --data-dir " +
                 dir_.file("node"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("wrong_chain"), std::string::npos) << r.err;
}

TEST_F(CliGenesisChainTest, VerifyChainRefusesCheckpointsGenesisDoesNotTrust) {
  // Same chain id, but the chain's checkpoints were signed by keys this genesis does not pin:
  // rebuild the store under a genesis naming other node keys.
  testing::TestConsortium strangers(ledger::ed25519_sha256());
  ledger::Genesis g = genesis_of(strangers);
  std::string bytes = ledger::genesis_to_json(g);
  write_file(dir_.file("strangers.json"), bytes);
  {
    const auto& suite = ledger::ed25519_sha256();
    ledger::ChainStoreOptions options;
    options.sync = false;
    auto store = ledger::ChainStore::open(dir_.file("node2/db"), suite,
                                          ledger::genesis_chain_id(suite, bytes), options);
    ASSERT_TRUE(store.ok());
    testing::build_chain(**store, consortium_, {.blocks = 5, .leaves_per_block = 3});
  }
  CliRun r = run("verify-chain --genesis " + dir_.file("strangers.json") + " --data-dir " +
                 dir_.file("node2"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("checkpoint"), std::string::npos) << r.err;
  // Without genesis the signatures alone still verify.
  EXPECT_EQ(run("verify-chain --data-dir " + dir_.file("node2")).code, 0);
}

TEST_F(CliChainTest, VerifyProofAcceptsGenuineProofsAndRejectsAlteredOnes) {
  write_file(dir_.file("inclusion.json"), inclusion_json_);
  write_file(dir_.file("consistency.json"), consistency_json_);
  CliRun inc = run("verify-proof " + dir_.file("inclusion.json"));
  EXPECT_EQ(inc.code, 0) << inc.err;
  EXPECT_NE(inc.out.find("leaf 7"), std::string::npos) << inc.out;
  CliRun con = run("verify-proof " + dir_.file("consistency.json"));
  EXPECT_EQ(con.code, 0) << con.err;

  std::string altered = inclusion_json_;
  altered.replace(altered.find("\"leaf_index\": 7"), 15, "\"leaf_index\": 8");
  write_file(dir_.file("altered.json"), altered);
  CliRun bad = run("verify-proof " + dir_.file("altered.json"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("proof_invalid"), std::string::npos) << bad.err;

  write_file(dir_.file("junk.json"), "not json");
  CliRun junk = run("verify-proof " + dir_.file("junk.json"));
  EXPECT_EQ(junk.code, 1);
  EXPECT_NE(junk.err.find("bad_proof_document"), std::string::npos) << junk.err;
}

TEST_F(CliTest, VerifyProofChecksStateProofsOfAValueAndOfNothing) {
  const auto& suite = ledger::ed25519_sha256();
  ledger::StateMapMemoryNodes nodes;
  ledger::StateMap map(suite, nodes);
  std::vector<ledger::StateMapChange> changes;
  for (int i = 0; i < 20; ++i) {
    const std::string key = "dose/" + std::to_string(i);
    changes.push_back({ledger::state_key_hash(suite, ledger::as_bytes(key)),
                       ledger::state_value_hash(suite, ledger::as_bytes("administered"))});
  }
  nodes.apply(*map.update(std::nullopt, 1, changes));
  const ledger::Hash root = *map.root(1);
  auto document = [&](const std::string& key, std::optional<std::string> value) {
    std::optional<ledger::ByteView> v;
    if (value) v = ledger::as_bytes(*value);
    auto proof = map.prove(1, ledger::state_key_hash(suite, ledger::as_bytes(key)));
    return ledger::state_proof_to_json(suite, ledger::as_bytes(key), v, *proof, root);
  };
  write_file(dir_.file("held.json"), document("dose/3", "administered"));
  CliRun held = run("verify-proof " + dir_.file("held.json"));
  EXPECT_EQ(held.code, 0) << held.err;
  EXPECT_NE(held.out.find("holds the value"), std::string::npos) << held.out;
  write_file(dir_.file("nothing.json"), document("dose/30", std::nullopt));
  CliRun nothing = run("verify-proof " + dir_.file("nothing.json"));
  EXPECT_EQ(nothing.code, 0) << nothing.err;
  EXPECT_NE(nothing.out.find("holds nothing"), std::string::npos) << nothing.out;
  // A node that hides the dose: the proof of dose/3 offered as one of nothing.
  std::string hidden = document("dose/3", "administered");
  const std::string value =
      "\"value\": \"" + ledger::to_hex(ledger::as_bytes("administered")) + "\"";
  ASSERT_NE(hidden.find(value), std::string::npos) << hidden;
  hidden.replace(hidden.find(value), value.size(), "\"value\": null");
  write_file(dir_.file("hidden.json"), hidden);
  CliRun bad = run("verify-proof " + dir_.file("hidden.json"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("proof_invalid"), std::string::npos) << bad.err;
}

// A node that accepts the connection and never answers must not hold the watcher: it gives up
// within its timeout (the first version blocked for ever, its deadline applying only to
// asynchronous calls it did not make).
TEST_F(CliTest, CheckpointWatchGivesUpOnANodeThatNeverAnswers) {
  const std::string orgs =
      (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "scripts" / "demo-orgs.json").string();
  ASSERT_EQ(run("genesis init --orgs " + orgs + " --out " + dir_.file("consortium")).code, 0);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 8), 0);  // the kernel completes connections; nobody accepts or answers
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const auto started = std::chrono::steady_clock::now();
  CliRun r = run("checkpoint watch --once --timeout 1 --node http://127.0.0.1:" +
                 std::to_string(ntohs(addr.sin_port)) + " --genesis " +
                 dir_.file("consortium/genesis.json") + " --state-dir " + dir_.file("state"));
  ::close(fd);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no answer within"), std::string::npos) << r.err;
  // A liveness bound, not a speed target: without the deadline this never returns.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
}

// `medtrail get` refuses what it cannot sign before it touches the network: each with its code.
TEST_F(CliTest, GetRefusesWhatItCannotSignWithItsCode) {
  const std::string orgs =
      (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "scripts" / "demo-orgs.json").string();
  ASSERT_EQ(run("genesis init --orgs " + orgs + " --out " + dir_.file("consortium")).code, 0);
  ASSERT_EQ(run("keygen --out " + dir_.file("me.json")).code, 0);
  ASSERT_EQ(run("keygen --suite sm2-sm3 --out " + dir_.file("sm2.json")).code, 0);
  const std::string common = " --node http://127.0.0.1:9 --genesis " + dir_.file("consortium/genesis.json") +
                             " --as sx-mpa/insp-liu";
  struct Case {
    std::string args;
    std::string code;
  };
  for (const Case& c : {Case{"--key " + dir_.file("me.json") + " --purpose curiosity", "bad_purpose"},
                        Case{"--key " + dir_.file("sm2.json"), "wrong_suite"},
                        Case{"--key " + dir_.file("missing.json"), "io_error"}}) {
    SCOPED_TRACE(c.args);
    CliRun r = run("get /v1/blocks/1" + common + " " + c.args);
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(c.code), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  // A target that is not origin-form cannot be signed.
  CliRun r = run("get v1/blocks/1" + common + " --key " + dir_.file("me.json"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("bad_field"), std::string::npos) << r.err;
  // Port 9 (discard) answers nothing on loopback: unreachable, exit 2.
  r = run("get /v1/blocks/1" + common + " --key " + dir_.file("me.json") + " --timeout 2");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("unreachable"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace medtrail
