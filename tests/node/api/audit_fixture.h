#pragma once
// What the audit API tests share (trails and searches): a regulator's auditor and a disinf-d
// operator on an ApiStack, tableware batches to fill trails with (refused when out of date), and
// a reader that follows every page of a listing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/rfc3339.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AuditFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stack_.wait_for_leader());
    auditor_ = stack_.register_person("reg-c", "zhao", "auditor");
    operator_ = stack_.register_person("disinf-d", "op-tang", "operator");
  }
  // The signed record of a tableware batch (on org/disinf-d's trail); `passed` false: refused.
  ledger::Envelope batch_record(int n, bool passed = true) {
    nlohmann::json body = {
        {"batch_code", "TC-" + std::to_string(n)},
        {"licence_no", "XA-XD-2025-0193"},
        {"line", "L2"},
        {"disinfected_at", ledger::unix_ms_to_rfc3339(now_ms() - 3600000)},
        {"use_by", ledger::unix_ms_to_rfc3339(passed ? now_ms() + 86400000 : now_ms() - 7200000)},
        {"method", "chemical"},
        {"quantity", 10},
        {"results",
         {{"sensory", "pass"}, {"free_residual_chlorine", "0.010"}, {"anionic_detergent", "not_detected"},
          {"coliforms", "not_detected"}, {"salmonella", "not_detected"}}}};
    nlohmann::json payload = {{"v", 1},
                              {"kind", "tableware.batch"},
                              {"org", "disinf-d"},
                              {"actor", operator_.id},
                              {"ts", ledger::unix_ms_to_rfc3339(now_ms())},
                              {"nonce", "b-" + std::to_string(n)},
                              {"body", body}};
    return ledger::sign_envelope(ledger::to_bytes(payload.dump()), operator_.key).value();
  }
  RecordStatus batch(int n, bool passed = true) { return stack_.commit(batch_record(n, passed)); }
  medtrail::testing::HttpResponse get(medtrail::testing::HttpClient& client, const Person& who,
                                      const std::string& target) {
    return client.get(target, {{"Authorization", stack_.authorization(who, target)}});
  }
  // Follows every page of `base` as `who` (the regulator's auditor by default); the rows in order.
  std::vector<nlohmann::json> all_rows(medtrail::testing::HttpClient& client, const std::string& base,
                                       size_t* pages = nullptr, const Person* who = nullptr) {
    std::vector<nlohmann::json> rows;
    std::string after;
    for (size_t n = 0;; ++n) {
      medtrail::testing::HttpResponse r =
          get(client, who ? *who : auditor_, base + (after.empty() ? "" : "&after=" + after));
      EXPECT_EQ(r.status, 200) << r.body;
      nlohmann::json b = nlohmann::json::parse(r.body, nullptr, false);
      if (!b.is_object()) break;
      for (const nlohmann::json& row : b["rows"]) rows.push_back(row);
      if (!b["next"].is_string()) {
        if (pages) *pages = n + 1;
        break;
      }
      after = b["next"];
    }
    return rows;
  }

  ApiStack stack_;
  medtrail::testing::HttpClient client_{stack_.port()};
  Person auditor_, operator_;
};

}  // namespace medtrail::node::api::testing
