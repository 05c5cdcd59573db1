#include "integration/chaos_history.h"

#include <algorithm>
#include <map>
#include <set>

namespace medtrail::integration::chaos {

namespace {

constexpr size_t kMaxProblems = 40;

std::string short_id(const std::string& id) { return id.substr(0, 12); }

// The sequential model of one prescription (rx_pharmacy.cpp's order of checks, one item).
struct RxModel {
  int64_t prescribed = 0;
  int64_t dispensed = 0;
  bool reviewed = false;
};

// What the model says of a dispense of `quantity`: "" for accepted, else the reason code.
std::string expected_dispense(const RxModel* rx, int64_t quantity) {
  if (rx == nullptr) return "unknown_prescription";
  if (rx->dispensed >= rx->prescribed) return "already_dispensed";
  if (!rx->reviewed) return "not_reviewed";
  if (rx->dispensed + quantity > rx->prescribed) return "quantity_exceeded";
  return "";
}

}  // namespace

CheckReport check_history(const std::vector<Op>& ops, const std::vector<ChainRecord>& chain) {
  CheckReport report;
  report.ops = ops.size();
  auto problem = [&report](const std::string& text) {
    if (report.problems.size() < kMaxProblems) report.problems.push_back(text);
  };

  // 1. At most once.
  std::map<std::string, const ChainRecord*> on_chain;
  for (const ChainRecord& c : chain) {
    auto [it, first] = on_chain.emplace(c.record_id, &c);
    if (!first) {
      problem("record " + short_id(c.record_id) + " is on the chain twice: leaves " + std::to_string(it->second->leaf) +
              " and " + std::to_string(c.leaf));
    }
  }

  // 2. Every answer the clients got is what the chain holds.
  std::map<std::string, const Op*> content;  // what each record id says
  std::map<std::string, bool> answered;      // record id -> some attempt got an answer
  for (const Op& op : ops) {
    content.emplace(op.record_id, &op);
    answered[op.record_id] = answered[op.record_id] || op.outcome != Outcome::kUnknown;
    if (op.outcome == Outcome::kUnknown) {
      ++report.unknown;
      continue;
    }
    ++report.acknowledged;
    auto c = on_chain.find(op.record_id);
    const std::string what = op.kind + " " + short_id(op.record_id);
    if (c == on_chain.end()) {
      problem("acknowledged " + what + " is not on the chain");
      continue;
    }
    const bool accepted = op.outcome == Outcome::kAccepted;
    if (c->second->accepted != accepted) {
      problem(what + " was answered " + (accepted ? "accepted" : "rejected") + " but the chain has it " +
              (accepted ? "rejected (" + c->second->reason_code + ")" : "accepted"));
    } else if (!accepted && c->second->reason_code != op.reason_code) {
      problem(what + " was answered " + op.reason_code + " but the chain says " + c->second->reason_code);
    }
  }
  for (const auto& [id, got_answer] : answered) {
    if (!got_answer && on_chain.contains(id)) ++report.unknown_on_chain;
  }

  // 3. Real time: a record answered before another record was first sent comes first. A
  // record sent again is one record: it was sent when first sent, answered when first answered
  // (a retry of a record already on the chain takes the place the first attempt got).
  struct Timed {
    Clock::time_point at;
    uint64_t leaf;
    const Op* op;
  };
  std::map<std::string, Timed> first_sent;
  std::map<std::string, Timed> first_answered;
  for (const Op& op : ops) {
    auto c = on_chain.find(op.record_id);
    if (c == on_chain.end()) continue;
    auto [sent, fresh] = first_sent.try_emplace(op.record_id, Timed{op.invoked, c->second->leaf, &op});
    if (!fresh && op.invoked < sent->second.at) sent->second = {op.invoked, c->second->leaf, &op};
    if (op.outcome == Outcome::kUnknown) continue;
    auto [answered_at, first] = first_answered.try_emplace(op.record_id, Timed{op.completed, c->second->leaf, &op});
    if (!first && op.completed < answered_at->second.at) answered_at->second = {op.completed, c->second->leaf, &op};
  }
  std::vector<Timed> completed;
  std::vector<Timed> invoked;
  for (const auto& [id, t] : first_answered) completed.push_back(t);
  for (const auto& [id, t] : first_sent) invoked.push_back(t);
  auto by_time = [](const Timed& a, const Timed& b) { return a.at < b.at; };
  std::sort(completed.begin(), completed.end(), by_time);
  std::sort(invoked.begin(), invoked.end(), by_time);
  size_t next = 0;
  const Timed* latest = nullptr;  // of those answered so far, the one latest on the chain
  for (const Timed& b : invoked) {
    while (next < completed.size() && completed[next].at < b.at) {
      if (latest == nullptr || completed[next].leaf > latest->leaf) latest = &completed[next];
      ++next;
    }
    if (latest != nullptr && latest->leaf > b.leaf) {
      problem(latest->op->kind + " " + short_id(latest->op->record_id) + " was answered before " + b.op->kind + " " +
              short_id(b.op->record_id) + " was first sent, yet it is later on the chain (leaf " +
              std::to_string(latest->leaf) + " > " + std::to_string(b.leaf) + ")");
    }
  }

  // 4. The chain's order replays under the model.
  std::map<std::string, RxModel> rxs;
  for (const ChainRecord& c : chain) {
    auto it = content.find(c.record_id);
    if (it == content.end()) continue;  // not the workload's (registrations, reads)
    const Op& op = *it->second;
    const std::string what = op.kind + " " + short_id(op.record_id) + " (leaf " + std::to_string(c.leaf) + ")";
    if (op.kind == "rx.issue") {
      if (c.accepted) rxs[op.rx_id] = RxModel{op.quantity, 0, false};
    } else if (op.kind == "rx.review") {
      auto rx = rxs.find(op.rx_id);
      if (c.accepted && (rx == rxs.end() || rx->second.reviewed)) {
        problem(what + " accepted, but the prescription was " + (rx == rxs.end() ? "not issued" : "reviewed already"));
      }
      if (c.accepted && rx != rxs.end()) rx->second.reviewed = true;
    } else if (op.kind == "rx.dispense") {
      auto rx = rxs.find(op.rx_id);
      RxModel* model = rx == rxs.end() ? nullptr : &rx->second;
      const std::string expected = expected_dispense(model, op.quantity);
      if (c.accepted) {
        ++report.accepted_dispenses;
        if (!expected.empty()) problem(what + " of " + std::to_string(op.quantity) + " accepted; the model says " + expected);
        if (model != nullptr) model->dispensed += op.quantity;
      } else {
        ++report.refused_dispenses;
        if (expected.empty()) {
          problem(what + " of " + std::to_string(op.quantity) + " refused (" + c.reason_code + "); the model accepts it");
        } else if (expected != c.reason_code) {
          problem(what + " refused as " + c.reason_code + "; the model says " + expected);
        }
      }
    }
  }
  for (const auto& [id, rx] : rxs) {
    if (rx.dispensed > rx.prescribed) {
      problem("prescription " + short_id(id) + ": " + std::to_string(rx.dispensed) + " dispensed of " +
              std::to_string(rx.prescribed) + " prescribed");
    }
  }
  return report;
}

}  // namespace medtrail::integration::chaos
