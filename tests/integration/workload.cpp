#include "integration/workload.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "medtrail/ledger/envelope.h"
#include "support/chain_fixture.h"

namespace medtrail::integration {

using testing::HttpClient;

Record make_record(const ledger::KeyPair& key, const std::string& org, const std::string& nonce) {
  std::string payload = medtrail::testing::make_admin_payload(org, nonce, key.public_key.size());
  auto envelope = ledger::sign_envelope(ledger::Bytes(payload.begin(), payload.end()), key);
  if (!envelope.ok()) throw std::runtime_error("sign: " + envelope.status().to_string());
  return Record{ledger::record_id(*envelope).value(), ledger::envelope_to_wire(*envelope)};
}

std::vector<Record> make_records(const Cluster& cluster, const std::string& org,
                                 const std::string& prefix, size_t first, size_t count) {
  std::vector<Record> records;
  records.reserve(count);
  const auto& key = cluster.admin_key(org);
  for (size_t i = first; i < first + count; ++i) {
    records.push_back(make_record(key, org, prefix + "-" + std::to_string(i)));
  }
  return records;
}

std::string array_body(const std::vector<Record>& records) {
  std::string body = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) body += ",";
    body += records[i].wire;
  }
  return body + "]";
}

SubmitAnswer submit_array(HttpClient& client, const std::vector<Record>& records) {
  SubmitAnswer answer;
  answer.http = client.post("/v1/records?wait=commit", array_body(records));
  if (!answer.http.ok()) {
    answer.problem = answer.http.error;
    return answer;
  }
  if (answer.http.status != 200 && answer.http.status != 202) {
    answer.problem = "HTTP " + std::to_string(answer.http.status) + ": " + answer.http.body.substr(0, 300);
    return answer;
  }
  auto json = nlohmann::json::parse(answer.http.body, nullptr, false);
  if (json.is_discarded() || !json.contains("records") || !json["records"].is_array() ||
      json["records"].size() != records.size()) {
    answer.problem = "unexpected answer: " + answer.http.body.substr(0, 300);
    return answer;
  }
  for (const auto& r : json["records"]) {
    answer.statuses.emplace_back(r.value("id", ""), r.value("status", ""));
  }
  return answer;
}

bool submit_until_final(std::vector<HttpClient>& clients, std::vector<Record> records,
                        size_t first_node, std::chrono::steady_clock::time_point deadline,
                        SubmitStats& stats, const std::atomic<bool>* abandon) {
  size_t node = first_node % clients.size();
  for (bool first = true; !records.empty(); first = false) {
    if (abandon != nullptr && abandon->load()) {
      stats.last_error = "abandoned";
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stats.last_error = "deadline passed with " + std::to_string(records.size()) +
                         " records not final; last error: " + stats.last_error;
      return false;
    }
    ++stats.attempts;
    if (!first) ++stats.retries;
    SubmitAnswer answer = submit_array(clients[node], records);
    if (!answer.problem.empty()) {
      stats.last_error = "node " + std::to_string(node) + ": " + answer.problem;
      ++stats.retry_reasons[answer.http.ok() ? "HTTP " + std::to_string(answer.http.status)
                                             : answer.http.error.substr(0, 40)];
      // 429 asks to come back later; anything else: another node may do better.
      if (answer.http.status == 429) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      } else {
        node = (node + 1) % clients.size();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (answer.http.status == 400 || answer.http.status == 403) return false;
      continue;
    }
    std::vector<Record> open;
    for (size_t i = 0; i < records.size(); ++i) {
      const auto& [id, status] = answer.statuses[i];
      if (id != records[i].id) {
        stats.last_error = "answer " + std::to_string(i) + " names record " + id + ", sent " +
                           records[i].id;
        return false;
      }
      if (status == "committed" || status == "duplicate") continue;
      if (status == "pending" || status == "overloaded") {
        if (open.empty()) ++stats.retry_reasons[status];
        open.push_back(records[i]);
        continue;
      }
      stats.last_error = "record " + id + " answered \"" + status + "\": " + answer.http.body.substr(0, 300);
      return false;
    }
    if (!open.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    records = std::move(open);
  }
  return true;
}

std::vector<HttpClient> clients_for(const Cluster& cluster, const std::vector<int>& nodes,
                                    std::chrono::milliseconds timeout) {
  std::vector<HttpClient> clients;
  for (int i : nodes) clients.push_back(cluster.client(i, timeout));
  return clients;
}

bool lists(const nlohmann::json& status, const char* field, const std::string& id) {
  if (!status.contains(field)) return false;
  for (const auto& v : status[field]) {
    if (v == id) return true;
  }
  return false;
}

}  // namespace medtrail::integration
