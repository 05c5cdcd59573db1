// GET /v1/status, /healthz, /readyz and /metrics against a real single-node stack.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/metrics_text.h"
#include "support/node/api_stack.h"
#include "support/poll.h"
#include "support/sanitizers.h"

namespace medtrail::node::api::testing {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using medtrail::testing::metric_present;
using medtrail::testing::metric_sum;
using medtrail::testing::wait_until;
using nlohmann::json;

class StatusApiTest : public ::testing::Test {
 protected:
  StatusApiTest() : client_(stack_.port()) {}
  void SetUp() override { ASSERT_TRUE(stack_.wait_for_leader()); }

  ApiStack stack_;
  HttpClient client_;
};

TEST_F(StatusApiTest, StatusDescribesTheLoneLeader) {
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(1)).status, 200);
  // The driver refreshes its status after the loop that applied the block, which may be just
  // after the client was answered.
  ASSERT_TRUE(wait_until([&] { return stack_.driver().status().applied_index >= 2; }, 5s));
  HttpResponse reply = client_.get("/v1/status");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json status = json::parse(reply.body);
  EXPECT_EQ(status["node_id"], "n1");
  EXPECT_EQ(status["chain_id"], ledger::to_hex(stack_.store().chain_id()));
  EXPECT_EQ(status["role"], "leader");
  EXPECT_EQ(status["leader"], "n1");
  EXPECT_GE(status["term"].get<uint64_t>(), 1u);
  EXPECT_GE(status["commit_index"].get<uint64_t>(), 2u);  // the leader's no-op and the block
  EXPECT_GE(status["last_index"].get<uint64_t>(), status["commit_index"].get<uint64_t>());
  EXPECT_EQ(status["height"], 1);
  EXPECT_EQ(status["tree_size"], 1);
  EXPECT_EQ(status["tree_root"], ledger::to_hex(stack_.store().tree_root()));
  EXPECT_EQ(status["voters"], json::array({"n1"}));
  EXPECT_EQ(status["learners"], json::array());
  EXPECT_EQ(status["peers"], json::array());
  EXPECT_EQ(status["queue"]["records"], 0);
  EXPECT_TRUE(status.contains("pending_records"));
  EXPECT_TRUE(status.contains("uptime_s"));
  EXPECT_FALSE(status.contains("failure"));
}

TEST_F(StatusApiTest, HealthzAnswersWhileTheNodeServes) {
  HttpResponse reply = client_.get("/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(json::parse(reply.body)["status"], "ok");
}

TEST_F(StatusApiTest, ReadyzIsReadyOnceALeaderIsKnownAndNotWhileShuttingDown) {
  EXPECT_TRUE(wait_until([&] { return client_.get("/readyz").status == 200; }, 5s));
  stack_.accepting().store(false);
  HttpResponse reply = client_.get("/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_FALSE(json::parse(reply.body)["reason"].get<std::string>().empty());
}

// Each route's series are found once and then reused: the counts must go on adding up, by
// status, and the route's latency histogram must count every request.
TEST_F(StatusApiTest, RequestsOnOneRouteAreCountedByStatusAndAllTimed) {
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(2)).status, 200);
  ASSERT_EQ(client_.post("/v1/records?wait=commit", "{").status, 400);
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(3)).status, 200);
  const std::string text = client_.get("/metrics").body;
  EXPECT_NE(text.find("medtrail_http_requests_total{route=\"/v1/records\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("medtrail_http_requests_total{route=\"/v1/records\",status=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("medtrail_http_request_duration_seconds_count{route=\"/v1/records\"} 3\n"),
            std::string::npos);
}

TEST_F(StatusApiTest, MetricsExposeTheChainAndRequestCounts) {
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(2)).status, 200);
  ASSERT_EQ(client_.get("/no/such/route").status, 404);
  ASSERT_EQ(client_.get("/v1/blocks/1").status, 200);
  HttpResponse reply = client_.get("/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = reply.body;
  EXPECT_NE(text.find("\nmedtrail_block_height 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nmedtrail_tree_size 1\n"), std::string::npos);
  EXPECT_NE(text.find("medtrail_http_requests_total{route=\"/v1/records\",status=\"200\"} 1"),
            std::string::npos);
  // Paths are labelled by their route pattern; unknown paths share one label.
  EXPECT_NE(text.find("medtrail_http_requests_total{route=\"/v1/blocks/{height}\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(text.find("medtrail_http_requests_total{route=\"unmatched\",status=\"404\"}"),
            std::string::npos);
  EXPECT_EQ(text.find("/no/such/route"), std::string::npos);
  EXPECT_NE(text.find("medtrail_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("medtrail_raft_role{role=\"leader\"} 1"), std::string::npos);
  for (const char* name :
       {"medtrail_admission_queue_depth", "medtrail_pending_records", "medtrail_raft_term",
        "medtrail_raft_commit_index", "medtrail_raft_applied_index", "medtrail_fsync_total",
        "medtrail_fsync_seconds_total", "medtrail_proposals_total",
        "medtrail_records_proposed_total", "medtrail_disk_bytes",
        "medtrail_peer_auth_failures_total", "medtrail_peer_malformed_frames_total"}) {
    EXPECT_TRUE(metric_present(text, name)) << name;
  }
  // The listener's own figures (this stack runs the members' listener only).
  for (const char* series :
       {"medtrail_http_connections_open{listener=\"api\"} ",
        "medtrail_http_connections_refused_total{listener=\"api\",reason=\"server_full\"} 0",
        "medtrail_http_connections_refused_total{listener=\"api\",reason=\"address_full\"} 0",
        "medtrail_http_connections_evicted_total{listener=\"api\"} 0",
        "medtrail_http_connections_timed_out_total{listener=\"api\",phase=\"head\"} 0",
        "medtrail_http_connections_timed_out_total{listener=\"api\",phase=\"idle\"} 0",
        "medtrail_http_connections_timed_out_total{listener=\"api\",phase=\"body\"} 0",
        "medtrail_http_connections_timed_out_total{listener=\"api\",phase=\"write\"} 0",
        "medtrail_http_requests_rate_limited_total{listener=\"api\"} 0"}) {
    EXPECT_NE(text.find(std::string("\n") + series), std::string::npos) << series;
  }
  EXPECT_EQ(text.find("listener=\"public\""), std::string::npos);
}

TEST_F(StatusApiTest, MetricsShowWhatRocksdbWroteAndWhatItHoldsInMemory) {
  ASSERT_EQ(client_.post("/v1/records?wait=commit", stack_.wire_envelope(2)).status, 200);
  const std::string before = client_.get("/metrics").body;
  const double user = metric_sum(before, "medtrail_rocksdb_bytes_written_total{kind=\"user\"}");
  EXPECT_GT(user, 500);  // a record's block and leaf alone are hundreds of bytes
  EXPECT_GT(metric_sum(before, "medtrail_rocksdb_bytes_written_total{kind=\"wal\"}"), 500);
  EXPECT_GT(metric_sum(before, "medtrail_rocksdb_memory_bytes{kind=\"memtables\"}"), 0);
  EXPECT_TRUE(metric_present(before, "medtrail_rocksdb_memory_bytes{kind=\"block_cache\"}"));
  EXPECT_TRUE(metric_present(before, "medtrail_rocksdb_memory_bytes{kind=\"table_readers\"}"));
  EXPECT_TRUE(metric_present(before, "medtrail_heap_bytes{kind=\"in_use\"}"));
  EXPECT_TRUE(metric_present(before, "medtrail_heap_bytes{kind=\"free\"}"));
  // The heap holds at least the memtables (RocksDB allocates them with malloc). A sanitizer
  // brings its own allocator, whose blocks glibc's figures do not count.
  if (!medtrail::testing::kUnderSanitizer) {
    EXPECT_GT(metric_sum(before, "medtrail_heap_bytes{kind=\"in_use\"}"),
              metric_sum(before, "medtrail_rocksdb_memory_bytes{kind=\"memtables\"}"));
  }
  const double tables_before =
      metric_sum(before, "medtrail_rocksdb_bytes_written_total{kind=\"tables\"}");

  // A flush writes table files, each some KiB with its index and properties: the counter of
  // table bytes (which moves in steps of about 1 KiB per family) follows.
  rocksdb::DB* db = stack_.store().db();
  for (ledger::ColumnFamily cf : {ledger::ColumnFamily::kBlocks, ledger::ColumnFamily::kLeaves}) {
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), stack_.store().column_family(cf)).ok());
  }
  const std::string after = client_.get("/metrics").body;
  EXPECT_GT(metric_sum(after, "medtrail_rocksdb_bytes_written_total{kind=\"tables\"}"),
            tables_before + 2048);
  // The flushes left a table on level 0 of each family; far from RocksDB's write triggers.
  EXPECT_GE(metric_sum(after, "medtrail_rocksdb_level0_files"), 1);
  EXPECT_NE(after.find("\nmedtrail_rocksdb_write_stall{state=\"delayed\"} 0\n"), std::string::npos)
      << after;
  EXPECT_NE(after.find("\nmedtrail_rocksdb_write_stall{state=\"stopped\"} 0\n"), std::string::npos);
  EXPECT_GE(metric_sum(after, "medtrail_rocksdb_bytes_written_total{kind=\"user\"}"), user);
}

}  // namespace
}  // namespace medtrail::node::api::testing
