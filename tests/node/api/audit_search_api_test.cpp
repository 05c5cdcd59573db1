// Searches across the whole chain (GET /v1/audit/search, a recorded read): the rows are exactly
// the matches, in chain order, each once across pages while records keep arriving; filters
// combine over the index the search chose; who may search is the contract's call, refusals
// recorded; a malformed search is refused before anything is committed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "node/api/audit_fixture.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

// RFC 3339 to the millisecond, percent-encoded for a query string.
std::string query_time(int64_t ms) {
  std::string t = ledger::unix_ms_to_rfc3339(ms);
  const std::string millis = std::to_string(1000 + ms % 1000).substr(1);
  t.insert(t.size() - 1, "." + millis);
  std::string out;
  for (char c : t) out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

class AuditSearchApiTest : public AuditFixture {
 protected:
  // Follows every page of `base` as `who`; the rows' leaves in order.
  std::vector<uint64_t> all_pages(const Person& who, const std::string& base, size_t* pages = nullptr) {
    std::vector<uint64_t> leaves;
    for (const json& row : all_rows(client_, base, pages, &who)) leaves.push_back(row["leaf_index"]);
    return leaves;
  }
  // The leaves of the chain up to `end` that `match`, read from the store directly.
  std::vector<uint64_t> chain_where(uint64_t end,
                                    const std::function<bool(const ledger::LeafRecord&, const std::string& kind)>& match) {
    std::vector<uint64_t> out;
    for (uint64_t i = 0; i < end; ++i) {
      ledger::LeafRecord leaf = stack_.store().leaf_at(i).value();
      auto fields = ledger::parse_payload(leaf.envelope);
      if (match(leaf, fields.ok() ? fields->kind : "")) out.push_back(i);
    }
    return out;
  }
};

TEST_F(AuditSearchApiTest, RejectedRecordsComeExactlyOnceInChainOrderWhileRecordsKeepArriving) {
  for (int i = 0; i < 30; ++i) batch(i, /*passed=*/i % 3 != 0);
  // A refused search is a rejected access.query: evidence the search finds too.
  Person snoop = stack_.register_person("hosp-a", "snoop", "operator");
  EXPECT_EQ(get(client_, snoop, "/v1/audit/search?result=rejected").status, 403);
  const std::vector<uint64_t> before = chain_where(
      stack_.store().tree_size(), [](const ledger::LeafRecord& l, const std::string&) { return !l.result.accepted; });
  ASSERT_EQ(before.size(), 11u);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 30; i < 60 && !stop; ++i) batch(i, i % 3 != 0);
  });
  size_t pages = 0;
  std::vector<uint64_t> seen = all_pages(auditor_, "/v1/audit/search?result=rejected&limit=3", &pages);
  stop = true;
  writer.join();
  EXPECT_GT(pages, 3u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<uint64_t>(seen.begin(), seen.end()).size(), seen.size()) << "a record came twice";
  for (uint64_t leaf : before) EXPECT_TRUE(std::count(seen.begin(), seen.end(), leaf)) << leaf << " missing";
  for (uint64_t leaf : seen) EXPECT_FALSE(stack_.store().leaf_at(leaf)->result.accepted) << leaf;
  // One more walk from the start finds exactly the chain's rejected records (the walks' own
  // reads are accepted).
  const std::vector<uint64_t> all = chain_where(
      stack_.store().tree_size(), [](const ledger::LeafRecord& l, const std::string&) { return !l.result.accepted; });
  EXPECT_EQ(all_pages(auditor_, "/v1/audit/search?result=rejected&limit=7"), all);
}

TEST_F(AuditSearchApiTest, KindResultAndTimeRangeCombine) {
  auto phase = [&](int first) {
    for (int i = first; i < first + 6; ++i) batch(i, /*passed=*/i % 2 == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  phase(0);
  const uint64_t second = stack_.store().tree_size();
  phase(10);
  const uint64_t third = stack_.store().tree_size();
  phase(20);
  const int64_t t1 = static_cast<int64_t>(stack_.store().leaf_at(second)->timestamp_ms);
  const int64_t t2 = static_cast<int64_t>(stack_.store().leaf_at(third)->timestamp_ms);
  ASSERT_LT(t1, t2);
  const std::string range = "&from=" + query_time(t1) + "&to=" + query_time(t2);
  auto in_range = [&](const ledger::LeafRecord& l) {
    return static_cast<int64_t>(l.timestamp_ms) >= t1 && static_cast<int64_t>(l.timestamp_ms) < t2;
  };
  const uint64_t end = stack_.store().tree_size();
  const std::vector<uint64_t> rejected_batches = chain_where(end, [&](const ledger::LeafRecord& l, const std::string& k) {
    return k == "tableware.batch" && !l.result.accepted && in_range(l);
  });
  EXPECT_EQ(rejected_batches.size(), 3u);
  HttpResponse r = get(client_, auditor_, "/v1/audit/search?kind=tableware.batch&result=rejected" + range);
  ASSERT_EQ(r.status, 200) << r.body;
  json b = json::parse(r.body);
  EXPECT_EQ(b["search"]["index"], "rejected_kind");
  std::vector<uint64_t> rows;
  for (const json& row : b["rows"]) {
    rows.push_back(row["leaf_index"]);
    EXPECT_EQ(row["kind"], "tableware.batch");
    EXPECT_FALSE(row["reason_code"].get<std::string>().empty());
    EXPECT_TRUE(row.contains("body")) << "a regulator's auditor sees the records whole";
  }
  EXPECT_EQ(rows, rejected_batches);
  EXPECT_TRUE(b["next"].is_null());
  // The same over the organisation's list, the accepted ones over the kind's, and every record in
  // the range over the leaves themselves.
  EXPECT_EQ(all_pages(auditor_, "/v1/audit/search?org=disinf-d&result=rejected&limit=2" + range), rejected_batches);
  EXPECT_EQ(all_pages(auditor_, "/v1/audit/search?kind=tableware.batch&result=accepted&limit=2" + range),
            chain_where(end, [&](const ledger::LeafRecord& l, const std::string& k) {
              return k == "tableware.batch" && l.result.accepted && in_range(l);
            }));
  EXPECT_EQ(all_pages(auditor_, "/v1/audit/search?limit=5" + range),
            chain_where(end, [&](const ledger::LeafRecord& l, const std::string&) { return in_range(l); }));
  EXPECT_EQ(all_pages(auditor_, "/v1/audit/search?actor=disinf-d/op-tang&result=rejected&limit=4" + range),
            rejected_batches);
  // CSV: the same rows, one header line.
  HttpResponse csv =
      get(client_, auditor_, "/v1/audit/search?kind=tableware.batch&result=rejected&format=csv" + range);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 1 + 3);
  EXPECT_EQ(csv.body.substr(0, csv.body.find('\n')), "leaf_index,record_id,time,kind,organisation,actor,result,reason_code");
}

TEST_F(AuditSearchApiTest, AnOrganisationsAuditorSearchesItsOwnOrganisationOnlyAndRefusalsAreRecorded) {
  for (int i = 0; i < 4; ++i) batch(i, i != 2);
  Person own_auditor = stack_.register_person("disinf-d", "audit-1", "auditor");
  HttpResponse mine = get(client_, own_auditor, "/v1/audit/search?org=disinf-d&result=rejected");
  ASSERT_EQ(mine.status, 200) << mine.body;
  json b = json::parse(mine.body);
  EXPECT_EQ(b["search"]["index"], "org");
  ASSERT_EQ(b["rows"].size(), 1u);
  EXPECT_EQ(b["rows"][0]["organisation"], "disinf-d");
  EXPECT_FALSE(b["rows"][0].contains("body")) << "bodies are for a regulator's readers";
  for (const char* target : {"/v1/audit/search?org=hosp-a", "/v1/audit/search?result=rejected"}) {
    SCOPED_TRACE(target);
    HttpResponse r = get(client_, own_auditor, target);
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("query_not_permitted"), std::string::npos) << r.body;
    const std::string receipt(r.header("medtrail-receipt"));
    ASSERT_EQ(receipt.size(), 64u);
    auto leaf = stack_.store().find_record(ledger::hash_from_hex(receipt).value());
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(stack_.store().leaf_at(*leaf)->result.reason_code, "query_not_permitted");
  }
  Person doctor = stack_.register_person("hosp-a", "li", "doctor");
  EXPECT_EQ(get(client_, doctor, "/v1/audit/search?org=hosp-a").status, 403);
}

TEST_F(AuditSearchApiTest, AMalformedSearchIsRefusedAndCommitsNothing) {
  const uint64_t before = stack_.store().tree_size();
  for (const char* bad : {"/v1/audit/search?kind=RX", "/v1/audit/search?result=maybe",
                          "/v1/audit/search?from=yesterday", "/v1/audit/search?to=2026-13-01T00%3A00%3A00Z",
                          "/v1/audit/search?limit=0", "/v1/audit/search?limit=1001", "/v1/audit/search?after=x",
                          "/v1/audit/search?org=Hosp_A", "/v1/audit/search?actor=nobody",
                          "/v1/audit/search?sort=desc", "/v1/audit/search?org=hosp-a&org=reg-c",
                          "/v1/audit/search?%6Frg=hosp-a", "/v1/audit/search?org=hosp%2Da",
                          "/v1/audit/search?format=csv&proofs=1", "/v1/audit/search?limit=100001&format=csv"}) {
    HttpResponse r = get(client_, auditor_, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_EQ(stack_.store().tree_size(), before);
}

}  // namespace
}  // namespace medtrail::node::api::testing
