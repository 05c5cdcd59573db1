#include "http/http_route_table.h"

#include <gtest/gtest.h>

namespace medtrail::node::http {
namespace {

Handler tagged(int* out, int tag) {
  return [out, tag](const Request&, Responder) { *out = tag; };
}

void call(const RouteMatch& match) {
  ASSERT_NE(match.handler, nullptr);
  (*match.handler)(Request{}, [](Response) {});
}

TEST(RouteTable, CapturesAreNamed) {
  int hit = 0;
  RouteTable table;
  table.add("GET", "/v1/patients/{patient}/records/{id}", tagged(&hit, 1));
  RouteMatch match = table.match("GET", {"v1", "patients", "p 1", "records", "r/2"});
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.pattern, "/v1/patients/{patient}/records/{id}");
  EXPECT_EQ(match.params.at("patient"), "p 1");
  EXPECT_EQ(match.params.at("id"), "r/2");
}

TEST(RouteTable, LiteralBeatsCaptureWhateverTheOrder) {
  int hit = 0;
  RouteTable table;
  table.add("GET", "/v1/records/{id}", tagged(&hit, 1));
  table.add("GET", "/v1/records/latest", tagged(&hit, 2));
  call(table.match("GET", {"v1", "records", "latest"}));
  EXPECT_EQ(hit, 2);
  call(table.match("GET", {"v1", "records", "abc"}));
  EXPECT_EQ(hit, 1);
}

TEST(RouteTable, UnknownPathIsNotFound) {
  int hit = 0;
  RouteTable table;
  table.add("GET", "/v1/records/{id}", tagged(&hit, 1));
  EXPECT_EQ(table.match("GET", {"v1", "records"}).kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(table.match("GET", {"v1", "records", "a", "b"}).kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(table.match("GET", {"v2", "records", "a"}).kind, RouteMatch::Kind::kNotFound);
}

TEST(RouteTable, OtherMethodIsNotAllowedWithSortedAllow) {
  int hit = 0;
  RouteTable table;
  table.add("POST", "/v1/records", tagged(&hit, 1));
  table.add("GET", "/v1/records", tagged(&hit, 2));
  RouteMatch match = table.match("DELETE", {"v1", "records"});
  EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD, POST");  // a GET route answers HEAD too
}

TEST(RouteTable, HeadIsServedByTheGetRouteUnlessARouteNamesHead) {
  int hit = 0;
  RouteTable table;
  table.add("GET", "/v1/records/{id}", tagged(&hit, 1));
  table.add("POST", "/v1/records", tagged(&hit, 2));
  table.add("GET", "/own", tagged(&hit, 3));
  table.add("HEAD", "/own", tagged(&hit, 4));
  RouteMatch match = table.match("HEAD", {"v1", "records", "abc"});
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.pattern, "/v1/records/{id}");
  EXPECT_EQ(match.params.at("id"), "abc");
  call(match);
  EXPECT_EQ(hit, 1);
  call(table.match("HEAD", {"own"}));
  EXPECT_EQ(hit, 4);
  // A POST-only path has no HEAD.
  RouteMatch post_only = table.match("HEAD", {"v1", "records"});
  EXPECT_EQ(post_only.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(post_only.allow, "POST");
}

}  // namespace
}  // namespace medtrail::node::http
