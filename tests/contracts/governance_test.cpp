// gov.propose / gov.approve: organisations and nodes join or leave with the approval of
// gov_approvals (2 in the fixture) regulator organisations.
#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/governance.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using testing::ContractFixture;

class GovernanceTest : public ::testing::Test {
 protected:
  std::string hex_key() {
    return ledger::to_hex(ledger::ed25519_sha256().generate_keypair().value().public_key);
  }
  nlohmann::json add_org(const std::string& id = "pharm-c") {
    return {{"action", "org.add"},
            {"reason", "new member"},
            {"org", {{"id", id}, {"name", "Pharmacy C"}, {"types", {"pharmacy"}}, {"admin_public_key", hex_key()}}}};
  }
  nlohmann::json add_node(const std::string& id = "node-2", const std::string& org = "hosp-b") {
    return {{"action", "node.add"},
            {"reason", "second node"},
            {"node", {{"id", id},
                      {"org", org},
                      {"public_key", hex_key()},
                      {"tls_spki_sha256", std::string(64, 'b')},
                      {"peer_address", "127.0.0.1:7002"},
                      {"api_address", "127.0.0.1:8002"}}}};
  }
  // Proposes as reg-a; returns the proposal id.
  std::string propose(const nlohmann::json& body) {
    ledger::Envelope e = f.sign(f.admin("reg-a"), "gov.propose", body);
    auto result = f.run_block({e}).at(0);
    EXPECT_TRUE(result.accepted) << result.reason_code << ": " << result.reason;
    return ledger::record_id(e).value();
  }
  ledger::ExecutionResult approve(const std::string& org, const std::string& id) {
    return f.run(f.admin(org), "gov.approve", {{"proposal_id", id}});
  }
  ContractFixture f;
};

TEST_F(GovernanceTest, OrganisationJoinsOnceEnoughRegulatorsApprove) {
  const std::string id = propose(add_org());
  EXPECT_EQ((*f.state_json("gov/" + id))["status"], "open");
  EXPECT_FALSE(find_org(f.state, f.chain, "pharm-c"));
  EXPECT_TRUE(approve("reg-b", id).accepted);
  EXPECT_EQ((*f.state_json("gov/" + id))["status"], "enacted");
  auto org = find_org(f.state, f.chain, "pharm-c");
  ASSERT_TRUE(org);
  EXPECT_TRUE(org->has_type("pharmacy"));
  EXPECT_EQ(f.index_of("gov/" + id).size(), 2u);
}

TEST_F(GovernanceTest, NewOrganisationsAdminCanRegisterPeople) {
  ledger::KeyPair admin = ledger::ed25519_sha256().generate_keypair().value();
  nlohmann::json body = add_org();
  body["org"]["admin_public_key"] = ledger::to_hex(admin.public_key);
  ASSERT_TRUE(approve("reg-b", propose(body)).accepted);
  testing::Person new_admin{"pharm-c/admin", "pharm-c", admin};
  nlohmann::json reg = {{"user_id", "ph-1"},
                        {"role", "pharmacist"},
                        {"public_key", hex_key()},
                        {"licence_no", "PH-1"},
                        {"valid_from", "2026-01-01"},
                        {"valid_until", "2027-01-01"}};
  EXPECT_TRUE(f.run(new_admin, "identity.register", reg).accepted);
}

TEST_F(GovernanceTest, SecondApprovalFromTheSameOrganisationIsRefused) {
  const std::string id = propose(add_org());
  EXPECT_EQ(approve("reg-a", id).reason_code, "duplicate_approval");
  EXPECT_TRUE(approve("reg-b", id).accepted);
  EXPECT_EQ(approve("reg-c", id).reason_code, "proposal_closed");
}

TEST_F(GovernanceTest, UnknownAndLapsedProposalsAreRefused) {
  EXPECT_EQ(approve("reg-b", std::string(64, 'c')).reason_code, "unknown_proposal");
  const std::string id = propose(add_org());
  f.advance_ms(kProposalLifetimeMs + 1);
  EXPECT_EQ(approve("reg-b", id).reason_code, "proposal_expired");
}

TEST_F(GovernanceTest, OnlyRegulatorAdminsGovern) {
  EXPECT_EQ(f.run(f.admin("hosp-a"), "gov.propose", add_org()).reason_code, "org_not_permitted");
  testing::Person inspector = f.person("reg-a", "insp-1", "inspector");
  EXPECT_EQ(f.run(inspector, "gov.propose", add_org()).reason_code, "role_not_permitted");
}

TEST_F(GovernanceTest, ExistingOrganisationCannotBeAddedAgain) {
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_org("hosp-a")).reason_code, "org_exists");
  // Two proposals for one id: the second to be enacted is refused at enactment.
  const std::string first = propose(add_org("pharm-c"));
  const std::string second = propose(add_org("pharm-c"));
  EXPECT_TRUE(approve("reg-b", first).accepted);
  EXPECT_EQ(approve("reg-b", second).reason_code, "org_exists");
}

TEST_F(GovernanceTest, RemovedOrganisationsKeysSignNothing) {
  testing::Person pharmacist = f.person("pharm-b", "ph-1", "pharmacist");
  const std::string id = propose({{"action", "org.remove"}, {"org_id", "pharm-b"}, {"reason", "closed"}});
  ASSERT_TRUE(approve("reg-c", id).accepted);
  EXPECT_TRUE(find_org(f.state, f.chain, "pharm-b")->removed);
  EXPECT_EQ(f.run(f.admin("pharm-b"), "identity.revoke", {{"user_id", "ph-1"}, {"reason", "x"}}).reason_code,
            "signer_revoked");
  EXPECT_EQ(f.run(pharmacist, "rx.review", nlohmann::json::object()).reason_code, "signer_revoked");
}

TEST_F(GovernanceTest, OrganisationWithNodesOrTheLastRegulatorsStay) {
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose",
                  {{"action", "org.remove"}, {"org_id", "hosp-a"}, {"reason", "x"}}).reason_code,
            "org_has_nodes");
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose",
                  {{"action", "org.remove"}, {"org_id", "nobody"}, {"reason", "x"}}).reason_code,
            "unknown_org");
  ASSERT_TRUE(approve("reg-b", propose({{"action", "org.remove"}, {"org_id", "reg-c"}, {"reason", "x"}})).accepted);
  // Two regulators left and two approvals needed: neither can go.
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose",
                  {{"action", "org.remove"}, {"org_id", "reg-b"}, {"reason", "x"}}).reason_code,
            "quorum_would_break");
}

TEST_F(GovernanceTest, NodeAdditionIsEnactedAndReportedAsANodeChange) {
  const std::string id = propose(add_node());
  BlockExecutor executor(Registry::standard(), f.state, f.chain, {99, f.now_ms()});
  ledger::Envelope e = f.sign(f.admin("reg-b"), "gov.approve", {{"proposal_id", id}});
  auto fields = ledger::parse_payload(e).value();
  ASSERT_TRUE(executor.execute(e, fields, ledger::record_id(e).value(), 100).accepted);
  std::vector<NodeChange> changes = node_changes(executor.writes());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].node.id, "node-2");
  EXPECT_EQ(changes[0].node.org, "hosp-b");
  EXPECT_EQ(changes[0].node.peer_address, "127.0.0.1:7002");
  EXPECT_FALSE(changes[0].removed);
  f.state.apply(executor.take_writes());
  auto signer = find_signer(f.state, f.chain, "hosp-b/node-2");
  ASSERT_TRUE(signer);
  EXPECT_EQ(signer->role, kNodeRole);
}

TEST_F(GovernanceTest, NodeAdditionIsValidatedLikeGenesis) {
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_node("node-1")).reason_code, "node_exists");
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_node("node-2", "nobody")).reason_code, "unknown_org");
  nlohmann::json bad = add_node();
  bad["node"]["public_key"] = "abcd";
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", bad).reason_code, "bad_format");
  bad = add_node();
  bad["node"] = "node-2";
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", bad).reason_code, "wrong_type");
}

TEST_F(GovernanceTest, NodeMayNotShareAMembersAddressOrKey) {
  nlohmann::json same_address = add_node();
  same_address["node"]["api_address"] = "127.0.0.1:1";  // node-1's peer address
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", same_address).reason_code, "address_in_use");
  ASSERT_TRUE(approve("reg-b", propose(add_node("node-2"))).accepted);
  nlohmann::json same_key = add_node("node-3");
  same_key["node"]["peer_address"] = "127.0.0.1:7003";
  same_key["node"]["api_address"] = "127.0.0.1:8003";
  same_key["node"]["public_key"] = (*f.state_json(node_key("node-2")))["public_key"];
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", same_key).reason_code, "key_in_use");
  same_key["node"]["public_key"] = hex_key();
  EXPECT_TRUE(f.run(f.admin("reg-a"), "gov.propose", same_key).accepted);
}

TEST_F(GovernanceTest, NodeCannotTakeAPersonsIdentityId) {
  f.person("hosp-b", "n2", "operator");
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_node("n2", "hosp-b")).reason_code,
            "identity_exists");
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_node("admin", "hosp-b")).reason_code,
            "identity_exists");
}

TEST_F(GovernanceTest, NodeRemovalKeepsTheCheckpointQuorum) {
  // The fixture's only node: its removal would leave no organisation to sign checkpoints.
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose",
                  {{"action", "node.remove"}, {"node_id", "node-1"}, {"reason", "x"}}).reason_code,
            "quorum_would_break");
  ASSERT_TRUE(approve("reg-b", propose(add_node())).accepted);
  const std::string id = propose({{"action", "node.remove"}, {"node_id", "node-1"}, {"reason", "x"}});
  ASSERT_TRUE(approve("reg-b", id).accepted);
  auto node = find_signer(f.state, f.chain, "hosp-a/node-1");
  ASSERT_TRUE(node);
  EXPECT_TRUE(node->revoked_at_ms.has_value());
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose",
                  {{"action", "node.remove"}, {"node_id", "node-1"}, {"reason", "x"}}).reason_code,
            "unknown_node");
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_node("node-1")).reason_code, "node_exists");
}

TEST_F(GovernanceTest, ProposalBodyIsStrict) {
  nlohmann::json body = add_org();
  body["org"]["types"] = {"pharmacy", "casino"};
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", body).reason_code, "bad_format");
  body = add_org();
  body["org_id"] = "x";
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", body).reason_code, "unknown_field");
  body = add_org();
  body["action"] = "org.rename";
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", body).reason_code, "bad_format");
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.approve", {{"proposal_id", "xyz"}}).reason_code, "bad_format");
}

TEST_F(GovernanceTest, StoredValuesKeepTheirViewsFieldNames) {
  const std::string id = propose(add_node());
  auto proposal = f.state_json("gov/" + id);
  ASSERT_TRUE(proposal);
  EXPECT_EQ((*proposal)["action"], "node.add");
  EXPECT_EQ((*proposal)["target"]["id"], "node-2");
  EXPECT_EQ((*proposal)["target"]["org"], "hosp-b");
  EXPECT_TRUE((*proposal)["target"]["name"].is_null());  // an org.add field
  EXPECT_EQ((*proposal)["approvals"], nlohmann::json::array({"reg-a"}));
  EXPECT_TRUE((*proposal)["enacted_height"].is_null());
  ASSERT_TRUE(approve("reg-b", id).accepted);
  proposal = f.state_json("gov/" + id);
  EXPECT_EQ((*proposal)["status"], "enacted");
  EXPECT_TRUE((*proposal)["enacted_height"].is_number_integer());
  auto node = f.state_json(node_key("node-2"));
  ASSERT_TRUE(node);
  EXPECT_EQ((*node)["peer_address"], "127.0.0.1:7002");
  EXPECT_EQ((*node)["tls_spki_sha256"], std::string(64, 'b'));
  EXPECT_EQ((*node)["added_by"], id);
  EXPECT_EQ((*node)["removed"], false);
  EXPECT_EQ((*f.state_json("gov/nodes-added"))["ids"], nlohmann::json::array({"node-2"}));
  std::vector<NodeChange> governed = governed_nodes(f.state, f.chain);
  ASSERT_EQ(governed.size(), 1u);
  EXPECT_EQ(governed[0].node.id, "node-2");
  EXPECT_EQ(governed[0].node.tls_spki_sha256, ledger::hash_from_hex(std::string(64, 'b')).value());

  ASSERT_TRUE(approve("reg-b", propose(add_org())).accepted);
  auto org = f.state_json(org_key("pharm-c"));
  ASSERT_TRUE(org);
  EXPECT_EQ((*org)["name"], "Pharmacy C");
  EXPECT_EQ((*org)["types"], nlohmann::json::array({"pharmacy"}));
  EXPECT_EQ((*f.state_json("gov/orgs-added"))["ids"], nlohmann::json::array({"pharm-c"}));
}

TEST_F(GovernanceTest, ValuesThatDoNotDecodeAreCorruptInRecordsAndSkippedByTheNode) {
  const std::string id(64, 'c');
  f.state.apply({{"gov/" + id, std::string("garbage")}});
  EXPECT_EQ(approve("reg-b", id).reason_code, "corrupt_state");
  ledger::StateWrites writes;
  writes[node_key("node-9")] = std::string("garbage");
  EXPECT_TRUE(node_changes(writes).empty());
  f.state.apply({{"gov/nodes-added", std::string("garbage")}});
  EXPECT_TRUE(governed_nodes(f.state, f.chain).empty());
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", add_node()).reason_code, "corrupt_state");
}

}  // namespace
}  // namespace medtrail::contracts
