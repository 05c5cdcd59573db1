#pragma once
// Signed records for the integration tests and a submitter that keeps resending until every
// record has a final answer. Records are made with the organisations' admin keys; the payload
// kind is identity.register (an operator per record), which the contracts accept from an admin.
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "integration/cluster_harness.h"

namespace medtrail::integration {

struct Record {
  std::string id;    // record id (hex of the payload hash)
  std::string wire;  // the envelope's wire JSON
};

Record make_record(const ledger::KeyPair& key, const std::string& org, const std::string& nonce);
// `count` records of `org`, nonces "<prefix>-<first>".."<prefix>-<first+count-1>".
std::vector<Record> make_records(const Cluster& cluster, const std::string& org,
                                 const std::string& prefix, size_t first, size_t count);
// The JSON array of the records' envelopes.
std::string array_body(const std::vector<Record>& records);

// Per record id, the status the node answered ("committed", "pending", ...).
struct SubmitAnswer {
  testing::HttpResponse http;
  std::vector<std::pair<std::string, std::string>> statuses;  // in request order
  std::string problem;  // not a well-formed answer for this array
};
SubmitAnswer submit_array(testing::HttpClient& client, const std::vector<Record>& records);

// One HTTP client per listed node.
std::vector<testing::HttpClient> clients_for(const Cluster& cluster, const std::vector<int>& nodes,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

struct SubmitStats {
  size_t attempts = 0;
  size_t retries = 0;  // attempts beyond the first of each call
  std::map<std::string, size_t> retry_reasons;  // "HTTP 429", "pending", "connect: ...", ...
  std::string last_error;
};

// Posts `records` with ?wait=commit, starting at node `first_node` and moving to the next node
// after an error, until every record is answered "committed" or "duplicate" (both mean: on the
// chain). Records answered "rejected" or "invalid" fail at once. Returns false, with the reason
// in `stats.last_error`, on such an answer, when `deadline` passes or once `*abandon` is set.
bool submit_until_final(std::vector<testing::HttpClient>& clients, std::vector<Record> records,
                        size_t first_node, std::chrono::steady_clock::time_point deadline,
                        SubmitStats& stats, const std::atomic<bool>* abandon = nullptr);

// How often the tests poll a cluster with wait_until (support/poll.h): each poll asks node
// processes over HTTP, so it runs less often than for an in-process condition.
inline constexpr std::chrono::milliseconds kClusterPoll{100};

// Whether a /v1/status answer lists node `id` in `field` ("voters", "learners").
bool lists(const nlohmann::json& status, const char* field, const std::string& id);

}  // namespace medtrail::integration
