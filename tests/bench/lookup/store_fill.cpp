#include "bench/lookup/store_fill.h"

#include <chrono>
#include <future>
#include <stdexcept>

#include "bench/lookup/workload.h"

namespace medtrail::bench::lookup {

using node::RecordState;
using node::RecordStatus;
using node::api::testing::ApiStack;
using node::api::testing::Person;

namespace {

// Commits `count` records, payload(i) signed by `who`, in chunks: the next chunk is built and
// signed while the previous one is admitted and committed. `done(i, status)` for each.
void commit_stream(ApiStack& stack, const Person& who, uint64_t count, const FillSpec& spec,
                   const std::function<std::string(uint64_t)>& payload,
                   const std::function<void(uint64_t, const RecordStatus&)>& done) {
  std::future<std::vector<RecordStatus>> in_flight;
  uint64_t in_flight_first = 0;
  auto settle = [&] {
    if (!in_flight.valid()) return;
    std::vector<RecordStatus> statuses = in_flight.get();
    for (size_t k = 0; k < statuses.size(); ++k) done(in_flight_first + k, statuses[k]);
  };
  for (uint64_t first = 0; first < count; first += spec.chunk) {
    if (spec.stop && spec.stop()) {
      settle();
      throw Stopped();
    }
    const uint64_t n = std::min<uint64_t>(spec.chunk, count - first);
    std::vector<std::string> payloads;
    payloads.reserve(n);
    for (uint64_t i = first; i < first + n; ++i) payloads.push_back(payload(i));
    std::vector<ledger::Envelope> envelopes = sign_all(payloads, who.key, 2);
    settle();
    in_flight_first = first;
    in_flight = std::async(std::launch::async, [&stack, envelopes = std::move(envelopes)]() mutable {
      return stack.commit_all(std::move(envelopes));
    });
  }
  settle();
}

void require_accepted(const std::string& what, const RecordStatus& s) {
  if (s.state != RecordState::kCommitted) {
    throw std::runtime_error(what + ": " + node::record_state_name(s.state) + " " + s.code + " " +
                             s.result.reason_code + " " + s.result.reason + s.message);
  }
}

}  // namespace

FillResult fill_store(ApiStack& stack, const Person& operator_, const Person& doctor, const FillSpec& spec,
                      const std::function<void(uint64_t)>& progress) {
  FillResult result;
  result.codes.resize(spec.tableware);
  result.rx_ids.resize(spec.prescriptions);
  const auto start = std::chrono::steady_clock::now();
  const int64_t now = wall_ms();
  auto count = [&] {
    if (++result.records % 100000 == 0) progress(result.records);
  };
  commit_stream(
      stack, operator_, spec.tableware, spec,
      [&](uint64_t i) {
        result.codes[i] = batch_code("", i);
        return tableware_batch_payload(operator_.id, result.codes[i], now);
      },
      [&](uint64_t i, const RecordStatus& s) {
        require_accepted("tableware.batch " + result.codes[i], s);
        count();
      });
  commit_stream(
      stack, doctor, spec.prescriptions, spec, [&](uint64_t i) { return rx_issue_payload(doctor.id, i, now); },
      [&](uint64_t i, const RecordStatus& s) {
        require_accepted("rx.issue " + std::to_string(i), s);
        result.rx_ids[i] = s.id;
        count();
      });
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace medtrail::bench::lookup
