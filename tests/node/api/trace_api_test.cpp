// The citizen's lookups against a real single-node stack: a known batch shows its word, an
// unknown code has the same shape, a malformed one is refused, one address is rate-limited, and
// no answer leaves before the floor.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/rfc3339.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TraceApiTest : public ::testing::Test {
 protected:
  explicit TraceApiTest(const std::function<void(NodeConfig&)>& configure = {})
      : stack_(configure), client_(stack_.port()) {}
  void SetUp() override { ASSERT_TRUE(stack_.wait_for_leader()); }

  // A batch disinfected an hour ago, usable for a day, that passed every GB 14934 item.
  void record_batch(const std::string& code) {
    Person op = stack_.register_person("disinf-d", "op-" + std::to_string(++people_), "operator");
    json body = {{"batch_code", code},
                 {"licence_no", "XA-XD-2025-0193"},
                 {"line", "L2"},
                 {"disinfected_at", ledger::unix_ms_to_rfc3339(now_ms() - 3600000)},
                 {"use_by", ledger::unix_ms_to_rfc3339(now_ms() + 86400000)},
                 {"method", "chemical"},
                 {"quantity", 1200},
                 {"results", {{"sensory", "pass"}, {"free_residual_chlorine", "0.010"},
                              {"anionic_detergent", "not_detected"}, {"coliforms", "not_detected"},
                              {"salmonella", "not_detected"}}}};
    RecordStatus s = stack_.submit_as(op, "tableware.batch", body);
    ASSERT_EQ(s.state, RecordState::kCommitted) << s.result.reason_code << ": " << s.result.reason;
  }
  static json body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  ApiStack stack_;
  HttpClient client_;
  int people_ = 0;
};

TEST_F(TraceApiTest, AKnownBatchShowsItsWordFactsAndTimelineWithoutPeople) {
  record_batch("TC-20261203-01");
  HttpResponse r = client_.get("/v1/trace/tableware/TC-20261203-01");
  ASSERT_EQ(r.status, 200) << r.body;
  json b = body(r);
  EXPECT_EQ(b["status"], "GENUINE");
  EXPECT_EQ(b["found"], true);
  EXPECT_EQ(b["facts"]["disinfection_unit"], "Disinfection D");
  EXPECT_EQ(b["facts"]["results"]["coliforms"], "not_detected");
  ASSERT_EQ(b["timeline"].size(), 1u);
  EXPECT_EQ(b["timeline"][0]["event"], "tableware.batch");
  EXPECT_EQ(b["timeline"][0]["organisation"], "Disinfection D");
  EXPECT_EQ(r.body.find("disinf-d/op-"), std::string::npos) << "a person's id in a public answer";
  EXPECT_TRUE(b["verified"].contains("organisations"));
  // One node signs no quorum checkpoint, so there is nothing to prove the facts against yet
  // (tests/scripts/api_harvest_test.sh has a cluster's proofs checked by `medtrail trace`).
  ASSERT_TRUE(b.contains("proof"));
  EXPECT_TRUE(b["proof"].is_null());
  // A cache in front may keep it seconds, not longer (docs/deploy.md).
  EXPECT_EQ(r.header("cache-control"), "public, max-age=5");
  EXPECT_FALSE(r.header("date").empty());

  HttpResponse page = client_.get("/trace/tableware/TC-20261203-01");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("data-status=\"GENUINE\""), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("default-src 'none'"), std::string::npos);
}

TEST_F(TraceApiTest, AnUnknownCodeHasTheShapeOfAKnownOneAndAMalformedOneIsRefused) {
  HttpResponse unknown = client_.get("/v1/trace/vaccine/86901234569999999999");
  ASSERT_EQ(unknown.status, 404) << unknown.body;
  json b = body(unknown);
  EXPECT_EQ(b["status"], "UNKNOWN_CODE");
  EXPECT_EQ(b["found"], false);
  EXPECT_EQ(unknown.header("cache-control"), "public, max-age=5");
  for (const char* field : {"kind", "code", "facts", "timeline", "timeline_truncated", "as_of", "verified"}) {
    EXPECT_TRUE(b.contains(field)) << field;
  }
  for (const char* bad : {"/v1/trace/vaccine/123", "/v1/trace/tableware/a%20b", "/v1/trace/rx/ABC",
                          "/v1/trace/rx/" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF"}) {
    HttpResponse r = client_.get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(body(r)["error"]["code"], "bad_code") << bad;
  }
  EXPECT_EQ(client_.get("/trace/vaccine/123").status, 400);
  // No listing of any kind.
  EXPECT_EQ(client_.get("/v1/trace/vaccine").status, 404);
  EXPECT_EQ(client_.get("/v1/trace/vaccine/").status, 400);  // an empty code is malformed
}

class TraceLimitsTest : public TraceApiTest {
 protected:
  TraceLimitsTest()
      : TraceApiTest([](NodeConfig& c) {
          c.limits.public_lookups_per_minute = 6;  // one token every 10 s
          c.limits.public_lookup_burst = 3;
          c.limits.public_lookup_floor_us = 50000;
        }) {}
};

TEST_F(TraceLimitsTest, OneAddressGetsItsBurstThen429WithRetryAfter) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client_.get("/v1/trace/vaccine/86901234569999999999").status, 404) << i;
  }
  HttpResponse limited = client_.get("/trace/vaccine/86901234569999999999");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(body(limited)["error"]["code"], "rate_limited");
  EXPECT_EQ(limited.header("cache-control"), "no-store");  // a refusal is not an answer to keep
  const int retry = std::stoi(limited.header("retry-after").empty() ? "0" : limited.header("retry-after"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 10);
  // Members' reads and submissions are other routes: not limited by the public's bucket.
  EXPECT_EQ(client_.get("/v1/status").status, 200);
}

TEST_F(TraceLimitsTest, NoAnswerLeavesBeforeTheFloorKnownOrUnknown) {
  record_batch("TC-FLOOR-1");
  for (const char* target : {"/v1/trace/tableware/TC-FLOOR-1", "/v1/trace/tableware/TC-FLOOR-2",
                             "/v1/trace/tableware/bad%20code"}) {
    const auto started = Clock::now();
    HttpResponse r = client_.get(target);
    EXPECT_NE(r.status, 0) << target;
    // A lower bound only: the floor is what hides a known code from an unknown one.
    EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(50)) << target;
  }
}

}  // namespace
}  // namespace medtrail::node::api::testing
