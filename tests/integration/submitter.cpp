#include "integration/submitter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace medtrail::integration {

using testing::HttpClient;
using testing::HttpResponse;

nlohmann::json amoxicillin_prescription() {
  return {{"patient_ref", std::string(64, 'a')},
          {"type", "normal"},
          {"channel", "offline"},
          {"diagnosis_code", "J02.9"},
          {"items",
           {{{"drug_code", "J01CA04"},
             {"name", "Amoxicillin capsules"},
             {"strength", "250 mg"},
             {"quantity", 24},
             {"unit", "capsule"},
             {"dosage", "500 mg three times a day"},
             {"days_supply", 4}}}}};
}

nlohmann::json Submitter::payload(const Person& who, const std::string& kind,
                                  const nlohmann::json& body) {
  return {{"v", 1},
          {"kind", kind},
          {"org", who.org},
          {"actor", who.id},
          {"ts", "2026-11-23T10:00:00Z"},
          {"nonce", "it-" + std::to_string(++nonce_)},
          {"body", body}};
}

ledger::Envelope Submitter::sign(const Person& who, const std::string& kind,
                                 const nlohmann::json& body) {
  auto e = ledger::sign_envelope(ledger::to_bytes(payload(who, kind, body).dump()), who.key);
  EXPECT_TRUE(e.ok()) << e.status().to_string();
  return *e;
}

namespace {

// The JSON line of a CLI run's output (its stderr lines are plain text).
std::string json_line(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() == '{') return line;
  }
  return "";
}

}  // namespace

nlohmann::json Submitter::commit_sealed(int i, const Person& who, const std::string& kind,
                                        const nlohmann::json& body,
                                        const std::vector<std::string>& seal_args) {
  const std::string payload_path =
      cluster_.dir() + "/payload-" + std::to_string(++nonce_) + ".json";
  std::ofstream(payload_path) << payload(who, kind, body).dump();
  std::vector<std::string> args = {"seal", "--payload", payload_path};
  args.insert(args.end(), seal_args.begin(), seal_args.end());
  std::string output;
  EXPECT_EQ(cluster_.run_cli(args, &output), 0) << output;
  const std::string sealed_payload = json_line(output);
  auto envelope = ledger::sign_envelope(ledger::to_bytes(sealed_payload), who.key);
  EXPECT_TRUE(envelope.ok()) << envelope.status().to_string() << "\n" << output;
  if (!envelope.ok()) return {{"sealed_payload", sealed_payload}, {"seal_output", output}};
  nlohmann::json result = commit(i, *envelope);
  result["record_id"] = ledger::record_id(*envelope).value();
  result["sealed_payload"] = sealed_payload;
  result["seal_output"] = output;
  return result;
}

nlohmann::json Submitter::committed(int i, const ledger::Envelope& e) {
  HttpClient client = cluster_.client(i);
  HttpResponse r = client.post("/v1/records?wait=commit", ledger::envelope_to_wire(e));
  EXPECT_EQ(r.status, 200) << r.error << r.body;
  auto answer = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_TRUE(answer.is_object() && answer.contains("result")) << r.body;
  return answer.is_object() ? answer : nlohmann::json::object();
}

nlohmann::json Submitter::commit(int i, const ledger::Envelope& e) {
  nlohmann::json answer = committed(i, e);
  return answer.contains("result") ? answer["result"] : nlohmann::json();
}

Person Submitter::admin(const std::string& org) const {
  const ledger::KeyPair& k = cluster_.admin_key(org);
  return {org + "/admin", org, {k.suite, k.public_key, k.secret}};
}

Person Submitter::registered(const std::string& org, const std::string& user,
                             const std::string& role) {
  Person p{org + "/" + user, org, ledger::ed25519_sha256().generate_keypair().value()};
  nlohmann::json answer = committed(0, sign(admin(org), "identity.register",
                                            {{"user_id", user},
                                             {"role", role},
                                             {"public_key", ledger::to_hex(p.key.public_key)},
                                             {"licence_no", "LIC-" + user},
                                             {"valid_from", "2026-01-01"},
                                             {"valid_until", "2099-12-31"}}));
  const nlohmann::json result = answer.value("result", nlohmann::json::object());
  EXPECT_EQ(result.value("accepted", false), true) << answer.dump();
  EXPECT_TRUE(cluster_.wait_applied_everywhere(answer.value("height", uint64_t{0})))
      << "registration of " << p.id << " at height " << answer.value("height", uint64_t{0})
      << " not applied on every node";
  return p;
}

}  // namespace medtrail::integration
