// Signed, recorded reads (docs/api-auth.md) against a real single-node stack: every refusal at
// the door with its status and code, and every answered read committed — signed by the reader —
// before the answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/signed_query.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

class RecordedReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stack_.wait_for_leader());
    auditor_ = stack_.register_person("reg-c", "zhao", "auditor");
    ledger::Envelope e = stack_.envelope(1);
    ASSERT_EQ(stack_.commit(e).state, RecordState::kCommitted);
    record_id_ = ledger::record_id(e).value();
    target_ = "/v1/records/" + record_id_;
  }

  static json body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string code(const HttpResponse& r) {
    json b = body(r);
    return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
  }
  HttpResponse get_as(const std::string& target, const std::string& authorization) {
    return client_.get(target, {{"Authorization", authorization}});
  }
  // The leaf a record id is at on the stack's chain, if any.
  std::optional<ledger::LeafRecord> leaf_of(const std::string& id) {
    auto hash = ledger::hash_from_hex(id);
    if (!hash.ok()) return std::nullopt;
    auto index = stack_.store().find_record(*hash);
    if (!index.ok()) return std::nullopt;
    auto leaf = stack_.store().leaf_at(*index);
    if (!leaf.ok()) return std::nullopt;
    return *leaf;
  }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  Person auditor_;
  std::string record_id_;
  std::string target_;
};

TEST_F(RecordedReadsTest, AnAcceptedReadIsCommittedAndSignedByTheReaderBeforeTheAnswer) {
  const std::string authorization = stack_.authorization(auditor_, target_);
  HttpResponse r = get_as(target_, authorization);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["id"], record_id_);
  const std::string receipt = r.header("medtrail-receipt");
  ASSERT_EQ(receipt.size(), 64u);
  // On the chain by the time the answer arrived, as the reader signed it.
  std::optional<ledger::LeafRecord> leaf = leaf_of(receipt);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_TRUE(leaf->result.accepted);
  EXPECT_EQ(leaf->envelope.signer, auditor_.id);
  EXPECT_EQ(leaf->envelope, ledger::envelope_from_authorization(authorization).value());
  auto fields = ledger::parse_payload(leaf->envelope);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->kind, "access.query");
}

TEST_F(RecordedReadsTest, EachReadCommitsExactlyOneRecord) {
  const uint64_t before = stack_.store().tree_size();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(get_as(target_, stack_.authorization(auditor_, target_)).status, 200);
  EXPECT_EQ(stack_.store().tree_size(), before + 3);
}

TEST_F(RecordedReadsTest, AReadRefusedByPolicyIsRecordedAndNamesItsRecord) {
  Person doctor = stack_.register_person("hosp-a", "dr-li", "doctor");
  const uint64_t before = stack_.store().tree_size();
  HttpResponse r = get_as(target_, stack_.authorization(doctor, target_, "treatment"));
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(code(r), "query_not_permitted");
  EXPECT_FALSE(body(r).contains("envelope"));
  const std::string receipt = r.header("medtrail-receipt");
  EXPECT_EQ(body(r)["error"]["receipt"], receipt);
  std::optional<ledger::LeafRecord> leaf = leaf_of(receipt);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_FALSE(leaf->result.accepted);
  EXPECT_EQ(leaf->result.reason_code, "query_not_permitted");
  EXPECT_EQ(leaf->envelope.signer, doctor.id);
  EXPECT_EQ(stack_.store().tree_size(), before + 1);
}

TEST_F(RecordedReadsTest, RefusalsAtTheDoorCarryTheirStatusAndCodeAndRecordNothing) {
  Person revoked = stack_.register_person("reg-c", "qian", "auditor");
  stack_.revoke_person(revoked);
  Person expired = stack_.register_person("reg-c", "sun", "auditor", "2020-01-01", "2021-12-31");
  Person not_yet = stack_.register_person("reg-c", "zhou", "auditor", "2090-01-01", "2099-12-31");
  ledger::KeyPair stranger_key = ledger::ed25519_sha256().generate_keypair().value();
  Person stranger{"reg-c/nobody", stranger_key};
  Person impostor{auditor_.id, stranger_key};  // the auditor's name, another key
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string other_record = "/v1/records/" + std::string(64, 'e');
  ledger::Hash other_chain{};
  other_chain[0] = 1;

  struct Case {
    const char* label;
    std::string authorization;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"missing", "", 401, "auth_required"},
      {"another scheme", "Bearer abc", 401, "auth_scheme"},
      {"not base64", "Medtrail !!!", 401, "bad_auth"},
      {"not an envelope", "Medtrail " + ledger::to_base64(ledger::to_bytes(std::string("{}"))), 401, "bad_auth"},
      {"stale", stack_.authorization(auditor_, target_, "audit", now - 6 * 60 * 1000), 401, "stale_request"},
      {"from the future", stack_.authorization(auditor_, target_, "audit", now + 6 * 60 * 1000), 401,
       "stale_request"},
      {"another chain", stack_.authorization(auditor_, target_, "audit", {}, "GET", "", other_chain), 401,
       "wrong_chain"},
      {"another node", stack_.authorization(auditor_, target_, "audit", {}, "GET", "", {}, "n2"), 401, "wrong_node"},
      {"another target", stack_.authorization(auditor_, other_record), 401, "wrong_request"},
      {"another method", stack_.authorization(auditor_, target_, "audit", {}, "POST"), 401, "wrong_request"},
      {"another body", stack_.authorization(auditor_, target_, "audit", {}, "GET", "x"), 401, "wrong_body"},
      {"unknown signer", stack_.authorization(stranger, target_), 401, "unknown_signer"},
      {"wrong key", stack_.authorization(impostor, target_), 401, "signature_mismatch"},
      {"revoked", stack_.authorization(revoked, target_), 403, "signer_revoked"},
      {"expired", stack_.authorization(expired, target_), 403, "signer_expired"},
      {"not yet valid", stack_.authorization(not_yet, target_), 403, "signer_not_yet_valid"},
  };
  const uint64_t before = stack_.store().tree_size();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    HttpResponse r = c.authorization.empty() ? client_.get(target_) : get_as(target_, c.authorization);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(code(r), c.code) << r.body;
    EXPECT_FALSE(body(r).contains("envelope"));
    if (c.status == 401) {
      EXPECT_EQ(r.header("www-authenticate"), "Medtrail");
    }
  }
  EXPECT_EQ(stack_.store().tree_size(), before);
}

// Wrong role: a person the chain knows, in good standing, whose role may not read whole records —
// refused by the contract, so on the chain. An operator of the regulator's own organisation is
// no inspector or auditor (AReadRefusedByPolicyIsRecordedAndNamesItsRecord has a hospital's doctor).
TEST_F(RecordedReadsTest, AWrongRoleIsRefusedOnTheChain) {
  Person operator_ = stack_.register_person("reg-c", "op-li", "operator");
  HttpResponse r = get_as(target_, stack_.authorization(operator_, target_));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(code(r), "query_not_permitted");
  EXPECT_FALSE(r.header("medtrail-receipt").empty());
}

TEST_F(RecordedReadsTest, AQueryIsAnsweredOnceOnly) {
  const std::string authorization = stack_.authorization(auditor_, target_);
  ASSERT_EQ(get_as(target_, authorization).status, 200);
  HttpResponse again = get_as(target_, authorization);
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(code(again), "replayed_request");
}

TEST_F(RecordedReadsTest, ConcurrentCopiesOfOneQueryAreAnsweredOnce) {
  const std::string authorization = stack_.authorization(auditor_, target_);
  std::vector<int> statuses(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(stack_.port());
      statuses[i] = client.get(target_, {{"Authorization", authorization}}).status;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401), 3);
}

TEST_F(RecordedReadsTest, ABlockShowsItsHeaderToAnyoneAndItsRecordIdsToAMember) {
  HttpResponse anonymous = client_.get("/v1/blocks/1");
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_TRUE(body(anonymous).contains("tree_root"));
  EXPECT_FALSE(body(anonymous).contains("record_ids"));

  Person pharmacist = stack_.register_person("hosp-a", "ph-wu", "pharmacist");
  HttpResponse member = get_as("/v1/blocks/1", stack_.authorization(pharmacist, "/v1/blocks/1"));
  ASSERT_EQ(member.status, 200) << member.body;
  EXPECT_EQ(body(member)["record_ids"].size(), body(member)["leaf_count"].get<size_t>());
  EXPECT_FALSE(member.header("medtrail-receipt").empty());

  // Credentials that fail are refused, not quietly downgraded to the public view.
  HttpResponse bad = get_as("/v1/blocks/1", "Medtrail nope");
  EXPECT_EQ(bad.status, 401);
}

TEST_F(RecordedReadsTest, AMalformedRecordIdIsRefusedBeforeAnythingIsRecorded) {
  const uint64_t before = stack_.store().tree_size();
  HttpResponse r = get_as("/v1/records/xyz", stack_.authorization(auditor_, "/v1/records/xyz"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code(r), "bad_record_id");
  EXPECT_EQ(stack_.store().tree_size(), before);
}

}  // namespace
}  // namespace medtrail::node::api::testing
