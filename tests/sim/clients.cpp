#include "sim/clients.h"

#include "sim/payload.h"

namespace medtrail::sim {

Clients::Clients(Cluster& cluster, Rng rng, const WorkloadOptions& options)
    : cluster_(cluster), rng_(rng), options_(options), clients_(options.clients) {
  cluster_.add_listener(this);
}

void Clients::start() {
  for (int c = 0; c < options_.clients; ++c) {
    cluster_.events().after(rng_.between(options_.think_min, options_.think_max),
                            [this, c] { begin(c); });
  }
}

bool Clients::idle() const {
  for (const Client& client : clients_) {
    if (client.op) return false;
  }
  return true;
}

void Clients::retarget(int c, NodeId hint) {
  const std::vector<NodeId> ids = cluster_.node_ids();
  if (hint != consensus::kNoNode && cluster_.node(hint) != nullptr) {
    clients_[c].target = hint;
  } else if (!ids.empty()) {
    clients_[c].target = rng_.pick(ids);
  }
}

void Clients::begin(int c) {
  Client& client = clients_[c];
  if (stopped_ || client.op) return;
  if (client.target == consensus::kNoNode || cluster_.node(client.target) == nullptr) {
    retarget(c, consensus::kNoNode);
  }
  History& history = cluster_.history();
  if (rng_.chance(options_.read_fraction)) {
    client.op = history.invoke_read(c, client.target, cluster_.now());
  } else {
    client.op = history.invoke_append(c, next_value_++, client.target, cluster_.now());
  }
  ++stats_.invoked;
  const uint64_t attempt = ++client.attempt;
  cluster_.events().after(rng_.between(0, options_.request_delay_max),
                          [this, c, attempt] { arrive(c, attempt); });
  cluster_.events().after(options_.timeout, [this, c, attempt] { time_out(c, attempt); });
}

void Clients::arrive(int c, uint64_t attempt) {
  Client& client = clients_[c];
  if (client.attempt != attempt || !client.op) return;
  SimNode* node = cluster_.node(client.target);
  if (node == nullptr || !node->up()) return;  // lost: the client will time out
  const Operation& op = cluster_.history().op(*client.op);
  const Waiting waiting{c, node->id(), node->incarnation()};
  Status status;
  if (op.kind == Operation::Kind::kAppend) {
    // Registered before proposing: a one-node cluster commits and applies inside drive().
    appends_[op.value] = waiting;
    status = node->raft().propose(encode_append(op.value, rng_.below(options_.max_padding + 1)));
    if (!status.ok()) appends_.erase(op.value);
  } else if (options_.local_reads) {
    reads_[read_context(*client.op)] = waiting;
    on_read_ready(*node, read_context(*client.op));
    return;
  } else {
    const std::string context = read_context(*client.op);
    reads_[context] = waiting;
    status = node->read(context);
    if (!status.ok()) reads_.erase(context);
  }
  const NodeId hint = node->raft().soft_state().leader;
  cluster_.drive(*node);
  if (status.ok()) return;
  ++stats_.refused;
  cluster_.history().fail(*client.op);
  retarget(c, hint != node->id() ? hint : consensus::kNoNode);
  finish(c);
}

void Clients::finish(int c) {
  Client& client = clients_[c];
  client.op.reset();
  ++client.attempt;
  cluster_.events().after(rng_.between(options_.think_min, options_.think_max),
                          [this, c] { begin(c); });
}

void Clients::time_out(int c, uint64_t attempt) {
  Client& client = clients_[c];
  if (client.attempt != attempt || !client.op) return;
  ++stats_.timeouts;
  const Operation& op = cluster_.history().op(*client.op);
  // A timed-out append stays in the history without a response: it may yet take effect.
  if (op.kind == Operation::Kind::kAppend) {
    appends_.erase(op.value);
  } else {
    reads_.erase(read_context(*client.op));
    cluster_.history().fail(*client.op);
  }
  retarget(c, consensus::kNoNode);
  finish(c);
}

void Clients::on_applied(SimNode& node, const consensus::Entry& entry) {
  if (entry.type != consensus::EntryType::kNormal) return;
  auto value = decode_append(entry.data);
  if (!value) return;
  auto it = appends_.find(*value);
  if (it == appends_.end() || it->second.node != node.id() ||
      it->second.incarnation != node.incarnation()) {
    return;
  }
  const int c = it->second.client;
  appends_.erase(it);
  cluster_.history().complete_append(*clients_[c].op, cluster_.now());
  cluster_.invariants().on_acknowledged(*value);
  ++stats_.acknowledged;
  finish(c);
}

void Clients::on_read_ready(SimNode& node, const std::string& context) {
  auto it = reads_.find(context);
  if (it == reads_.end() || it->second.node != node.id() ||
      it->second.incarnation != node.incarnation()) {
    return;
  }
  const int c = it->second.client;
  reads_.erase(it);
  cluster_.history().complete_read(*clients_[c].op, node.state_machine().values(), cluster_.now());
  ++stats_.reads;
  finish(c);
}

}  // namespace medtrail::sim
