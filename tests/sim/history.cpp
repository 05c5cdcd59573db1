#include "sim/history.h"

namespace medtrail::sim {

size_t History::invoke(Operation op) {
  op.invoked = clock_++;
  ops_.push_back(std::move(op));
  return ops_.size() - 1;
}

size_t History::invoke_append(int client, uint64_t value, consensus::NodeId node, Time now) {
  Operation op;
  op.kind = Operation::Kind::kAppend;
  op.client = client;
  op.value = value;
  op.node = node;
  op.invoked_at = now;
  return invoke(std::move(op));
}

size_t History::invoke_read(int client, consensus::NodeId node, Time now) {
  Operation op;
  op.kind = Operation::Kind::kRead;
  op.client = client;
  op.node = node;
  op.invoked_at = now;
  return invoke(std::move(op));
}

void History::complete_append(size_t op, Time now) {
  ops_[op].returned = clock_++;
  ops_[op].returned_at = now;
}

void History::complete_read(size_t op, std::vector<uint64_t> observed, Time now) {
  ops_[op].observed = std::move(observed);
  ops_[op].returned = clock_++;
  ops_[op].returned_at = now;
}

std::vector<Operation> History::checkable() const {
  std::vector<Operation> out;
  for (const Operation& op : ops_) {
    if (op.failed) continue;
    if (op.kind == Operation::Kind::kRead && op.returned == Operation::kPending) continue;
    out.push_back(op);
  }
  return out;
}

size_t History::completed_reads() const {
  size_t n = 0;
  for (const Operation& op : ops_) {
    n += !op.failed && op.kind == Operation::Kind::kRead && op.returned != Operation::kPending;
  }
  return n;
}

size_t History::completed_appends() const {
  size_t n = 0;
  for (const Operation& op : ops_) {
    n += !op.failed && op.kind == Operation::Kind::kAppend && op.returned != Operation::kPending;
  }
  return n;
}

std::string describe(const Operation& op) {
  std::string out = "client " + std::to_string(op.client) + " via node " + std::to_string(op.node);
  if (op.kind == Operation::Kind::kAppend) {
    out += " append(" + std::to_string(op.value) + ")";
  } else {
    out += " read() -> [";
    // Long lists are abbreviated to their length and last few values.
    const size_t n = op.observed.size();
    if (n > 6) out += std::to_string(n) + " values ..., ";
    for (size_t i = n > 6 ? n - 3 : 0; i < n; ++i) {
      out += std::to_string(op.observed[i]) + (i + 1 < n ? "," : "");
    }
    out += "]";
  }
  out += " invoked t=" + std::to_string(op.invoked_at) + "ms";
  out += op.returned == Operation::kPending ? " (no response)"
                                            : " returned t=" + std::to_string(op.returned_at) + "ms";
  return out;
}

}  // namespace medtrail::sim
