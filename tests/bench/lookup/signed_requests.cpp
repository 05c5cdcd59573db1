#include "bench/lookup/signed_requests.h"

#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "bench/lookup/workload.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::bench::lookup {

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string read_word(const std::string& path) {
  std::vector<std::string> lines = read_lines(path);
  return lines.empty() ? "" : lines[0];
}

// Signed queries by the person whose key and id are <dir>/<who>.key and <dir>/<who>.id, for
// targets(i), on two threads.
int sign_queries(const SignSpec& spec, const std::string& who, const std::string& purpose,
                 const std::function<std::string(uint64_t)>& targets, std::ofstream& out) {
  auto key = ledger::load_key_file(spec.dir + "/" + who + ".key");
  auto chain = ledger::hash_from_hex(read_word(spec.dir + "/chain-id"));
  const std::string signer = read_word(spec.dir + "/" + who + ".id");
  const std::string node = read_word(spec.dir + "/node-id");
  if (!key.ok() || !chain.ok() || signer.empty() || node.empty()) {
    std::cerr << "lookup_bench sign: cannot read the keys, ids or chain id in " << spec.dir << "\n";
    return 1;
  }
  std::vector<std::string> lines(spec.count);
  std::vector<std::string> paths(spec.count);
  for (uint64_t i = 0; i < spec.count; ++i) paths[i] = targets(i);
  const int64_t now = wall_ms();
  std::vector<std::thread> workers;
  std::atomic<bool> failed{false};
  for (unsigned t = 0; t < 2; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = t; i < spec.count; i += 2) {
        auto auth = ledger::sign_query(ledger::ed25519_sha256(), chain.value(), key.value(), signer,
                                       {"GET", paths[i], "", purpose, node}, now,
                                       std::to_string(now) + "-" + std::to_string(i));
        if (!auth.ok()) {
          failed = true;
          return;
        }
        lines[i] = "GET\t" + paths[i] + "\t" + auth.value() + "\t";
      }
    });
  }
  for (std::thread& w : workers) w.join();
  if (failed) {
    std::cerr << "lookup_bench sign: signing a query failed\n";
    return 1;
  }
  for (const std::string& line : lines) out << line << "\n";
  return 0;
}

}  // namespace

int sign_requests(const SignSpec& spec) {
  std::ofstream out(spec.out);
  if (!out) {
    std::cerr << "lookup_bench sign: cannot write " << spec.out << "\n";
    return 1;
  }
  if (spec.what == "verify") {
    std::vector<std::string> ids = read_lines(spec.dir + "/rx-ids");
    if (ids.empty()) {
      std::cerr << "lookup_bench sign: no prescriptions in " << spec.dir << "/rx-ids\n";
      return 1;
    }
    std::mt19937_64 rng(spec.count);
    return sign_queries(spec, "pharmacist", "dispensing",
                        [&](uint64_t) { return "/v1/prescriptions/" + ids[rng() % ids.size()]; }, out);
  }
  if (spec.what == "query") {
    return sign_queries(spec, "inspector", "audit", [&](uint64_t) { return spec.target; }, out);
  }
  if (spec.what == "ingest") {
    auto key = ledger::load_key_file(spec.dir + "/operator.key");
    const std::string actor = read_word(spec.dir + "/operator.id");
    if (!key.ok() || actor.empty()) {
      std::cerr << "lookup_bench sign: cannot read the operator's key in " << spec.dir << "\n";
      return 1;
    }
    std::vector<std::string> payloads;
    const int64_t now = wall_ms();
    for (uint64_t i = 0; i < spec.count; ++i) {
      payloads.push_back(tableware_batch_payload(actor, batch_code(spec.prefix, i), now));
    }
    for (const ledger::Envelope& e : sign_all(payloads, key.value(), 2)) {
      out << "POST\t/v1/records?wait=commit\t\t" << ledger::envelope_to_wire(e) << "\n";
    }
    return 0;
  }
  std::cerr << "lookup_bench sign: --what is verify, ingest or query\n";
  return 1;
}

}  // namespace medtrail::bench::lookup
