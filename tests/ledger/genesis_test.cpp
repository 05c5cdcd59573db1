#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/oprf.h"
#include "medtrail/ledger/sealed_fields.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace medtrail::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Hash pin_of(uint8_t fill) {
  Hash h;
  h.fill(fill);
  return h;
}

// Three organisations (one without a node), three nodes over two of them.
Genesis sample_genesis(const CryptoSuite& suite) {
  auto key = [&suite] { return suite.generate_keypair()->public_key; };
  Genesis g;
  g.chain_name = "medtrail-test_1.0";
  g.suite = std::string(suite.name());
  g.created = "2026-11-23T00:00:00Z";
  g.time_zone = "+08:00";
  g.organisations = {{"hosp-xa-01", "Xi'an No.1 Hospital", {"hospital"}, key()},
                     {"pharm-xa-01", "西安大药房", {"pharmacy", "logistics"}, key()},
                     {"sx-regulator",
                      "Shaanxi Medical Products Administration",
                      {"regulator", "inspector"},
                      key()}};
  g.nodes = {{"node-1", "hosp-xa-01", key(), pin_of(1), "127.0.0.1:7101", "127.0.0.1:8101"},
             {"node-2", "pharm-xa-01", key(), pin_of(2), "[::1]:7102", "[::1]:8102"},
             {"node-3", "hosp-xa-01", key(), pin_of(3), "node3.example:7103", "node3:8103"}};
  g.raft = {50, 20, 2};
  g.checkpoint_quorum = 2;
  return g;
}

class GenesisJson : public ::testing::Test {
 protected:
  void SetUp() override { base_ = json::parse(genesis_to_json(sample_genesis(ed25519_sha256()))); }

  // Parses `base_` after `mutate`; expects bad_genesis naming `field`.
  void expect_rejected(const std::function<void(json&)>& mutate, const std::string& field) {
    json doc = base_;
    mutate(doc);
    expect_text_rejected(doc.dump(2), field);
  }
  static void expect_text_rejected(const std::string& text, const std::string& field) {
    Result<Genesis> r = parse_genesis(text);
    ASSERT_FALSE(r.ok()) << "accepted; expected an error about " << field;
    EXPECT_EQ(r.status().code(), "bad_genesis");
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  }

  json base_;
};

// Named so that --gtest_filter='Genesis*' selects every suite here.
using GenesisRejects = GenesisJson;
using GenesisFormat = GenesisJson;

TEST(Genesis, RoundTripsThroughJsonForBothSuites) {
  for (const CryptoSuite* suite : {&ed25519_sha256(), &sm2_sm3()}) {
    SCOPED_TRACE(std::string(suite->name()));
    Genesis g = sample_genesis(*suite);
    std::string text = genesis_to_json(g);
    Result<Genesis> parsed = parse_genesis(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
    EXPECT_EQ(*parsed, g);
    EXPECT_EQ(genesis_to_json(*parsed), text);
  }
}

TEST(Genesis, JsonIsTwoSpaceIndentedInHeaderOrderWithTrailingNewline) {
  std::string text = genesis_to_json(sample_genesis(ed25519_sha256()));
  EXPECT_EQ(text.substr(0, 16), "{\n  \"format\": 1,");
  EXPECT_EQ(text.back(), '\n');
  size_t last = 0;
  for (const char* key :
       {"\"format\"", "\"chain_name\"", "\"suite\"", "\"created\"", "\"time_zone\"",
        "\"organisations\"", "\"nodes\"", "\"raft\"", "\"checkpoint_quorum\""}) {
    size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, last) << key;
    last = at;
  }
}

TEST(Genesis, FindsOrganisationsAndNodesById) {
  Genesis g = sample_genesis(ed25519_sha256());
  ASSERT_NE(g.find_org("pharm-xa-01"), nullptr);
  EXPECT_EQ(g.find_org("pharm-xa-01")->roles.size(), 2u);
  EXPECT_EQ(g.find_org("nobody"), nullptr);
  ASSERT_NE(g.find_node("node-2"), nullptr);
  EXPECT_EQ(Genesis::node_signer(*g.find_node("node-2")), "pharm-xa-01/node-2");
  EXPECT_EQ(g.find_node("node-9"), nullptr);
}

TEST(Genesis, CheckpointTrustHasEveryNodeKeyWithItsOrgAndTheQuorum) {
  Genesis g = sample_genesis(ed25519_sha256());
  CheckpointTrust trust = genesis_checkpoint_trust(g);
  ASSERT_EQ(trust.signers.size(), 3u);
  EXPECT_EQ(trust.quorum, 2u);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    EXPECT_EQ(trust.signers[i].signer, g.nodes[i].org + "/" + g.nodes[i].id);
    EXPECT_EQ(trust.signers[i].org, g.nodes[i].org);
    EXPECT_EQ(trust.signers[i].public_key, g.nodes[i].public_key);
  }
}

class GenesisFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "medtrail-genesis-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path dir_;
};

TEST_F(GenesisFile, ChainIdIsTheSuiteHashOfTheExactFileBytes) {
  for (const CryptoSuite* suite : {&ed25519_sha256(), &sm2_sm3()}) {
    SCOPED_TRACE(std::string(suite->name()));
    Genesis g = sample_genesis(*suite);
    std::string text = genesis_to_json(g);
    Result<LoadedGenesis> loaded = load_genesis_file(write("genesis.json", text));
    ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
    EXPECT_EQ(loaded->genesis, g);
    EXPECT_EQ(loaded->suite, suite);
    EXPECT_EQ(loaded->bytes, text);
    EXPECT_EQ(loaded->chain_id, suite->hash(as_bytes(text)));
    EXPECT_EQ(loaded->chain_id, genesis_chain_id(*suite, text));

    // Same content, one more space: another chain, because nobody re-serialises genesis.
    std::string spaced = text;
    spaced.insert(1, " ");
    Result<LoadedGenesis> other = load_genesis_file(write("spaced.json", spaced));
    ASSERT_TRUE(other.ok()) << other.status().to_string();
    EXPECT_EQ(other->genesis, g);
    EXPECT_NE(other->chain_id, loaded->chain_id);
  }
}

TEST_F(GenesisFile, MissingFileIsAnIoError) {
  Result<LoadedGenesis> r = load_genesis_file((dir_ / "absent.json").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "io_error");
}

TEST_F(GenesisFile, FileOverOneMebibyteIsRefused) {
  std::string text = genesis_to_json(sample_genesis(ed25519_sha256()));
  text.append((1 << 20) - text.size() + 1, ' ');  // still valid JSON, one byte too many
  Result<LoadedGenesis> r = load_genesis_file(write("big.json", text));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "bad_genesis");
  EXPECT_NE(r.status().message().find("larger than"), std::string::npos);
}

TEST_F(GenesisFile, ErrorsNameTheFile) {
  std::string path = write("broken.json", "{");
  Result<LoadedGenesis> r = load_genesis_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "bad_genesis");
  EXPECT_NE(r.status().message().find(path), std::string::npos);
}

TEST_F(GenesisFormat, MalformedJsonAndNonObjectsAreRejected) {
  expect_text_rejected("{\"format\": 1,", "malformed");
  expect_text_rejected("[]", "object");
  expect_text_rejected("\xEF\xBB\xBF" + base_.dump(), "byte order mark");
  expect_text_rejected(base_.dump() + " {}", "malformed");
}

TEST_F(GenesisRejects, UnknownFieldsAtAnyLevel) {
  expect_rejected([](json& d) { d["comment"] = "hi"; }, "comment: unknown field");
  expect_rejected([](json& d) { d["organisations"][1]["website"] = "x"; },
                  "organisations[1].website: unknown field");
  expect_rejected([](json& d) { d["nodes"][2]["weight"] = 1; }, "nodes[2].weight: unknown field");
  expect_rejected([](json& d) { d["raft"]["pre_vote"] = true; }, "raft.pre_vote: unknown field");
}

TEST_F(GenesisRejects, DuplicateKeysAtAnyLevel) {
  std::string text = base_.dump(2);
  std::string top = text;
  top.insert(1, "\"chain_name\": \"other\",");
  expect_text_rejected(top, "duplicate key \"chain_name\"");

  std::string nested = text;
  size_t tick = nested.find("\"tick_ms\"");
  ASSERT_NE(tick, std::string::npos);
  nested.insert(tick, "\"tick_ms\": 10, ");
  expect_text_rejected(nested, "duplicate key \"tick_ms\"");

  // Keys are compared after unescaping.
  std::string escaped = text;
  escaped.insert(1, "\"\\u0066ormat\": 1,");
  expect_text_rejected(escaped, "duplicate key \"format\"");
}

TEST_F(GenesisRejects, MissingFields) {
  for (const char* key : {"format", "chain_name", "suite", "created", "time_zone", "organisations",
                          "nodes", "raft", "checkpoint_quorum"}) {
    expect_rejected([key](json& d) { d.erase(key); }, std::string(key) + ": missing");
  }
  expect_rejected([](json& d) { d["organisations"][0].erase("admin_public_key"); },
                  "organisations[0].admin_public_key: missing");
  expect_rejected([](json& d) { d["nodes"][1].erase("tls_spki_sha256"); },
                  "nodes[1].tls_spki_sha256: missing");
  expect_rejected([](json& d) { d["raft"].erase("heartbeat_ticks"); },
                  "raft.heartbeat_ticks: missing");
}

TEST_F(GenesisRejects, WrongTypes) {
  expect_rejected([](json& d) { d["format"] = "1"; }, "format: must be an integer");
  expect_rejected([](json& d) { d["format"] = 1.0; }, "format: must be an integer");
  expect_rejected([](json& d) { d["chain_name"] = 7; }, "chain_name: must be a string");
  expect_rejected([](json& d) { d["organisations"] = json::object(); },
                  "organisations: must be an array");
  expect_rejected([](json& d) { d["nodes"][0] = "node-1"; }, "nodes[0]: must be an object");
  expect_rejected([](json& d) { d["raft"] = json::array(); }, "raft: must be an object");
  expect_rejected([](json& d) { d["organisations"][0]["roles"] = "hospital"; },
                  "organisations[0].roles: must be an array");
  expect_rejected([](json& d) { d["organisations"][0]["roles"][0] = 1; },
                  "organisations[0].roles[0]: must be a string");
}

TEST_F(GenesisRejects, TopLevelValues) {
  expect_rejected([](json& d) { d["format"] = 2; }, "format: must be 1..1");
  expect_rejected([](json& d) { d["chain_name"] = ""; }, "chain_name");
  expect_rejected([](json& d) { d["chain_name"] = "medtrail demo"; }, "chain_name");
  expect_rejected([](json& d) { d["chain_name"] = std::string(65, 'a'); }, "chain_name");
  expect_rejected([](json& d) { d["suite"] = "rsa-md5"; }, "suite: unknown suite");
  expect_rejected([](json& d) { d["created"] = "23 Nov 2026"; }, "created");
  expect_rejected([](json& d) { d["created"] = "2026-13-01T00:00:00Z"; }, "created");
  expect_rejected([](json& d) { d["time_zone"] = "Asia/Shanghai"; }, "time_zone");
  expect_rejected([](json& d) { d["time_zone"] = "+15:00"; }, "time_zone");
  // Past +14:00 the contracts' calendar refuses the offset: genesis must not accept it (a node
  // once threw at start-up on "+14:30").
  expect_rejected([](json& d) { d["time_zone"] = "+14:30"; }, "time_zone");
}

TEST_F(GenesisRejects, AcceptsRfc3339OffsetsAndFractions) {
  json doc = base_;
  doc["created"] = "2026-11-23T08:00:00.123+08:00";
  doc["time_zone"] = "-05:30";
  EXPECT_TRUE(parse_genesis(doc.dump()).ok());
}

TEST_F(GenesisRejects, BadIds) {
  expect_rejected([](json& d) { d["organisations"][0]["id"] = "Hosp-01"; },
                  "organisations[0].id: must be 1..64 characters of [a-z0-9-]");
  expect_rejected([](json& d) { d["nodes"][0]["id"] = ""; }, "nodes[0].id");
  expect_rejected([](json& d) { d["nodes"][0]["id"] = std::string(65, 'n'); }, "nodes[0].id");
  expect_rejected([](json& d) { d["nodes"][1]["id"] = "node_2"; }, "nodes[1].id");
}

TEST_F(GenesisRejects, DuplicateIds) {
  expect_rejected([](json& d) { d["organisations"][2]["id"] = "hosp-xa-01"; },
                  "organisations[2].id: duplicate organisation id");
  expect_rejected([](json& d) { d["nodes"][2]["id"] = "node-1"; },
                  "nodes[2].id: duplicate node id");
}

TEST_F(GenesisRejects, GovApprovalsBeyondTheRegulatorsOrZero) {
  expect_rejected([](json& d) { d["gov_approvals"] = 2; },
                  "gov_approvals: exceeds the 1 regulator organisations");
  expect_rejected([](json& d) { d["gov_approvals"] = 0; }, "gov_approvals: must be 1..");
}

TEST(Genesis, ConsortiumWithoutRegulatorsRoundTrips) {
  Genesis g = sample_genesis(ed25519_sha256());
  g.organisations[2].roles = {"inspector"};
  Result<Genesis> parsed = parse_genesis(genesis_to_json(g));
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, g);
  g.organisations[2].roles = {"regulator"};
  g.gov_approvals = 1;
  EXPECT_EQ(genesis_to_json(g).find("gov_approvals"), std::string::npos);
}

TEST_F(GenesisFormat, GovApprovalsMayBeLeftOutAndDefaultsToOne) {
  ASSERT_FALSE(base_.contains("gov_approvals"));
  Result<Genesis> r = parse_genesis(base_.dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->gov_approvals, 1u);
}

// The pseudonym service: optional, and when present held by a regulator, under a valid key,
// within its limits.
TEST(Genesis, APseudonymServiceRoundTrips) {
  Genesis g = sample_genesis(ed25519_sha256());
  const OprfServerKey key = oprf_generate_key_pair();
  g.pseudonym = GenesisPseudonym{"sx-regulator", Bytes(key.public_key.begin(), key.public_key.end()), 100, 7, 3};
  Result<Genesis> parsed = parse_genesis(genesis_to_json(g));
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, g);
  g.pseudonym.reset();
  EXPECT_EQ(genesis_to_json(g).find("pseudonym"), std::string::npos);
}

TEST_F(GenesisRejects, APseudonymServiceNotHeldByARegulatorOrBadlyKeyedOrLimited) {
  const OprfServerKey key = oprf_generate_key_pair();
  const json good = {{"org", "sx-regulator"},
                     {"public_key", to_hex(key.public_key)},
                     {"org_daily_limit", 100},
                     {"person_daily_limit", 7},
                     {"citizen_daily_limit", 3}};
  base_["pseudonym"] = good;
  ASSERT_TRUE(parse_genesis(base_.dump()).ok());
  expect_rejected([](json& d) { d["pseudonym"]["org"] = "hosp-xa-01"; },
                  "pseudonym.org: must be a regulator organisation");
  expect_rejected([](json& d) { d["pseudonym"]["org"] = "nobody"; }, "pseudonym.org: no organisation");
  expect_rejected([](json& d) { d["pseudonym"]["public_key"] = std::string(64, '0'); },
                  "pseudonym.public_key: is not a ristretto255 element");
  expect_rejected([](json& d) { d["pseudonym"]["public_key"] = std::string(62, 'a'); }, "pseudonym.public_key");
  expect_rejected([](json& d) { d["pseudonym"]["org_daily_limit"] = 0; }, "pseudonym.org_daily_limit: must be 1..");
  expect_rejected([](json& d) { d["pseudonym"]["person_daily_limit"] = 101; },
                  "pseudonym.person_daily_limit: must be 1..100");
  expect_rejected([](json& d) { d["pseudonym"].erase("person_daily_limit"); }, "pseudonym.person_daily_limit: missing");
  expect_rejected([](json& d) { d["pseudonym"]["extra"] = 1; }, "pseudonym.extra: unknown field");
  expect_rejected([](json& d) { d["pseudonym"]["citizen_daily_limit"] = 1001; },
                  "pseudonym.citizen_daily_limit: must be 1..1000");
  expect_rejected([](json& d) { d["pseudonym"] = "sx-regulator"; }, "pseudonym: must be an object");
}

// Confidential fields: organisations' encryption keys and the chain's rule, both optional.
TEST(Genesis, EncryptionKeysAndTheSealedRuleRoundTrip) {
  Genesis g = sample_genesis(ed25519_sha256());
  g.organisations[0].encryption_public_key = generate_encryption_key().public_key;
  g.confidential_fields = std::string(kConfidentialSealed);
  const std::string text = genesis_to_json(g);
  EXPECT_NE(text.find("\"encryption_public_key\""), std::string::npos);
  EXPECT_NE(text.find("\"confidential_fields\": \"sealed\""), std::string::npos);
  Result<Genesis> parsed = parse_genesis(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, g);
  // Left out, they mean: no key yet, and confidential fields allowed in clear (older chains).
  Result<Genesis> plain = parse_genesis(genesis_to_json(sample_genesis(ed25519_sha256())));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->organisations[0].encryption_public_key.empty());
  EXPECT_EQ(plain->confidential_fields, kConfidentialClearAllowed);
}

TEST_F(GenesisRejects, BadEncryptionKeysOrSealedRule) {
  expect_rejected([](json& d) { d["organisations"][0]["encryption_public_key"] = std::string(64, '0'); },
                  "organisations[0].encryption_public_key: is not a usable X25519 key");
  expect_rejected([](json& d) { d["organisations"][0]["encryption_public_key"] = std::string(62, 'a'); },
                  "organisations[0].encryption_public_key: must be 64 lowercase hex");
  expect_rejected([](json& d) { d["confidential_fields"] = "encrypted"; }, "confidential_fields: must be");
  expect_rejected([](json& d) { d["confidential_fields"] = true; }, "confidential_fields: must be a string");
  // Erasable sealed fields need the key service, which the pseudonym service's node runs.
  expect_rejected([](json& d) { d["confidential_fields"] = "erasable"; },
                  "confidential_fields: \"erasable\" needs the key service");
}

// Which pharmacies serve a prescription: written only when it is not the default.
TEST(Genesis, ThePrescriptionFlowRoundTrips) {
  Genesis g = sample_genesis(ed25519_sha256());
  EXPECT_EQ(genesis_to_json(g).find("prescription_flow"), std::string::npos);
  g.prescription_flow = std::string(kPrescriptionFlowAnyInstitution);
  Result<Genesis> parsed = parse_genesis(genesis_to_json(g));
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->prescription_flow, kPrescriptionFlowAnyInstitution);
  Result<Genesis> plain = parse_genesis(genesis_to_json(sample_genesis(ed25519_sha256())));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->prescription_flow, kPrescriptionFlowIssuingHospital);
}

TEST_F(GenesisRejects, AnUnknownPrescriptionFlow) {
  expect_rejected([](json& d) { d["prescription_flow"] = "anywhere"; }, "prescription_flow: must be");
  expect_rejected([](json& d) { d["prescription_flow"] = 1; }, "prescription_flow: must be a string");
}

TEST(Genesis, TheErasableRuleRoundTripsWithItsKeyService) {
  Genesis g = sample_genesis(ed25519_sha256());
  const OprfServerKey key = oprf_generate_key_pair();
  g.pseudonym = GenesisPseudonym{"sx-regulator", Bytes(key.public_key.begin(), key.public_key.end()), 100, 7, 3};
  g.confidential_fields = std::string(kConfidentialErasable);
  Result<Genesis> parsed = parse_genesis(genesis_to_json(g));
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->confidential_fields, kConfidentialErasable);
}

TEST_F(GenesisRejects, BadOrRepeatedRoles) {
  expect_rejected([](json& d) { d["organisations"][1]["roles"][1] = "bank"; },
                  "organisations[1].roles[1]: unknown role \"bank\"");
  expect_rejected([](json& d) { d["organisations"][1]["roles"][1] = "pharmacy"; },
                  "organisations[1].roles[1]: role \"pharmacy\" is repeated");
  expect_rejected([](json& d) { d["organisations"][0]["roles"] = json::array(); },
                  "organisations[0].roles: must have 1..11 entries");
}

TEST_F(GenesisRejects, BadOrganisationNames) {
  expect_rejected([](json& d) { d["organisations"][0]["name"] = ""; }, "organisations[0].name");
  expect_rejected([](json& d) { d["organisations"][0]["name"] = "a\nb"; }, "organisations[0].name");
  expect_rejected([](json& d) { d["organisations"][0]["name"] = std::string(257, 'x'); },
                  "organisations[0].name");
}

TEST_F(GenesisRejects, NodeOfUnknownOrganisation) {
  expect_rejected([](json& d) { d["nodes"][1]["org"] = "pharm-xa-99"; },
                  "nodes[1].org: no organisation \"pharm-xa-99\"");
}

TEST_F(GenesisRejects, KeysOfTheWrongSizeForEachSuite) {
  for (const CryptoSuite* suite : {&ed25519_sha256(), &sm2_sm3()}) {
    SCOPED_TRACE(std::string(suite->name()));
    base_ = json::parse(genesis_to_json(sample_genesis(*suite)));
    std::string wrong = to_hex(Bytes(suite->public_key_size() + 1, 0x04));
    expect_rejected([&](json& d) { d["organisations"][1]["admin_public_key"] = wrong; },
                    "organisations[1].admin_public_key: must be " +
                        std::to_string(2 * suite->public_key_size()) + " lowercase hex");
    expect_rejected([&](json& d) { d["nodes"][2]["public_key"] = wrong.substr(4); },
                    "nodes[2].public_key");
  }
  // A key valid for one suite is the wrong size for the other.
  base_ = json::parse(genesis_to_json(sample_genesis(ed25519_sha256())));
  std::string sm2_key = to_hex(sm2_sm3().generate_keypair()->public_key);
  expect_rejected([&](json& d) { d["nodes"][0]["public_key"] = sm2_key; }, "nodes[0].public_key");
}

TEST_F(GenesisRejects, HexMustBeLowercaseAndWellFormed) {
  expect_rejected(
      [](json& d) {
        std::string k = d["nodes"][0]["public_key"];
        k[0] = 'A';
        d["nodes"][0]["public_key"] = k;
      },
      "nodes[0].public_key");
  expect_rejected([](json& d) { d["nodes"][1]["tls_spki_sha256"] = std::string(64, 'g'); },
                  "nodes[1].tls_spki_sha256: must be 64 lowercase hex characters");
  expect_rejected([](json& d) { d["nodes"][1]["tls_spki_sha256"] = std::string(62, 'a'); },
                  "nodes[1].tls_spki_sha256");
}

TEST_F(GenesisRejects, BadAddresses) {
  for (const char* address :
       {"127.0.0.1", "127.0.0.1:", ":7101", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:71o1",
        "::1:7101", "[]:7101", "[::1]", "host name:7101", "127.0.0.1:-1"}) {
    SCOPED_TRACE(address);
    expect_rejected([address](json& d) { d["nodes"][0]["peer_address"] = address; },
                    "nodes[0].peer_address");
    expect_rejected([address](json& d) { d["nodes"][2]["api_address"] = address; },
                    "nodes[2].api_address");
  }
}

TEST_F(GenesisRejects, AddressUsedTwice) {
  expect_rejected([](json& d) { d["nodes"][1]["peer_address"] = "127.0.0.1:7101"; },
                  "nodes[1].peer_address: address \"127.0.0.1:7101\" is used twice");
  expect_rejected([](json& d) { d["nodes"][0]["api_address"] = "127.0.0.1:7101"; },
                  "nodes[0].api_address");
}

TEST_F(GenesisRejects, CheckpointQuorumOutOfRange) {
  expect_rejected([](json& d) { d["checkpoint_quorum"] = 0; }, "checkpoint_quorum: must be 1..2");
  // Three organisations, but only two run nodes: a quorum of three could never be reached.
  expect_rejected([](json& d) { d["checkpoint_quorum"] = 3; }, "checkpoint_quorum: must be 1..2");
  expect_rejected([](json& d) { d["checkpoint_quorum"] = -1; }, "checkpoint_quorum");
}

TEST_F(GenesisRejects, RaftOutOfRange) {
  expect_rejected([](json& d) { d["raft"]["tick_ms"] = 9; }, "raft.tick_ms: must be 10..10000");
  expect_rejected([](json& d) { d["raft"]["tick_ms"] = 10001; }, "raft.tick_ms");
  expect_rejected([](json& d) { d["raft"]["election_ticks"] = 2; }, "raft.election_ticks");
  expect_rejected([](json& d) { d["raft"]["heartbeat_ticks"] = 0; }, "raft.heartbeat_ticks");
  expect_rejected([](json& d) { d["raft"]["heartbeat_ticks"] = 101; }, "raft.heartbeat_ticks");
  expect_rejected(
      [](json& d) {
        d["raft"]["election_ticks"] = 5;
        d["raft"]["heartbeat_ticks"] = 5;
      },
      "raft.election_ticks: must be greater than heartbeat_ticks");
}

TEST_F(GenesisRejects, TooManyOrEmptyOrganisationsAndNodes) {
  expect_rejected([](json& d) { d["organisations"] = json::array(); },
                  "organisations: must have 1..256 entries, has 0");
  expect_rejected([](json& d) { d["nodes"] = json::array(); }, "nodes: must have 1..64 entries");
  expect_rejected(
      [](json& d) {
        json org = d["organisations"][0];
        for (int i = 0; i < 255; ++i) {
          org["id"] = "extra-" + std::to_string(i);
          d["organisations"].push_back(org);
        }
      },
      "organisations: must have 1..256 entries, has 258");
  expect_rejected(
      [](json& d) {
        json node = d["nodes"][0];
        for (int i = 0; i < 62; ++i) {
          node["id"] = "extra-" + std::to_string(i);
          node["peer_address"] = "10.0.0.1:" + std::to_string(1000 + i);
          node["api_address"] = "10.0.0.1:" + std::to_string(2000 + i);
          d["nodes"].push_back(node);
        }
      },
      "nodes: must have 1..64 entries, has 65");
}

TEST_F(GenesisRejects, ExactlyTheLimitsAreAccepted) {
  json doc = base_;
  json org = doc["organisations"][0];
  for (int i = 0; i < 253; ++i) {
    org["id"] = "extra-" + std::to_string(i);
    doc["organisations"].push_back(org);
  }
  json node = doc["nodes"][0];
  for (int i = 0; i < 61; ++i) {
    node["id"] = "extra-" + std::to_string(i);
    node["peer_address"] = "10.0.0.1:" + std::to_string(1000 + i);
    node["api_address"] = "10.0.0.1:" + std::to_string(2000 + i);
    doc["nodes"].push_back(node);
  }
  Result<Genesis> r = parse_genesis(doc.dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->organisations.size(), 256u);
  EXPECT_EQ(r->nodes.size(), 64u);
}

TEST(GenesisTimeZone, AnOffsetReadsAsMinutesEastOfUtcWithinFourteenHours) {
  EXPECT_EQ(utc_offset_minutes("+08:00"), 480);
  EXPECT_EQ(utc_offset_minutes("-03:30"), -210);
  EXPECT_EQ(utc_offset_minutes("+14:00"), 840);
  for (const char* bad : {"+14:01", "+15:00", "08:00", "+8:00", "+08:60", "Asia/Shanghai", ""}) {
    EXPECT_EQ(utc_offset_minutes(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace medtrail::ledger
