#include "contracts/contract_fixture.h"

#include <gtest/gtest.h>

#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/state_json.h"
#include "medtrail/ledger/rfc3339.h"
#include "support/chain_fixture.h"

namespace medtrail::contracts::testing {
namespace {

const ledger::CryptoSuite& suite() { return ledger::ed25519_sha256(); }

ledger::KeyPair new_key() {
  auto key = suite().generate_keypair();
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

}  // namespace

ContractFixture::ContractFixture() {
  ledger::Genesis g;
  g.chain_name = "contracts-test";
  g.created = "2026-01-01T00:00:00Z";
  g.time_zone = "+08:00";
  g.gov_approvals = 2;
  const std::pair<const char*, const char*> orgs[] = {
      {"hosp-a", "hospital"},   {"hosp-b", "hospital"},     {"pharm-a", "pharmacy"},
      {"pharm-b", "pharmacy"},  {"reg-a", "regulator"},     {"reg-b", "regulator"},
      {"reg-c", "regulator"},   {"maker-a", "manufacturer"}, {"cdc-a", "cdc"},
      {"clinic-a", "clinic"},   {"clinic-b", "clinic"},     {"disinf-a", "disinfector"},
      {"rest-a", "restaurant"}, {"insp-a", "inspector"},    {"ship-a", "logistics"},
      {"ins-a", "insurer"}, {"ins-b", "insurer"}};
  for (const auto& [id, type] : orgs) {
    ledger::KeyPair key = new_key();
    g.organisations.push_back({id, std::string(id) + " name", {type}, key.public_key});
    admin_keys_.emplace(id, std::move(key));
  }
  node_key_ = new_key();
  ledger::GenesisNode n;
  n.id = "node-1";
  n.org = "hosp-a";
  n.public_key = node_key_.public_key;
  n.peer_address = "127.0.0.1:1";
  n.api_address = "127.0.0.1:2";
  g.nodes.push_back(n);
  g.checkpoint_quorum = 1;
  auto params = ChainParams::from_genesis(g, medtrail::testing::test_chain_id(ledger::ed25519_sha256()));
  EXPECT_TRUE(params.ok());
  chain = std::move(params).value();
  set_time("2026-11-23T10:00:00+08:00");
}

Person ContractFixture::person(const std::string& org, const std::string& name,
                               const std::string& role, const std::string& valid_from,
                               const std::string& valid_until) {
  return person(org, name, role, {{"valid_from", valid_from}, {"valid_until", valid_until}});
}

Person ContractFixture::person(const std::string& org, const std::string& name,
                               const std::string& role, const nlohmann::json& attributes) {
  Person p{org + "/" + name, org, new_key()};
  nlohmann::json identity = {{"org", org},
                             {"user_id", name},
                             {"role", role},
                             {"public_key", ledger::to_hex(p.key.public_key)},
                             {"licence_no", "LIC-" + name},
                             {"valid_from", "2020-01-01"},
                             {"valid_until", "2099-12-31"}};
  identity.update(attributes);
  put_state_json(identity_key(p.id), identity);
  return p;
}

Person ContractFixture::admin(const std::string& org) const {
  const ledger::KeyPair& key = admin_keys_.at(org);
  return Person{org + "/admin", org, {key.suite, key.public_key, key.secret}};
}

Person ContractFixture::node() const {
  return Person{"hosp-a/node-1", "hosp-a", {node_key_.suite, node_key_.public_key, node_key_.secret}};
}

ledger::Envelope ContractFixture::sign(const Person& who, const std::string& kind,
                                       const nlohmann::json& body) {
  nlohmann::json payload = {{"v", 1},
                            {"kind", kind},
                            {"org", who.org},
                            {"actor", who.id},
                            {"ts", "2026-11-23T02:00:00Z"},
                            {"nonce", "n" + std::to_string(++nonce_)},
                            {"body", body}};
  auto envelope = ledger::sign_envelope(ledger::to_bytes(payload.dump()), who.key);
  EXPECT_TRUE(envelope.ok()) << envelope.status().to_string();
  return std::move(envelope).value();
}

std::vector<ledger::ExecutionResult> ContractFixture::run_block(
    const std::vector<ledger::Envelope>& records) {
  BlockExecutor executor(Registry::standard(), state, chain, {++height_, now_ms_});
  std::vector<ledger::ExecutionResult> results;
  for (const ledger::Envelope& e : records) {
    auto fields = ledger::parse_payload(e);
    if (!fields.ok()) {
      results.push_back(ledger::ExecutionResult::reject(fields.status().code(), fields.status().message()));
      continue;
    }
    // As the node does: the signature must verify under the key the chain knows.
    std::optional<ledger::Bytes> key = executor.signer_key(e.signer);
    if (!key || !ledger::verify_envelope_signature(e, *key).ok()) {
      results.push_back(ledger::ExecutionResult::reject("unknown_signer", "no key verifies"));
      continue;
    }
    results.push_back(executor.execute(e, *fields, ledger::record_id(e).value(), next_leaf_++));
  }
  state.apply(executor.take_writes());
  return results;
}

ledger::ExecutionResult ContractFixture::run(const Person& who, const std::string& kind,
                                             const nlohmann::json& body) {
  return run_block({sign(who, kind, body)}).at(0);
}

void ContractFixture::set_time(const std::string& rfc3339) {
  auto ms = ledger::rfc3339_to_unix_ms(rfc3339);
  EXPECT_TRUE(ms.has_value()) << rfc3339;
  now_ms_ = ms.value_or(0);
}

std::optional<nlohmann::json> ContractFixture::state_json(const std::string& key) const {
  auto raw = state.get(key);
  if (!raw) return std::nullopt;
  std::optional<nlohmann::json> view = state_value_json(key, *raw);
  EXPECT_TRUE(view.has_value()) << key << " does not decode";
  return view;
}

void ContractFixture::put_state_json(const std::string& key, const nlohmann::json& view) {
  std::optional<std::string> bytes = state_value_from_json(key, view);
  ASSERT_TRUE(bytes.has_value()) << key << ": not a value of its family: " << view.dump();
  state.apply({{key, *bytes}});
}

std::vector<uint64_t> ContractFixture::index_of(const std::string& subject) const {
  std::vector<uint64_t> out;
  const std::string prefix = index_prefix(subject);
  for (const std::string& key : state.keys_with_prefix(prefix)) {
    if (key.size() == prefix.size() + 8) {
      out.push_back(ledger::read_be64(reinterpret_cast<const uint8_t*>(key.data() + prefix.size())));
    }
  }
  return out;
}

}  // namespace medtrail::contracts::testing
