// Determinism: the same records give byte-identical state on every replica; records that do not
// depend on each other give the same state in any order and any block split; records that do
// depend on each other do not (so the comparison can fail).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "contracts/contract_fixture.h"
#include "contracts/sample_bodies.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_map_memory.h"
#include "medtrail/ledger/thread_pool.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::MemoryState;
using testing::Person;

const std::string kDrug = "86979474000084";
const std::string kDrug2 = "N02BE01";
const std::string kGtin = "06901234567892";

// One node: its own copy of the committed state, running blocks as the node (and the fixture)
// does: parse, verify the signature under the key the chain knows, execute, commit. With a
// runner, each block's records are first run speculatively on its threads (as the node does).
class Replica {
 public:
  Replica(MemoryState state, const ChainParams& chain, ledger::ParallelRunner* runner = nullptr)
      : state_(std::move(state)), chain_(&chain), runner_(runner) {}

  std::vector<ledger::ExecutionResult> run_block(const std::vector<ledger::Envelope>& records,
                                                 int64_t time_ms) {
    BlockExecutor executor(Registry::standard(), state_, *chain_, {++height_, time_ms});
    if (runner_ != nullptr) speculate(executor, records);
    std::vector<ledger::ExecutionResult> results;
    for (const ledger::Envelope& e : records) {
      auto fields = ledger::parse_payload(e);
      std::optional<ledger::Bytes> key = executor.signer_key(e.signer);
      if (!fields.ok() || !key || !ledger::verify_envelope_signature(e, *key).ok()) {
        results.push_back(ledger::ExecutionResult::reject("unknown_signer", "no key verifies"));
        continue;
      }
      results.push_back(executor.execute(e, *fields, ledger::record_id(e).value(), next_leaf_++));
    }
    state_.apply(executor.take_writes());
    speculations_kept_ += executor.speculations_kept();
    return results;
  }

  const MemoryState& state() const { return state_; }
  size_t speculations_kept() const { return speculations_kept_; }

  // The state root a block header commits to (the state map's); without the index (entries
  // and trail heads, which name leaves) when told.
  std::string digest(bool with_index = true) const {
    const ledger::CryptoSuite& suite = *ledger::find_suite(chain_->genesis.suite);
    std::vector<ledger::StateMapChange> entries;
    for (const auto& [key, value] : state_.entries()) {
      if (with_index || !(key.starts_with("ix/") || key.starts_with("ixh/"))) {
        entries.push_back({ledger::state_key_hash(suite, ledger::as_bytes(key)),
                           ledger::state_value_hash(suite, ledger::as_bytes(value))});
      }
    }
    ledger::StateMapMemoryNodes nodes;
    auto map = ledger::StateMap(suite, nodes).update(std::nullopt, 1, std::move(entries));
    return map.ok() ? ledger::to_hex(map->root) : map.status().to_string();
  }

  // Index entries per subject, leaf indexes left out: what any order must agree on.
  std::map<std::string, int> index_counts() const {
    std::map<std::string, int> out;
    for (const std::string& key : state_.keys_with_prefix("ix/"))
      ++out[key.substr(0, key.find('\0'))];
    return out;
  }

 private:
  void speculate(BlockExecutor& executor, const std::vector<ledger::Envelope>& records) {
    std::vector<ledger::PayloadFields> fields;
    std::vector<std::string> ids;
    fields.reserve(records.size());
    ids.reserve(records.size());
    std::vector<BlockExecutor::PendingRecord> pending;
    for (const ledger::Envelope& e : records) {
      auto parsed = ledger::parse_payload(e);
      if (!parsed.ok()) continue;
      fields.push_back(std::move(*parsed));
      ids.push_back(ledger::record_id(e).value());
      pending.push_back({&e, &fields.back(), ids.back()});
    }
    executor.speculate(pending, *runner_);
  }

  MemoryState state_;
  const ChainParams* chain_;
  ledger::ParallelRunner* runner_;
  uint64_t height_ = 0;
  uint64_t next_leaf_ = 0;
  size_t speculations_kept_ = 0;
};

struct Block {
  int64_t time_ms;
  std::vector<ledger::Envelope> records;
};

// The same modulo pick on every standard library (std::uniform_int_distribution is not).
size_t pick(std::mt19937_64& rng, size_t n) { return static_cast<size_t>(rng() % n); }

// `records` cut into blocks at random points.
std::vector<std::vector<ledger::Envelope>> split(const std::vector<ledger::Envelope>& records,
                                                 std::mt19937_64& rng) {
  std::vector<std::vector<ledger::Envelope>> blocks(1);
  for (const ledger::Envelope& e : records) {
    if (!blocks.back().empty() && pick(rng, 3) == 0) blocks.emplace_back();
    blocks.back().push_back(e);
  }
  return blocks;
}

json rx_item(const std::string& code, int64_t quantity) {
  return {{"drug_code", code},    {"name", "Amoxicillin capsules"},
          {"strength", "0.25 g"}, {"quantity", quantity},
          {"unit", "capsule"},    {"dosage", "2 capsules three times a day"},
          {"days_supply", 5}};
}

json rx_issue(const std::string& patient, std::vector<json> items) {
  return {{"patient_ref", patient},
          {"type", "normal"},
          {"channel", "offline"},
          {"diagnosis_code", "J06.9"},
          {"items", std::move(items)}};
}

// A distinct patient_ref per n < 16.
std::string patient(int n) { return std::string(63, 'a') + "0123456789abcdef"[n % 16]; }

std::string hex_key() {
  return ledger::to_hex(ledger::ed25519_sha256().generate_keypair().value().public_key);
}

std::string gs1(const std::string& serial) {
  return "(01)" + kGtin + "(17)281231(10)L2026A(21)" + serial;
}

json lot_body() {
  return {{"product_code", kGtin}, {"product_name", "Hepatitis B vaccine 10ug"},
          {"lot", "L2026A"},       {"expiry", "2028-12-31"},
          {"dose_count", 100},     {"storage_min_c", "2.0"},
          {"storage_max_c", "8.0"}};
}

json read_body(const std::string& patient_ref, const std::string& purpose,
               const std::string& org = "hosp-a") {
  return {{"patient_ref", patient_ref},
          {"actor", "hosp-a/dr-wang"},
          {"org", org},
          {"purpose", purpose},
          {"resources", {"MedicationRequest/rx-7"}},
          {"outcome", "success"}};
}

class DeterminismTest : public ::testing::Test {
 protected:
  // People written straight into the state: every replica starts from this copy.
  DeterminismTest()
      : doctor(f.person("hosp-a", "dr-wang", "doctor")),
        pharmacist(f.person("pharm-a", "ph-zhao", "pharmacist")),
        pharmacist_b(f.person("pharm-b", "ph-qian", "pharmacist")),
        maker(f.person("maker-a", "op-chen", "operator")),
        inspector(f.person("reg-a", "insp-liu", "inspector")),
        nurse(f.person("clinic-a", "nurse-he", "vaccinator")),
        clinic_op(f.person("clinic-a", "op-ma", "operator")),
        cdc_op(f.person("cdc-a", "op-sun", "operator")),
        unit_op(f.person("disinf-a", "op-chen", "operator")) {}

  ledger::Envelope sign(const Person& who, const std::string& kind, const json& body) {
    return f.sign(who, kind, body);
  }
  static std::string id(const ledger::Envelope& e) { return ledger::record_id(e).value(); }
  int64_t at(const std::string& rfc3339) {
    f.set_time(rfc3339);
    return f.now_ms();
  }

  // Runs blocks; every record's result, in order.
  static std::vector<ledger::ExecutionResult> run(Replica& r, const std::vector<Block>& blocks) {
    std::vector<ledger::ExecutionResult> out;
    for (const Block& b : blocks) {
      for (auto& result : r.run_block(b.records, b.time_ms)) out.push_back(std::move(result));
    }
    return out;
  }

  ContractFixture f;
  Person doctor, pharmacist, pharmacist_b, maker, inspector, nurse, clinic_op, cdc_op, unit_op;
};

// Every family, accepted and refused records, a registration used in the next block, a refused
// receipt whose writes stand, governance enacted at a height: all through two replicas and the
// fixture itself.
TEST_F(DeterminismTest, SameRecordsGiveByteIdenticalStateOnEveryReplica) {
  const MemoryState genesis = f.state;
  const ledger::KeyPair li_key = ledger::ed25519_sha256().generate_keypair().value();
  const Person dr_li{"hosp-a/dr-li", "hosp-a", li_key};
  std::vector<Block> blocks;

  const ledger::Envelope rx1 =
      sign(doctor, "rx.issue", rx_issue(patient(1), {rx_item(kDrug, 20), rx_item(kDrug2, 10)}));
  const ledger::Envelope rx2 = sign(doctor, "rx.issue", rx_issue(patient(2), {rx_item(kDrug, 5)}));
  const ledger::Envelope emergency =
      sign(f.node(), "access.read", read_body(patient(3), "emergency"));
  const ledger::Envelope proposal = sign(f.admin("reg-a"), "gov.propose",
                                         {{"action", "org.add"},
                                          {"reason", "new member"},
                                          {"org",
                                           {{"id", "pharm-c"},
                                            {"name", "Pharmacy C"},
                                            {"types", {"pharmacy"}},
                                            {"admin_public_key", hex_key()}}}});
  blocks.push_back({at("2026-11-23T10:00:00+08:00"),
                    {sign(f.admin("hosp-a"), "identity.register",
                          {{"user_id", "dr-li"},
                           {"role", "doctor"},
                           {"public_key", ledger::to_hex(li_key.public_key)},
                           {"licence_no", "LIC-1"},
                           {"valid_from", "2026-01-01"},
                           {"valid_until", "2026-12-31"}}),
                     rx1, rx2, rx1,  // the very same record again: already_issued
                     sign(maker, "vaccine.lot.register", lot_body()),
                     sign(unit_op, "tableware.batch", testing::tableware_batch_body("TW-1")),
                     emergency, proposal,
                     sign(pharmacist, "rx.review",
                          {{"rx_id", std::string(64, 'c')}, {"decision", "approved"}})}});

  std::vector<std::string> codes;
  for (int i = 1; i <= 4; ++i) codes.push_back(gs1("SN" + std::to_string(i)));
  blocks.push_back({at("2026-11-23T11:00:00+08:00"),
                    {sign(pharmacist, "rx.review", {{"rx_id", id(rx1)}, {"decision", "approved"}}),
                     sign(pharmacist, "rx.review",
                          {{"rx_id", id(rx2)}, {"decision", "rejected"}, {"note", "dose"}}),
                     sign(inspector, "vaccine.lot.release",
                          {{"product_code", kGtin},
                           {"lot", "L2026A"},
                           {"decision", "released"},
                           {"certificate_no", "SJ1"}}),
                     sign(maker, "vaccine.codes.add",
                          {{"product_code", kGtin}, {"lot", "L2026A"}, {"codes", codes}}),
                     sign(unit_op, "tableware.ship",
                          {{"batch_code", "TW-1"}, {"to_org", "rest-a"}, {"quantity", 100}}),
                     sign(f.admin("reg-b"), "gov.approve", {{"proposal_id", id(proposal)}}),
                     sign(doctor, "access.justify",
                          {{"event_id", id(emergency)}, {"justification", "ER admission"}}),
                     sign(dr_li, "rx.issue", rx_issue(patient(4), {rx_item(kDrug, 1)}))}});

  blocks.push_back(
      {at("2026-11-23T12:00:00+08:00"),
       {sign(pharmacist, "rx.dispense",
             {{"rx_id", id(rx1)}, {"items", {{{"drug_code", kDrug}, {"quantity", 15}}}}}),
        sign(pharmacist_b, "rx.dispense",
             {{"rx_id", id(rx1)},
              {"items",
               {{{"drug_code", kDrug}, {"quantity", 5}},
                {{"drug_code", kDrug2}, {"quantity", 10}}}}}),
        sign(maker, "vaccine.ship",
             {{"shipment_id", "SHIP-1"}, {"to_org", "cdc-a"}, {"codes", {codes[0], codes[1]}}}),
        sign(inspector, "tableware.inspect", {{"batch_code", "TW-1"}, {"action", "hold"}}),
        sign(f.admin("hosp-a"), "identity.revoke", {{"user_id", "dr-li"}, {"reason", "left"}})}});

  blocks.push_back(
      {at("2026-11-24T09:00:00+08:00"),
       {sign(pharmacist_b, "rx.deliver", {{"rx_id", id(rx1)}, {"method", "pickup"}}),
        sign(cdc_op, "vaccine.receive", {{"shipment_id", "SHIP-1"}}),  // no cold chain: refused
        sign(maker, "vaccine.quarantine", {{"codes", {codes[2]}}, {"reason", "packaging"}}),
        sign(unit_op, "tableware.recall", {{"batch_code", "TW-1"}, {"reason", "coliforms"}}),
        sign(doctor, "rx.cancel", {{"rx_id", id(rx2)}, {"reason", "rejected by pharmacy"}}),
        sign(dr_li, "rx.issue", rx_issue(patient(5), {rx_item(kDrug, 1)}))}});

  Replica a(genesis, f.chain);
  Replica b(genesis, f.chain);
  ledger::ThreadPool pool(3);
  Replica speculative(genesis, f.chain, &pool);
  const auto results_a = run(a, blocks);
  const auto results_b = run(b, blocks);
  const auto results_speculative = run(speculative, blocks);
  std::vector<ledger::ExecutionResult> results_f;
  for (const Block& block : blocks) {
    f.advance_ms(block.time_ms - f.now_ms());
    for (auto& r : f.run_block(block.records)) results_f.push_back(std::move(r));
  }

  EXPECT_EQ(results_a, results_b);
  EXPECT_EQ(results_a, results_f);
  EXPECT_EQ(results_a, results_speculative);
  EXPECT_TRUE(a.state().entries() == b.state().entries());
  EXPECT_TRUE(a.state().entries() == speculative.state().entries());
  // Most records read nothing an earlier record of their block wrote; the rest (the second
  // dispense of rx1, the duplicate rx1, the review of a prescription issued in the block, ...)
  // ran again. Both paths were taken.
  EXPECT_GT(speculative.speculations_kept(), 15u);
  EXPECT_LT(speculative.speculations_kept(), results_a.size());
  EXPECT_TRUE(a.state().entries() == f.state.entries());
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_NE(a.digest(), Replica(genesis, f.chain).digest());

  // The scenario did what it says, so the comparison covers every family and both outcomes.
  int accepted = 0;
  std::map<std::string, int> refused;
  for (const auto& r : results_a) r.accepted ? ++accepted : ++refused[r.reason_code];
  EXPECT_EQ(accepted, 24);
  EXPECT_EQ(refused, (std::map<std::string, int>{{"already_issued", 1},
                                                 {"unknown_prescription", 1},
                                                 {"cold_chain_breach", 1},
                                                 {"signer_revoked", 1}}));
}

// Records about different prescriptions, batches, doses, patients and people: no one reads
// what another writes, so any order and any block split must leave the same state, apart from
// the leaf index embedded in index keys.
TEST_F(DeterminismTest, IndependentRecordsGiveTheSameStateInAnyOrderAndAnyBlockSplit) {
  constexpr int kEach = 5;
  constexpr int kShuffles = 12;
  constexpr uint64_t kSeed = 20261123;
  const int64_t now = f.now_ms();

  // Setup, in one fixed order: approved prescriptions, doses in stock at clinic-a.
  std::vector<ledger::Envelope> setup;
  std::vector<std::string> rx_ids;
  for (int i = 0; i < kEach; ++i) {
    setup.push_back(sign(doctor, "rx.issue", rx_issue(patient(i), {rx_item(kDrug, 10 + i)})));
    rx_ids.push_back(id(setup.back()));
    setup.push_back(
        sign(pharmacist, "rx.review", {{"rx_id", rx_ids.back()}, {"decision", "approved"}}));
  }
  std::vector<std::string> codes;
  for (int i = 1; i <= kEach; ++i) codes.push_back(gs1("SN" + std::to_string(i)));
  setup.push_back(sign(maker, "vaccine.lot.register", lot_body()));
  setup.push_back(sign(inspector, "vaccine.lot.release",
                       {{"product_code", kGtin},
                        {"lot", "L2026A"},
                        {"decision", "released"},
                        {"certificate_no", "SJ1"}}));
  setup.push_back(sign(maker, "vaccine.codes.add",
                       {{"product_code", kGtin}, {"lot", "L2026A"}, {"codes", codes}}));
  const json cold_chain = {
      {"log_hash", std::string(64, 'b')}, {"min_c", "2.5"}, {"max_c", "7.5"}, {"compliant", true}};
  setup.push_back(sign(maker, "vaccine.ship",
                       {{"shipment_id", "SHIP-C"}, {"to_org", "cdc-a"}, {"codes", codes}}));
  setup.push_back(
      sign(cdc_op, "vaccine.receive", {{"shipment_id", "SHIP-C"}, {"cold_chain", cold_chain}}));
  setup.push_back(sign(cdc_op, "vaccine.ship",
                       {{"shipment_id", "SHIP-1"}, {"to_org", "clinic-a"}, {"codes", codes}}));
  setup.push_back(
      sign(clinic_op, "vaccine.receive", {{"shipment_id", "SHIP-1"}, {"cold_chain", cold_chain}}));
  Replica prepared(f.state, f.chain);
  for (const auto& r : prepared.run_block(setup, now))
    ASSERT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;

  std::vector<ledger::Envelope> independent;
  for (int i = 0; i < kEach; ++i) {
    const Person& who = i % 2 == 0 ? pharmacist : pharmacist_b;
    independent.push_back(
        sign(who, "rx.dispense",
             {{"rx_id", rx_ids[i]}, {"items", {{{"drug_code", kDrug}, {"quantity", 10 + i}}}}}));
    independent.push_back(
        sign(unit_op, "tableware.batch", testing::tableware_batch_body("TW-" + std::to_string(i))));
    independent.push_back(sign(i % 2 == 0 ? f.node() : doctor, "access.read",
                               read_body(patient(8 + i), i % 2 == 0 ? "emergency" : "treatment")));
    independent.push_back(
        sign(nurse, "vaccine.administer",
             {{"code", codes[i]}, {"patient_ref", patient(i)}, {"dose_number", 1}}));
    independent.push_back(sign(f.admin("clinic-b"), "identity.register",
                               {{"user_id", "nurse-" + std::to_string(i)},
                                {"role", "vaccinator"},
                                {"public_key", hex_key()},
                                {"licence_no", "LIC-" + std::to_string(i)},
                                {"valid_from", "2026-01-01"},
                                {"valid_until", "2026-12-31"}}));
  }
  // Refused records are independent too, and index their subjects all the same.
  independent.push_back(sign(
      pharmacist, "rx.dispense",
      {{"rx_id", std::string(64, 'c')}, {"items", {{{"drug_code", kDrug}, {"quantity", 1}}}}}));
  independent.push_back(sign(doctor, "access.read", read_body(patient(15), "treatment", "hosp-b")));

  Replica reference = prepared;
  const auto reference_results = reference.run_block(independent, now);
  std::map<std::string, ledger::ExecutionResult> by_record;
  for (size_t i = 0; i < independent.size(); ++i)
    by_record[id(independent[i])] = reference_results[i];
  int accepted = 0;
  for (const auto& r : reference_results) accepted += r.accepted ? 1 : 0;
  ASSERT_EQ(accepted, static_cast<int>(independent.size()) - 2);

  std::mt19937_64 rng(kSeed);
  for (int s = 0; s < kShuffles; ++s) {
    SCOPED_TRACE("shuffle " + std::to_string(s) + " of seed " + std::to_string(kSeed));
    std::vector<ledger::Envelope> order = independent;
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[pick(rng, i + 1)]);

    // The shuffled order in one block and in a random split: the same state, index keys too.
    Replica one_block = prepared;
    const auto results = one_block.run_block(order, now);
    Replica split_blocks = prepared;
    for (const auto& block : split(order, rng)) split_blocks.run_block(block, now);
    EXPECT_TRUE(one_block.state().entries() == split_blocks.state().entries());
    EXPECT_EQ(one_block.digest(), split_blocks.digest());

    // Against the reference order: the same results and state; index keys differ only by leaf.
    for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(results[i], by_record[id(order[i])]) << i;
    EXPECT_EQ(one_block.digest(/*with_index=*/false), reference.digest(/*with_index=*/false));
    EXPECT_EQ(one_block.index_counts(), reference.index_counts());
  }
}

// Two dispenses of one prescription that together exceed it: whichever comes first wins, so the
// order shows in the results and in the state.
TEST_F(DeterminismTest, DependentRecordsInDifferentOrdersGiveDifferentStates) {
  const int64_t now = f.now_ms();
  const ledger::Envelope issue =
      sign(doctor, "rx.issue", rx_issue(patient(1), {rx_item(kDrug, 20)}));
  Replica prepared(f.state, f.chain);
  prepared.run_block(
      {issue, sign(pharmacist, "rx.review", {{"rx_id", id(issue)}, {"decision", "approved"}})},
      now);

  auto dispense = [&](const Person& who) {
    return sign(who, "rx.dispense",
                {{"rx_id", id(issue)}, {"items", {{{"drug_code", kDrug}, {"quantity", 15}}}}});
  };
  const ledger::Envelope a = dispense(pharmacist);
  const ledger::Envelope b = dispense(pharmacist_b);
  Replica ab = prepared;
  Replica ba = prepared;
  const auto results_ab = ab.run_block({a, b}, now);
  const auto results_ba = ba.run_block({b, a}, now);

  EXPECT_TRUE(results_ab[0].accepted);
  EXPECT_EQ(results_ab[1].reason_code, "quantity_exceeded");
  EXPECT_TRUE(results_ba[0].accepted);
  EXPECT_EQ(results_ba[1].reason_code, "quantity_exceeded");
  EXPECT_NE(ab.digest(/*with_index=*/false), ba.digest(/*with_index=*/false));
  EXPECT_EQ(ab.index_counts(), ba.index_counts());
}

// The pharmacy race inside one block, with every record first run speculatively against the
// block's starting state (where the prescription does not exist yet): each record that read
// what an earlier one wrote runs again, so the verdicts are those of running them in order.
TEST_F(DeterminismTest, SpeculativeRunsGiveTheResultsOfRunningInOrder) {
  const int64_t now = f.now_ms();
  const ledger::Envelope issue =
      sign(doctor, "rx.issue", rx_issue(patient(1), {rx_item(kDrug, 20)}));
  auto dispense = [&](const Person& who) {
    return sign(who, "rx.dispense",
                {{"rx_id", id(issue)}, {"items", {{{"drug_code", kDrug}, {"quantity", 15}}}}});
  };
  const std::vector<ledger::Envelope> block = {
      issue, sign(pharmacist, "rx.review", {{"rx_id", id(issue)}, {"decision", "approved"}}),
      dispense(pharmacist), dispense(pharmacist_b),
      sign(doctor, "access.read", read_body(patient(2), "treatment"))};

  ledger::ThreadPool pool(2);
  Replica serial(f.state, f.chain);
  Replica speculative(f.state, f.chain, &pool);
  const auto expected = serial.run_block(block, now);
  const auto results = speculative.run_block(block, now);

  EXPECT_EQ(results, expected);
  EXPECT_TRUE(results[1].accepted);
  EXPECT_TRUE(results[2].accepted);
  EXPECT_EQ(results[3].reason_code, "quantity_exceeded");
  EXPECT_TRUE(speculative.state().entries() == serial.state().entries());
  // The issue and the unrelated read stood; review and both dispenses read rx/<id> and ran again.
  EXPECT_EQ(speculative.speculations_kept(), 2u);
}

}  // namespace
}  // namespace medtrail::contracts
