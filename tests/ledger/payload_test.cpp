// Payloads: the common fields every record carries, read and checked before any contract sees
// them (envelope.h, parse_payload).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ledger/envelope_fixture.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::ledger {
namespace {

using namespace envelope_testing;

TEST_F(PayloadTest, ValidPayloadParses) { EXPECT_EQ(payload_code(payload_json()), ""); }

TEST_F(PayloadTest, MalformedJsonIsRejected) {
  for (const std::string& bad : std::vector<std::string>{
           "", "{", "{\"v\":1,}", "{'v':1}", "{\"v\":01}", "{\"v\":1 \"kind\":2}",
           payload_json() + " x", payload_json() + "{}", "{\"v\":1e999}",
           "\xEF\xBB\xBF" + payload_json()}) {
    EXPECT_EQ(payload_code(bad), "malformed_json") << bad;
  }
}

TEST_F(PayloadTest, PayloadThatIsNotAnObjectIsRejected) {
  for (const char* bad : {"[]", "\"rx\"", "1", "null", "false"}) {
    EXPECT_EQ(payload_code(bad), "not_an_object") << bad;
  }
}

TEST_F(PayloadTest, DuplicateTopLevelKeyIsRejected) {
  std::string payload = payload_json();
  payload.insert(1, "\"nonce\":\"n-0002\",");
  EXPECT_EQ(payload_code(payload), "duplicate_key");
}

TEST_F(PayloadTest, DuplicateKeyNestedInBodyIsRejected) {
  for (const char* body :
       {R"({"a":{"b":1,"b":2}})", R"({"drug":"x","drug":"y"})",
        R"({"items":[{"x":1},{"x":2,"x":3}]})", R"({"a":1,"\u0061":2})",
        R"({"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k0":10})",
        R"({"k":1,"a":{"z":1},"k":2})"}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{"body", body}})));
    EXPECT_EQ(result.status().code(), "duplicate_key") << body;
  }
}

TEST_F(PayloadTest, BodyHandedOverIsTheBodyOfTheSamePass) {
  for (const char* body : {R"({})", R"({"a":{"x":1},"b":[1,-2,"\u00e9",null,true,1.5]})",
                           R"({"rx_id":"ab","items":[{"drug_code":"N02BE01","quantity":2}]})"}) {
    const std::string payload = payload_json({{"body", body}});
    nlohmann::json handed = "untouched";
    auto fields = parse_payload(unsigned_envelope(payload), &handed);
    ASSERT_TRUE(fields.ok()) << body;
    EXPECT_EQ(handed, nlohmann::json::parse(body)) << body;
    EXPECT_EQ(fields->kind, parse_payload(unsigned_envelope(payload))->kind);
  }
  // Refusals are the same with or without the tree, and a refused payload leaves it alone.
  for (const std::string& bad :
       {payload_json({{"body", R"({"a":1,"a":2})"}}), payload_json({{"body", "[1]"}}),
        std::string("{\"v\":1,"), payload_json() + " x"}) {
    nlohmann::json handed = "untouched";
    EXPECT_EQ(parse_payload(unsigned_envelope(bad), &handed).status().code(), payload_code(bad)) << bad;
    EXPECT_EQ(handed, "untouched") << bad;
  }
}

TEST_F(PayloadTest, EqualKeysInDifferentObjectsAreAccepted) {
  for (const char* body : {R"({"a":{"x":1},"b":{"x":1}})", R"({"x":{"x":{"x":1}}})",
                           R"({"l":[{"x":1},{"x":2}],"x":3})", R"({"v":1,"body":{}})"}) {
    EXPECT_EQ(payload_code(payload_json({{"body", body}})), "") << body;
  }
}

TEST_F(PayloadTest, UnknownFieldIsRejected) {
  auto result = parse_payload(unsigned_envelope(payload_json({{"patient", "\"p\""}})));
  EXPECT_EQ(result.status().code(), "unknown_field");
  EXPECT_NE(result.status().message().find("patient"), std::string::npos);
}

TEST_F(PayloadTest, EachMissingFieldIsRejectedByName) {
  for (const char* name : {"v", "kind", "org", "actor", "ts", "nonce", "body"}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{name, kOmit}})));
    EXPECT_EQ(result.status().code(), "missing_field") << name;
    EXPECT_NE(result.status().message().find(std::string("\"") + name + "\""), std::string::npos)
        << result.status().message();
  }
}

TEST_F(PayloadTest, EachFieldOfWrongTypeIsRejectedByName) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"v", {"\"1\"", "1.0", "1e0", "true", "null", "[1]", "{}"}},
      {"kind", {"1", "null", "[]", "{}", "false"}},
      {"org", {"1", "null", "[\"hosp-xa-01\"]"}},
      {"actor", {"1", "null", "{}"}},
      {"ts", {"20261123", "null", "[]"}},
      {"nonce", {"1", "null", "{}"}},
      {"body", {"\"x\"", "[]", "null", "1"}}};
  for (const auto& [name, values] : cases) {
    for (const auto& value : values) {
      auto result = parse_payload(unsigned_envelope(payload_json({{name, value}})));
      EXPECT_EQ(result.status().code(), "wrong_type") << name << "=" << value;
      EXPECT_NE(result.status().message().find("\"" + name + "\""), std::string::npos)
          << result.status().message();
    }
  }
}

TEST_F(PayloadTest, UnsupportedVersionIsRejected) {
  for (const char* v : {"2", "0", "-1", "18446744073709551615"}) {
    EXPECT_EQ(payload_code(payload_json({{"v", v}})), "unsupported_version") << v;
  }
}

TEST_F(PayloadTest, PayloadOver56KiBIsRejected) {
  std::string small = payload_json({{"body", R"({"pad":""})"}});
  size_t pad = kMaxPayloadBytes - small.size();
  std::string at_limit = payload_json({{"body", "{\"pad\":\"" + std::string(pad, 'x') + "\"}"}});
  ASSERT_EQ(at_limit.size(), kMaxPayloadBytes);
  EXPECT_EQ(payload_code(at_limit), "");
  std::string over = payload_json({{"body", "{\"pad\":\"" + std::string(pad + 1, 'x') + "\"}"}});
  ASSERT_EQ(over.size(), 56u * 1024 + 1);
  EXPECT_EQ(payload_code(over), "payload_too_large");
}

TEST_F(PayloadTest, PayloadWithInvalidUtf8IsRejected) {
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"drug\":\"a\xC0\xAF\"}"}})), "invalid_utf8");
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"d\":\"\xED\xA0\x80\"}"}})), "invalid_utf8");
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"d\":\"\xFF\"}"}})), "invalid_utf8");
  EXPECT_EQ(payload_code(payload_json({{"body", "{\"d\":\"处方\"}"}})), "");
}

TEST_F(PayloadTest, NestingDeeperThan32IsRejected) {
  // The payload object is level 1 and body level 2, so 30 more arrays reach level 32.
  auto body = [](int arrays) {
    return "{\"a\":" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  EXPECT_EQ(payload_code(payload_json({{"body", body(30)}})), "");
  auto result = parse_payload(unsigned_envelope(payload_json({{"body", body(31)}})));
  EXPECT_EQ(result.status().code(), "malformed_json");
  EXPECT_NE(result.status().message().find("deep"), std::string::npos);
  EXPECT_EQ(payload_code(std::string(50000, '[')), "malformed_json");
}

TEST_F(PayloadTest, ValidTimestampsAreAccepted) {
  for (const char* ts : {"2026-11-23T10:00:00Z", "2026-11-23T10:00:00.5Z",
                         "2026-11-23T18:00:00+08:00", "2024-02-29T23:59:59-05:30",
                         "2000-02-29T00:00:00.123456789+00:00", "2026-12-31T23:59:59+23:59"}) {
    EXPECT_EQ(payload_code(payload_json({{"ts", json_str(ts)}})), "") << ts;
  }
}

TEST_F(PayloadTest, BadTimestampIsRejected) {
  for (const char* ts : {"2026-13-01T00:00:00Z",
                         "2026-11-23 10:00:00",
                         "2026-11-23T10:00:00",
                         "2026-11-23 10:00:00Z",
                         "2026-00-10T00:00:00Z",
                         "2026-11-00T00:00:00Z",
                         "2026-11-31T00:00:00Z",
                         "2026-02-29T00:00:00Z",
                         "1900-02-29T00:00:00Z",
                         "2026-11-23T24:00:00Z",
                         "2026-11-23T10:60:00Z",
                         "2026-11-23T10:00:60Z",
                         "2026-11-23t10:00:00z",
                         "2026-11-23T10:00:00+0800",
                         "2026-11-23T10:00:00+24:00",
                         "2026-11-23T10:00:00+08:60",
                         "2026-11-23T10:00:00.Z",
                         "2026-11-23T10:00:00.1234567890Z",
                         "2026-11-23T10:00:00Zjunk",
                         "26-11-23T10:00:00Z",
                         "2026-1-23T10:00:00Z",
                         "",
                         "Z",
                         "2026-11-23T10:00Z",
                         "2026-11-23",
                         "+2026-11-23T10:00:00Z",
                         "2026-11-23T10:00:00 Z"}) {
    EXPECT_EQ(payload_code(payload_json({{"ts", json_str(ts)}})), "bad_timestamp") << ts;
  }
}

TEST_F(PayloadTest, BadKindIsRejected) {
  for (const std::string& kind :
       std::vector<std::string>{"", "Rx.issue", "rx..issue", "rx.", ".rx", "1rx", "rx.1ssue",
                                "rx-issue", "rx issue", "_rx", std::string(65, 'a')}) {
    EXPECT_EQ(payload_code(payload_json({{"kind", json_str(kind)}})), "bad_field") << kind;
  }
  for (const std::string& kind :
       std::vector<std::string>{"rx", "rx.issue", "rx.issue_v2.a1", std::string(64, 'a')}) {
    EXPECT_EQ(payload_code(payload_json({{"kind", json_str(kind)}})), "") << kind;
  }
}

TEST_F(PayloadTest, BadNonceIsRejected) {
  for (const std::string& nonce : std::vector<std::string>{"", std::string(129, 'n'), "tab\\there",
                                                           "caf\\u00e9", "\\u007f", "nl\\n"}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{"nonce", json_str(nonce)}})));
    EXPECT_EQ(result.status().code(), "bad_field") << nonce;
    EXPECT_NE(result.status().message().find("nonce"), std::string::npos);
  }
  for (const std::string& nonce :
       std::vector<std::string>{std::string(128, 'n'), "a b!~", "\\u0041"}) {
    EXPECT_EQ(payload_code(payload_json({{"nonce", json_str(nonce)}})), "") << nonce;
  }
}

TEST_F(PayloadTest, BadOrgIsRejected) {
  for (const std::string& org : std::vector<std::string>{"", "Hosp-xa-01", "-hosp", "hosp/xa",
                                                         "hosp xa", std::string(65, 'h')}) {
    EXPECT_EQ(payload_code(payload_json({{"org", json_str(org)}})), "bad_field") << org;
  }
}

TEST_F(PayloadTest, BadActorIsRejected) {
  for (const std::string& actor :
       std::vector<std::string>{"hosp-xa-01", "hosp-xa-01/", "/dr-li", "hosp-xa-01/dr/li",
                                "hosp-xa-01/Dr-Li", "hosp-xa-01/" + std::string(118, 'a')}) {
    auto result = parse_payload(unsigned_envelope(payload_json({{"actor", json_str(actor)}})));
    EXPECT_EQ(result.status().code(), "bad_field") << actor;
    EXPECT_NE(result.status().message().find("actor"), std::string::npos);
  }
}

TEST_F(PayloadTest, ActorDifferentFromSignerIsRejected) {
  auto result = parse_payload(unsigned_envelope(payload_json(), "hosp-xa-01/dr-wang"));
  EXPECT_EQ(result.status().code(), "actor_mismatch");
}

TEST_F(PayloadTest, ActorOfAnotherOrgIsRejected) {
  std::string payload = payload_json({{"actor", "\"hosp-bj-02/dr-wang\""}});
  auto result = parse_payload(unsigned_envelope(payload, "hosp-bj-02/dr-wang"));
  EXPECT_EQ(result.status().code(), "bad_field");
  EXPECT_NE(result.status().message().find("hosp-bj-02"), std::string::npos);
  EXPECT_EQ(sign_envelope(to_bytes(payload), key_).status().code(), "bad_field");
}

// ---- Signatures ----

}  // namespace
}  // namespace medtrail::ledger
