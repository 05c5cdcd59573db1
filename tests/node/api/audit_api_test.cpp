// A subject's trail for auditors (GET /v1/audit/trails/..., a recorded read): keyset pages
// return every record exactly once while records keep arriving, filters apply before the limit,
// CSV carries the same rows, and who may follow which trail is the contract's call.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "node/api/audit_fixture.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

class AuditApiTest : public AuditFixture {
 protected:
  // Follows every page of `base`; the record ids in order.
  std::vector<std::string> all_pages(HttpClient& client, const std::string& base, size_t* pages = nullptr) {
    std::vector<std::string> ids;
    for (const json& row : all_rows(client, base, pages)) ids.push_back(row["record_id"]);
    return ids;
  }
};

TEST_F(AuditApiTest, PagesReturnEveryRecordExactlyOnceWhileRecordsKeepArriving) {
  std::vector<std::string> written;
  for (int i = 0; i < 60; ++i) written.push_back(batch(i).id);
  std::atomic<bool> stop{false};
  std::vector<std::string> late;
  std::thread writer([&] {
    for (int i = 60; i < 120 && !stop; ++i) late.push_back(batch(i).id);
  });
  size_t pages = 0;
  std::vector<std::string> seen = all_pages(client_, "/v1/audit/trails/org/disinf-d?limit=7", &pages);
  stop = true;
  writer.join();
  EXPECT_GT(pages, 8u);
  const std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), seen.size()) << "a record came twice";
  for (const std::string& id : written) EXPECT_TRUE(distinct.count(id)) << id << " missing";
  // Whatever arrived during the walk is found by one more walk from the start, once.
  std::vector<std::string> again = all_pages(client_, "/v1/audit/trails/org/disinf-d?limit=50");
  EXPECT_EQ(again.size(), written.size() + late.size());
  EXPECT_EQ(std::set<std::string>(again.begin(), again.end()).size(), again.size());
}

// The scale: 100,000 records on one trail, paged 1,000 at a time while 2,000 more arrive.
TEST_F(AuditApiTest, AHundredThousandRecordsArePagedExactlyOnceWhileMoreArrive) {
  constexpr int kRecords = 100000;
  std::set<std::string> written;
  for (int first = 0; first < kRecords; first += 1000) {
    std::vector<ledger::Envelope> records;
    for (int n = first; n < first + 1000; ++n) records.push_back(batch_record(n));
    for (const RecordStatus& s : stack_.commit_all(std::move(records))) {
      ASSERT_EQ(s.state, RecordState::kCommitted) << s.code << " " << s.result.reason_code;
      written.insert(s.id);
    }
  }
  std::thread writer([&] {
    for (int first = kRecords; first < kRecords + 2000; first += 100) {
      std::vector<ledger::Envelope> records;
      for (int n = first; n < first + 100; ++n) records.push_back(batch_record(n));
      stack_.commit_all(std::move(records));
    }
  });
  size_t pages = 0;
  HttpClient client(stack_.port(), std::chrono::seconds(60));
  std::vector<std::string> seen = all_pages(client, "/v1/audit/trails/org/disinf-d?limit=1000", &pages);
  writer.join();
  const std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), seen.size()) << "a record came twice";
  size_t missing = 0;
  for (const std::string& id : written) missing += distinct.count(id) == 0;
  EXPECT_EQ(missing, 0u);
  EXPECT_GE(pages, 100u);
}

TEST_F(AuditApiTest, FiltersApplyBeforeTheLimitAndCsvCarriesTheSameRows) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(batch(i).state, RecordState::kCommitted);
  for (int i = 5; i < 8; ++i) ASSERT_EQ(batch(i, /*passed=*/false).state, RecordState::kRejected);
  std::vector<std::string> rejected = all_pages(client_, "/v1/audit/trails/org/disinf-d?limit=2&result=rejected");
  EXPECT_EQ(rejected.size(), 3u);
  HttpResponse r = get(client_, auditor_, "/v1/audit/trails/org/disinf-d?limit=100&result=rejected");
  json b = json::parse(r.body);
  for (const json& row : b["rows"]) {
    EXPECT_EQ(row["accepted"], false);
    EXPECT_FALSE(row["reason_code"].get<std::string>().empty());
    EXPECT_TRUE(row.contains("body")) << "a regulator's auditor sees the records whole";
    // The body as signed: the page passes the payload's own bytes on (audit_page.cpp).
    auto leaf = stack_.store().leaf_at(row["leaf_index"].get<uint64_t>());
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(row["body"], json::parse(ledger::as_chars(leaf->envelope.payload))["body"]);
  }
  HttpResponse csv = get(client_, auditor_, "/v1/audit/trails/org/disinf-d?limit=100&format=csv&kind=tableware.batch");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 1 + 8);
  EXPECT_EQ(csv.body.substr(0, csv.body.find('\n')), "leaf_index,record_id,time,kind,organisation,actor,result,reason_code");
  EXPECT_TRUE(csv.header("medtrail-next-cursor").empty());
}

TEST_F(AuditApiTest, WhoFollowsWhichTrailIsTheContractsCallAndBadQueriesRecordNothing) {
  Person own_auditor = stack_.register_person("disinf-d", "audit-1", "auditor");
  EXPECT_EQ(get(client_, own_auditor, "/v1/audit/trails/org/disinf-d?limit=5").status, 200);
  HttpResponse other = get(client_, own_auditor, "/v1/audit/trails/org/hosp-a?limit=5");
  EXPECT_EQ(other.status, 403);
  EXPECT_FALSE(other.header("medtrail-receipt").empty());
  const uint64_t before = stack_.store().tree_size();
  for (const char* bad : {"/v1/audit/trails/org/disinf-d?limit=0", "/v1/audit/trails/org/disinf-d?after=x",
                          "/v1/audit/trails/org/disinf-d?result=maybe", "/v1/audit/trails/org/disinf-d?from=yesterday",
                          "/v1/audit/trails/org/disinf-d?limit=1001", "/v1/audit/trails/org/disinf-d?sort=desc",
                          "/v1/audit/trails/org/dis%2Dinf"}) {
    HttpResponse r = get(client_, auditor_, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_EQ(stack_.store().tree_size(), before);
}

}  // namespace
}  // namespace medtrail::node::api::testing
