// POST /v1/records and GET /v1/records/{id} against a real single-node stack.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "medtrail/ledger/envelope.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"
#include "support/poll.h"

namespace medtrail::node::api::testing {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using medtrail::testing::wait_until;
using nlohmann::json;

class RecordsApiTest : public ::testing::Test {
 protected:
  explicit RecordsApiTest(const std::function<void(NodeConfig&)>& configure = {})
      : stack_(configure), client_(stack_.port()) {}

  void SetUp() override { ASSERT_TRUE(stack_.wait_for_leader()); }

  json body(const HttpResponse& reply) { return json::parse(reply.body, nullptr, false); }

  // GET /v1/records/{id} as a regulator's auditor (registered on first use): a signed read.
  HttpResponse read(const std::string& id) {
    if (!auditor_) auditor_ = stack_.register_person("reg-c", "auditor", "auditor");
    const std::string target = "/v1/records/" + id;
    return client_.get(target, {{"Authorization", stack_.authorization(*auditor_, target)}});
  }

  HttpResponse submit_and_wait(const std::string& wire) {
    return client_.post("/v1/records?wait=commit", wire);
  }

  ApiStack stack_;
  HttpClient client_;
  std::optional<Person> auditor_;
};

TEST_F(RecordsApiTest, WaitingSubmissionCommitsAtHeightOne) {
  ledger::Envelope e = stack_.envelope(1);
  HttpResponse reply = submit_and_wait(ledger::envelope_to_wire(e));
  ASSERT_EQ(reply.status, 200) << reply.body;
  json record = body(reply);
  EXPECT_EQ(record["id"], ledger::record_id(e).value());
  EXPECT_EQ(record["status"], "committed");
  EXPECT_EQ(record["height"], 1);
  EXPECT_EQ(record["leaf_index"], 0);
  EXPECT_EQ(record["result"]["accepted"], true);
  EXPECT_FALSE(record.contains("code"));
}

TEST_F(RecordsApiTest, CommittedRecordReadsBackWithItsEnvelope) {
  ledger::Envelope e = stack_.envelope(2);
  ASSERT_EQ(submit_and_wait(ledger::envelope_to_wire(e)).status, 200);
  HttpResponse reply = read(ledger::record_id(e).value());
  ASSERT_EQ(reply.status, 200) << reply.body;
  json record = body(reply);
  EXPECT_EQ(record["id"], ledger::record_id(e).value());
  EXPECT_EQ(record["height"], 1);
  EXPECT_EQ(record["leaf_index"], 0);
  EXPECT_GT(record["timestamp_ms"].get<uint64_t>(), 0u);
  EXPECT_EQ(record["envelope"], json::parse(ledger::envelope_to_wire(e)));
  EXPECT_EQ(record["signer_public_key"], ledger::to_hex(stack_.admin().public_key));
  EXPECT_EQ(record["result"]["accepted"], true);
}

TEST_F(RecordsApiTest, ResubmissionAnswersDuplicateWithTheFirstLeaf) {
  const std::string wire = stack_.wire_envelope(3);
  ASSERT_EQ(submit_and_wait(wire).status, 200);
  HttpResponse again = submit_and_wait(wire);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body(again)["status"], "duplicate");
  EXPECT_EQ(body(again)["height"], 1);
  HttpResponse no_wait = client_.post("/v1/records", wire);
  EXPECT_EQ(no_wait.status, 200);
  EXPECT_EQ(body(no_wait)["status"], "duplicate");
}

TEST_F(RecordsApiTest, FlippedSignatureIsRefusedWith400) {
  ledger::Envelope e = stack_.envelope(4);
  e.signature[0] ^= 1;
  HttpResponse reply = submit_and_wait(ledger::envelope_to_wire(e));
  ASSERT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(body(reply)["status"], "invalid");
  EXPECT_EQ(body(reply)["code"], "signature_mismatch");
  EXPECT_EQ(stack_.store().height(), 0u);
}

TEST_F(RecordsApiTest, UnknownSignerIsRefusedWith403) {
  auto stranger = *ledger::ed25519_sha256().generate_keypair();
  ledger::Envelope e = medtrail::testing::make_envelope(stranger, "hosp-a", "dr-x", 5);
  HttpResponse reply = submit_and_wait(ledger::envelope_to_wire(e));
  ASSERT_EQ(reply.status, 403) << reply.body;
  EXPECT_EQ(body(reply)["code"], "unknown_signer");
}

TEST_F(RecordsApiTest, BodiesThatAreNotJsonEnvelopesAre400) {
  for (const char* text : {"{not json", "", "42", "[]", "[{},]"}) {
    HttpResponse reply = client_.post("/v1/records", text);
    EXPECT_EQ(reply.status, 400) << text;
    EXPECT_EQ(body(reply)["error"]["code"], "malformed_json") << text;
  }
  HttpResponse wrong_fields = client_.post("/v1/records", R"({"payload":"x"})");
  EXPECT_EQ(wrong_fields.status, 400);
  EXPECT_EQ(body(wrong_fields)["status"], "invalid");
}

TEST_F(RecordsApiTest, OtherMediaTypesAre415) {
  HttpResponse reply = client_.post("/v1/records", stack_.wire_envelope(6), "text/plain");
  EXPECT_EQ(reply.status, 415);
  EXPECT_EQ(body(reply)["error"]["code"], "unsupported_media_type");
  HttpResponse charset = client_.post("/v1/records?wait=commit", stack_.wire_envelope(6),
                               "application/json; charset=utf-8");
  EXPECT_EQ(charset.status, 200) << charset.body;
}

TEST_F(RecordsApiTest, ArrayAnswersEachRecordOnItsOwn) {
  ledger::Envelope forged = stack_.envelope(8);
  forged.signature[1] ^= 0x40;
  const std::string array = "[" + stack_.wire_envelope(7) + ",\n " +
                            ledger::envelope_to_wire(forged) +
                            R"(, {"payload":"","payload":""} ,)" + stack_.wire_envelope(9) + "]";
  HttpResponse reply = submit_and_wait(array);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json records = body(reply)["records"];
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0]["status"], "committed");
  EXPECT_EQ(records[1]["status"], "invalid");
  EXPECT_EQ(records[1]["code"], "signature_mismatch");
  EXPECT_EQ(records[2]["status"], "invalid");
  EXPECT_EQ(records[2]["code"], "duplicate_key");
  EXPECT_EQ(records[3]["status"], "committed");
  EXPECT_EQ(stack_.store().tree_size(), 2u);
}

TEST_F(RecordsApiTest, ArrayOverTheLimitIs413) {
  std::string array = "[";
  for (int i = 0; i < 1001; ++i) array += (i ? ",{}" : "{}");
  array += "]";
  HttpResponse reply = client_.post("/v1/records", array);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(body(reply)["error"]["code"], "too_many_records");
}

TEST_F(RecordsApiTest, SubmissionWithoutWaitIsPendingThenVisible) {
  ledger::Envelope e = stack_.envelope(10);
  HttpResponse reply = client_.post("/v1/records", ledger::envelope_to_wire(e));
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(body(reply)["status"], "pending");
  EXPECT_EQ(body(reply)["id"], ledger::record_id(e).value());
  EXPECT_FALSE(body(reply).contains("height"));
  EXPECT_TRUE(wait_until([&] { return read(ledger::record_id(e).value()).status == 200; }, 5s));
}

TEST_F(RecordsApiTest, ThousandDuplicateSubmissionsKeepAnsweringDuplicate) {
  const std::string wire = stack_.wire_envelope(11);
  ASSERT_EQ(submit_and_wait(wire).status, 200);
  for (int i = 0; i < 1000; ++i) {
    HttpResponse reply = client_.post("/v1/records?wait=commit", wire);
    ASSERT_EQ(reply.status, 200) << i << ": " << reply.body;
    ASSERT_EQ(body(reply)["status"], "duplicate") << i;
  }
  EXPECT_EQ(stack_.store().tree_size(), 1u);
}

TEST_F(RecordsApiTest, ShuttingDownRefusesSubmissionsWith503) {
  stack_.accepting().store(false);
  HttpResponse reply = client_.post("/v1/records", stack_.wire_envelope(12));
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(body(reply)["error"]["code"], "unavailable");
  EXPECT_FALSE(reply.header("retry-after").empty());
}

TEST_F(RecordsApiTest, RecordReadsCheckTheIdAndFindOnlyStoredRecords) {
  EXPECT_EQ(read(std::string(64, 'a')).status, 404);
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(64, 'A'), std::string("xyz"), std::string(64, 'g')}) {
    HttpResponse reply = client_.get("/v1/records/" + bad);
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_EQ(body(reply)["error"]["code"], "bad_record_id");
  }
}

TEST_F(RecordsApiTest, HostileBodiesAreAnsweredNotCrashedOn) {
  const std::string deep(100000, '[');
  for (const std::string& text :
       {deep, "[" + deep + "]", std::string("[\"\\"), std::string("\xff\xfe"),
        std::string("[{\"payload\":\"\xc3\x28\"}]"), std::string(1 << 20, ' ')}) {
    HttpResponse reply = client_.post("/v1/records", text);
    EXPECT_EQ(reply.status, 400) << reply.body;
  }
  EXPECT_EQ(client_.get("/healthz").status, 200);
}

// A queue that holds one record, lingering long enough that nothing leaves it during a test.
class RecordsOverloadTest : public RecordsApiTest {
 protected:
  RecordsOverloadTest()
      : RecordsApiTest([](NodeConfig& c) {
          c.limits.admission_queue = 1;
          c.limits.batch_linger_us = 1'000'000;
        }) {}
};

TEST_F(RecordsOverloadTest, AFullQueueAnswers429WithRetryAfter) {
  HttpResponse batch = client_.post("/v1/records",
                             "[" + stack_.wire_envelope(1) + "," + stack_.wire_envelope(2) + "]");
  ASSERT_EQ(batch.status, 429) << batch.body;
  EXPECT_EQ(batch.header("retry-after"), "1");
  json records = body(batch)["records"];
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["status"], "overloaded");
  EXPECT_EQ(records[0]["code"], "overloaded");

  EXPECT_EQ(client_.post("/v1/records", stack_.wire_envelope(3)).status, 202);
  HttpResponse single = client_.post("/v1/records", stack_.wire_envelope(4));
  EXPECT_EQ(single.status, 429) << single.body;
  EXPECT_EQ(single.header("retry-after"), "1");
  EXPECT_EQ(body(single)["status"], "overloaded");
}

TEST_F(RecordsOverloadTest, AWaitThatEndsBeforeCommitAnswersPending) {
  HttpResponse reply = client_.post("/v1/records?wait=commit&timeout_ms=50", stack_.wire_envelope(5));
  EXPECT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(body(reply)["status"], "pending");
}

class RecordReadsOffTest : public RecordsApiTest {
 protected:
  RecordReadsOffTest()
      : RecordsApiTest([](NodeConfig& c) { c.record_reads = RecordReads::kOff; }) {}
};

TEST_F(RecordReadsOffTest, ReadsAreRefusedWith403) {
  ledger::Envelope e = stack_.envelope(13);
  ASSERT_EQ(submit_and_wait(ledger::envelope_to_wire(e)).status, 200);
  HttpResponse reply = client_.get("/v1/records/" + ledger::record_id(e).value());
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(body(reply)["error"]["code"], "reads_disabled");
}

}  // namespace
}  // namespace medtrail::node::api::testing
