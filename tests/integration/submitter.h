#pragma once
// People of a test cluster's organisations signing records and committing them through a node,
// as a member's client does: the admins genesis made, and people they register.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/cluster_harness.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::integration {

struct Person {
  std::string id;  // "<org>/<user>"
  std::string org;
  ledger::KeyPair key;
};

// An rx.issue body for 24 amoxicillin capsules (J01CA04), with a diagnosis and a dosage: the
// confidential fields a sealing client would seal.
nlohmann::json amoxicillin_prescription();
// Its confidential text, which no sealed payload, node answer or log may hold.
inline constexpr const char* kPrescriptionSecrets[] = {"Amoxicillin capsules", "three times a day",
                                                       "J02.9"};

class Submitter {
 public:
  explicit Submitter(Cluster& cluster) : cluster_(cluster) {}

  // A payload {v, kind, org, actor, ts, nonce, body} with a fresh nonce, signed by `who`.
  ledger::Envelope sign(const Person& who, const std::string& kind, const nlohmann::json& body);
  // The same payload without its signature, for a client that changes it first (`medtrail seal`).
  nlohmann::json payload(const Person& who, const std::string& kind, const nlohmann::json& body);
  // Submits through node `i` and waits for the commit; returns the record's result object.
  nlohmann::json commit(int i, const ledger::Envelope& e);
  // As the author's client does with confidential fields: `who`'s payload through `medtrail seal`
  // (with `seal_args` after --payload), signed and committed through node `i`. The result object,
  // with "record_id" and "sealed_payload" (the payload as sealed) added.
  nlohmann::json commit_sealed(int i, const Person& who, const std::string& kind,
                               const nlohmann::json& body,
                               const std::vector<std::string>& seal_args);
  // An organisation's genesis admin.
  Person admin(const std::string& org) const;
  // Registers a person (with a licence) through node 0, and waits until every running node has
  // applied it: each node admits a record only from a signer its own state knows, and a test's
  // next record may go to any node.
  Person registered(const std::string& org, const std::string& user, const std::string& role);

 private:
  // commit()'s whole answer: the record's status, with its "height" and "result".
  nlohmann::json committed(int i, const ledger::Envelope& e);

  Cluster& cluster_;
  uint64_t nonce_ = 0;
};

}  // namespace medtrail::integration
