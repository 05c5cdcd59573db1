#include "sim/linearizability.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "sim/hash.h"

namespace medtrail::sim {
namespace {

struct ModelState {
  size_t length = 0;
  uint64_t digest = 0;
};

uint64_t digest_of(const std::vector<uint64_t>& values) {
  uint64_t d = 0;
  for (uint64_t v : values) d = fold(d, v);
  return d;
}

// The history as Lowe's doubly linked list of call and return events.
struct Event {
  size_t op = 0;
  bool is_call = false;
  Event* match = nullptr;  // a call's return
  Event* prev = nullptr;
  Event* next = nullptr;
};

void lift(Event* call) {
  call->prev->next = call->next;
  call->next->prev = call->prev;
  Event* ret = call->match;
  ret->prev->next = ret->next;
  if (ret->next) ret->next->prev = ret->prev;
}

void unlift(Event* call) {
  Event* ret = call->match;
  ret->prev->next = ret;
  if (ret->next) ret->next->prev = ret;
  call->prev->next = call;
  call->next->prev = call;
}

struct CacheKey {
  std::vector<uint64_t> linearized;
  size_t length;
  uint64_t digest;
  bool operator==(const CacheKey&) const = default;
};

struct CacheKeyHash {
  size_t operator()(const CacheKey& key) const {
    uint64_t h = fold(key.length, key.digest);
    for (uint64_t word : key.linearized) h = fold(h, word);
    return static_cast<size_t>(h);
  }
};

// An indeterminate append whose value no read returned can always be linearized after every
// read (or never), so it cannot change the verdict: leave it out to keep the search small.
std::vector<Operation> relevant(const std::vector<Operation>& history) {
  std::set<uint64_t> observed;
  for (const Operation& op : history) {
    if (op.kind == Operation::Kind::kRead) observed.insert(op.observed.begin(), op.observed.end());
  }
  std::vector<Operation> out;
  for (const Operation& op : history) {
    if (op.kind == Operation::Kind::kAppend && op.returned == Operation::kPending &&
        !observed.contains(op.value)) {
      continue;
    }
    out.push_back(op);
  }
  return out;
}

// Every read returns the whole log, and the log only grows, so all reads of a linearizable
// history are prefixes of the longest one. That fixes each observed value's position, which
// prunes the search hard: an observed value can only be appended when the log has exactly that
// length, and an unobserved one only after every observed value.
bool reads_agree(const std::vector<Operation>& ops, std::vector<uint64_t>& longest,
                 std::string& why) {
  for (const Operation& op : ops) {
    if (op.kind == Operation::Kind::kRead && op.observed.size() > longest.size()) {
      longest = op.observed;
    }
  }
  for (const Operation& op : ops) {
    if (op.kind != Operation::Kind::kRead) continue;
    if (!std::equal(op.observed.begin(), op.observed.end(), longest.begin())) {
      why = "two reads are not prefixes of one log: " + describe(op);
      return false;
    }
  }
  return true;
}

}  // namespace

LinearizabilityResult check_append_log(const std::vector<Operation>& history,
                                       const CheckLimits& limits) {
  const std::vector<Operation> ops = relevant(history);
  const size_t n = ops.size();
  LinearizabilityResult result;
  result.operations = n;
  if (n == 0) return result;

  std::vector<uint64_t> longest;
  if (!reads_agree(ops, longest, result.explanation)) {
    result.outcome = LinearizabilityResult::Outcome::kNotLinearizable;
    return result;
  }
  std::map<uint64_t, size_t> position;
  for (size_t i = 0; i < longest.size(); ++i) position.emplace(longest[i], i);

  std::vector<uint64_t> read_digest(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (ops[i].kind == Operation::Kind::kRead) read_digest[i] = digest_of(ops[i].observed);
  }

  // Calls and returns sorted by logical time; pending returns go last, in operation order.
  std::vector<Event> events(2 * n);
  std::vector<std::pair<uint64_t, size_t>> order;  // (time, event slot)
  for (size_t i = 0; i < n; ++i) {
    events[2 * i] = Event{i, true, &events[2 * i + 1], nullptr, nullptr};
    events[2 * i + 1] = Event{i, false, nullptr, nullptr, nullptr};
    order.push_back({ops[i].invoked, 2 * i});
    order.push_back({ops[i].returned, 2 * i + 1});
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Event head;
  Event* tail = &head;
  for (const auto& [time, slot] : order) {
    tail->next = &events[slot];
    events[slot].prev = tail;
    tail = &events[slot];
  }

  std::vector<uint64_t> linearized((n + 63) / 64, 0);
  auto set_bit = [&](size_t i, bool on) {
    if (on) {
      linearized[i / 64] |= 1ull << (i % 64);
    } else {
      linearized[i / 64] &= ~(1ull << (i % 64));
    }
  };
  std::unordered_set<CacheKey, CacheKeyHash> cache;
  struct Frame {
    Event* call;
    ModelState before;
  };
  std::vector<Frame> stack;
  ModelState state;
  size_t deepest = 0;
  ModelState deepest_state;
  size_t blocker = n;  // the operation that could not be linearized at the deepest point

  Event* entry = head.next;
  while (head.next != nullptr) {
    if (++result.states > limits.max_states) {
      result.outcome = LinearizabilityResult::Outcome::kUnknown;
      result.explanation = "search gave up after " + std::to_string(limits.max_states) + " states";
      return result;
    }
    if (entry->is_call) {
      const Operation& op = ops[entry->op];
      ModelState next = state;
      bool fits = true;
      if (op.kind == Operation::Kind::kAppend) {
        auto at = position.find(op.value);
        fits = at == position.end() ? state.length >= longest.size() : at->second == state.length;
        next.length += 1;
        next.digest = fold(state.digest, op.value);
      } else {
        fits = op.observed.size() == state.length && read_digest[entry->op] == state.digest;
      }
      if (fits) {
        set_bit(entry->op, true);
        if (cache.insert(CacheKey{linearized, next.length, next.digest}).second) {
          stack.push_back(Frame{entry, state});
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        set_bit(entry->op, false);
      }
      entry = entry->next;
      continue;
    }
    // A response whose operation is not linearized yet: every choice so far is wrong.
    if (blocker == n || stack.size() > deepest) {
      deepest = stack.size();
      deepest_state = state;
      blocker = entry->op;
    }
    if (stack.empty()) break;
    Frame frame = stack.back();
    stack.pop_back();
    state = frame.before;
    set_bit(frame.call->op, false);
    unlift(frame.call);
    entry = frame.call->next;
  }
  if (head.next == nullptr) return result;

  result.outcome = LinearizabilityResult::Outcome::kNotLinearizable;
  result.explanation = "at most " + std::to_string(deepest) + " of " + std::to_string(n) +
                       " operations linearize (log length " +
                       std::to_string(deepest_state.length) + "); then nothing fits before: " +
                       describe(ops[blocker]);
  return result;
}

}  // namespace medtrail::sim
