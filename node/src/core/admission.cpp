#include "core/admission.h"

#include "core/envelope_screen.h"

#include <algorithm>
#include <memory>
#include <mutex>

namespace medtrail::node {

namespace {

// Below this many envelopes the request's own thread verifies them: handing a few signatures
// to the pool costs more than it saves, and io threads already run on every core.
constexpr size_t kPoolThreshold = 8;

// Collects a request's statuses; calls `done` when the last one arrives.
class Gather {
 public:
  Gather(size_t n, Admission::Done done) : statuses_(n), remaining_(n), done_(std::move(done)) {}
  void set(size_t i, RecordStatus status) {
    Admission::Done done;
    {
      std::lock_guard lock(mu_);
      statuses_[i] = std::move(status);
      if (--remaining_ != 0) return;
      done = std::move(done_);
    }
    done(std::move(statuses_));
  }

 private:
  std::mutex mu_;
  std::vector<RecordStatus> statuses_;
  size_t remaining_;
  Admission::Done done_;
};

RecordStatus duplicate_of(const ledger::ChainStore& store, std::string id, uint64_t leaf_index) {
  auto leaf = store.leaf_at(leaf_index);
  if (!leaf.ok()) return RecordStatus::invalid(std::move(id), "internal", "stored leaf unreadable");
  RecordStatus s;
  s.id = std::move(id);
  s.state = RecordState::kDuplicate;
  s.height = leaf->height;
  s.leaf_index = leaf_index;
  s.result = leaf->result;
  return s;
}

}  // namespace

void Admission::submit(std::vector<Result<ledger::Envelope>> items, bool wait_for_commit,
                       Clock::time_point deadline, Done done) {
  const size_t n = items.size();
  if (n == 0) return done({});

  // An item that did not parse has no screening; its refusal carries no id.
  std::vector<ScreenedEnvelope> checked(n);
  auto check = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (!items[i].ok()) {
        checked[i].code = items[i].status().code();
        checked[i].message = items[i].status().message();
        continue;
      }
      checked[i] = screen_envelope(store_, signers_, *items[i]);
    }
  };
  if (n < kPoolThreshold) {
    check(0, n);
  } else {
    verify_pool_.parallel_for(n, check);
  }

  admit(std::move(items), std::move(checked), wait_for_commit, deadline, std::move(done));
}

void Admission::submit_screened(std::vector<ledger::Envelope> envelopes, std::vector<ScreenedEnvelope> screened,
                                bool wait_for_commit, Clock::time_point deadline, Done done) {
  if (envelopes.size() != screened.size()) {
    // A caller's mistake, not a client's: refuse every item rather than admit unscreened ones.
    std::vector<RecordStatus> refused(envelopes.size(),
                                      RecordStatus::invalid("", "internal", "envelopes and screenings differ"));
    return done(std::move(refused));
  }
  if (envelopes.empty()) return done({});
  std::vector<Result<ledger::Envelope>> items;
  items.reserve(envelopes.size());
  for (ledger::Envelope& e : envelopes) items.emplace_back(std::move(e));
  admit(std::move(items), std::move(screened), wait_for_commit, deadline, std::move(done));
}

void Admission::admit(std::vector<Result<ledger::Envelope>> items, std::vector<ScreenedEnvelope> checked,
                      bool wait_for_commit, Clock::time_point deadline, Done done) {
  const size_t n = items.size();
  const ledger::CryptoSuite& suite = store_.suite();
  auto gather = std::make_shared<Gather>(n, std::move(done));
  const auto now = time_.now();
  std::vector<ledger::Envelope> to_queue;
  std::vector<size_t> queued_items;
  std::vector<size_t> answer_pending;  // no wait asked: answered "pending" once queued
  for (size_t i = 0; i < n; ++i) {
    ScreenedEnvelope& c = checked[i];
    if (!c.ok) {
      gather->set(i, RecordStatus::invalid(c.id, c.code, c.message));
      continue;
    }
    RecordTracker::Waiter waiter;
    if (wait_for_commit) {
      waiter = [gather, i](const RecordStatus& s) { gather->set(i, s); };
    }
    RecordTracker::Begin begun = tracker_.begin(c.hash, now + pending_ttl_, waiter, deadline, now);
    if (begun != RecordTracker::Begin::kAlreadyPending) {
      // Pending now; only the chain itself can say it is already there.
      if (auto existing = store_.find_record(c.hash); existing.ok()) {
        RecordStatus dup = duplicate_of(store_, c.id, *existing);
        tracker_.resolve(c.hash, dup);
        if (!wait_for_commit) gather->set(i, std::move(dup));
        continue;
      }
      if (verified_ != nullptr) {
        verified_->add(VerifiedSignatures::key_of(suite, *items[i], c.key));
      }
      to_queue.push_back(std::move(*items[i]));
      queued_items.push_back(i);
    }
    if (!wait_for_commit) answer_pending.push_back(i);
  }

  if (!to_queue.empty() && !queue_.push(std::move(to_queue), now)) {
    for (size_t i : queued_items) {
      RecordStatus s;
      s.id = checked[i].id;
      s.state = RecordState::kOverloaded;
      s.code = "overloaded";
      s.message = "the admission queue is full; retry later";
      tracker_.resolve(checked[i].hash, s);  // answers waiters, this request's included
      if (!wait_for_commit) gather->set(i, s);
    }
    if (!wait_for_commit) {
      for (size_t i : answer_pending) {
        if (std::find(queued_items.begin(), queued_items.end(), i) == queued_items.end()) {
          RecordStatus s;
          s.id = checked[i].id;
          gather->set(i, s);
        }
      }
    }
    return;
  }
  for (size_t i : answer_pending) {
    RecordStatus s;
    s.id = checked[i].id;
    gather->set(i, s);
  }
}

}  // namespace medtrail::node
