// Reading a submission's media type, wait options and body.
#include "api/submission_request.h"

#include <gtest/gtest.h>

namespace medtrail::node::api {
namespace {

http::Request post(std::string body, std::string content_type = "application/json") {
  http::Request r;
  r.method = "POST";
  r.path = "/v1/records";
  r.headers["content-type"] = std::move(content_type);
  r.body = std::move(body);
  return r;
}

TEST(SubmissionRequestTest, JsonMediaTypeAllowsOnlyAUtf8Charset) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON"));
  EXPECT_TRUE(is_json_media_type("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type("application/json;charset=\"UTF-8\""));
  EXPECT_FALSE(is_json_media_type(""));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/jsonx"));
  EXPECT_FALSE(is_json_media_type("application/json; charset=latin1"));
  EXPECT_FALSE(is_json_media_type("application/json; boundary=x"));
  EXPECT_FALSE(is_json_media_type("application/json; charset"));
}

TEST(SubmissionRequestTest, WaitIsOptInAndTimeoutIsCappedByTheConfiguredWait) {
  NodeLimits limits;
  limits.commit_wait_ms = 500;
  http::Request r = post("[]");
  r.body = R"([1])";
  auto plain = read_submission(r, limits);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->wait_for_commit);
  r.query["wait"] = "commit";
  r.query["timeout_ms"] = "100";
  EXPECT_EQ(read_submission(r, limits)->wait, std::chrono::milliseconds(100));
  r.query["timeout_ms"] = "100000";
  auto capped = read_submission(r, limits);
  EXPECT_TRUE(capped->wait_for_commit);
  EXPECT_EQ(capped->wait, std::chrono::milliseconds(500));
  for (const char* bad : {"0", "-1", "1x", "", "99999999999"}) {
    r.query["timeout_ms"] = bad;
    EXPECT_EQ(read_submission(r, limits).status().code(), "bad_query") << bad;
  }
  r.query.erase("timeout_ms");
  r.query["wait"] = "forever";
  EXPECT_EQ(read_submission(r, limits).status().code(), "bad_query");
}

TEST(SubmissionRequestTest, BodiesThatAreNotEnvelopesOrArraysAreMalformed) {
  NodeLimits limits;
  for (const char* body : {"", "nope", "\"text\"", "42", "[]", "[1,]", "{\"a\":"}) {
    EXPECT_EQ(read_submission(post(body), limits).status().code(), "malformed_json") << body;
  }
}

TEST(SubmissionRequestTest, EachElementIsParsedStrictlyOnItsOwn) {
  NodeLimits limits;
  auto s = read_submission(post(R"([{"payload":"","payload":""}, 7])"), limits);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_FALSE(s->single);
  ASSERT_EQ(s->items.size(), 2u);
  EXPECT_EQ(s->items[0].status().code(), "duplicate_key");
  EXPECT_FALSE(s->items[1].ok());
}

TEST(SubmissionRequestTest, AnObjectBodyIsOneEnvelope) {
  auto s = read_submission(post(R"({"payload":1})"), NodeLimits{});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->single);
  ASSERT_EQ(s->items.size(), 1u);
  EXPECT_FALSE(s->items[0].ok());
}

TEST(SubmissionRequestTest, TooManyRecordsAndWrongMediaTypeAreRefused) {
  NodeLimits limits;
  limits.max_records_per_request = 2;
  EXPECT_EQ(read_submission(post("[{},{},{}]"), limits).status().code(), "too_many_records");
  EXPECT_EQ(read_submission(post("[{}]", "text/plain"), limits).status().code(),
            "unsupported_media_type");
}

}  // namespace
}  // namespace medtrail::node::api
