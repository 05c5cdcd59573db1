#include "integration/member_reader.h"

#include <atomic>
#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "integration/workload.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::integration {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::atomic<uint64_t> next_nonce{0};

std::string fresh_nonce() {
  return std::to_string(now_ms()) + "-" + std::to_string(next_nonce.fetch_add(1));
}

}  // namespace

MemberReader::MemberReader(Cluster& cluster, const std::string& name) : id_("reg-c/" + name) {
  auto genesis = ledger::load_genesis_file(cluster.genesis_path());
  if (!genesis.ok()) throw std::runtime_error("genesis: " + genesis.status().to_string());
  genesis_ = std::move(*genesis);
  key_ = genesis_.suite->generate_keypair().value();
  nlohmann::json payload = {
      {"v", 1},
      {"kind", "identity.register"},
      {"org", "reg-c"},
      {"actor", "reg-c/admin"},
      {"ts", ledger::unix_ms_to_rfc3339(now_ms())},
      {"nonce", fresh_nonce()},
      {"body",
       {{"user_id", name},
        {"role", "auditor"},
        {"public_key", ledger::to_hex(key_.public_key)},
        {"valid_from", "2020-01-01"},
        {"valid_until", "2099-12-31"}}}};
  auto envelope = ledger::sign_envelope(ledger::to_bytes(payload.dump()), cluster.admin_key("reg-c"));
  if (!envelope.ok()) throw std::runtime_error("sign: " + envelope.status().to_string());
  Record record{ledger::record_id(*envelope).value(), ledger::envelope_to_wire(*envelope)};
  std::vector<int> nodes;
  for (int i = 0; i < cluster.size(); ++i) {
    if (cluster.running(i)) nodes.push_back(i);
  }
  std::vector<testing::HttpClient> clients = clients_for(cluster, nodes);
  SubmitStats stats;
  if (!submit_until_final(clients, {record}, 0, std::chrono::steady_clock::now() + std::chrono::minutes(1),
                          stats)) {
    throw std::runtime_error("registering " + id_ + ": " + stats.last_error);
  }
  if (!cluster.wait_converged(std::chrono::seconds(30))) {
    throw std::runtime_error("registering " + id_ + ": the nodes did not converge");
  }
}

std::string MemberReader::authorization(const std::string& node, const std::string& target) const {
  auto value = ledger::sign_query(*genesis_.suite, genesis_.chain_id, key_, id_, {"GET", target, "", "audit", node},
                                  now_ms(), fresh_nonce());
  if (!value.ok()) throw std::runtime_error("sign_query: " + value.status().to_string());
  return *value;
}

testing::HttpResponse MemberReader::get(testing::HttpClient& client, const std::string& node,
                                        const std::string& target) const {
  return client.get(target, {{"Authorization", authorization(node, target)}});
}

}  // namespace medtrail::integration
