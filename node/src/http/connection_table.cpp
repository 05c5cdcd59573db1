#include "http/connection_table.h"

#include <algorithm>

namespace medtrail::node::http {

ConnectionTable::ConnectionTable(uint32_t max_connections, uint32_t max_per_address)
    : max_connections_(std::max<uint32_t>(1, max_connections)),
      max_per_address_(max_per_address),
      high_water_(max_connections_ - max_connections_ / 8) {}

ConnectionTable::Verdict ConnectionTable::admit(const std::string& address, bool exempt,
                                                std::shared_ptr<ConnectionBase>& evict) {
  evict.reset();
  if (!exempt && max_per_address_ > 0) {
    auto it = per_address_.find(address);
    if (it != per_address_.end() && it->second >= max_per_address_) return Verdict::kAddressFull;
  }
  const size_t live = entries_.size() - closing_;
  if (live < high_water_) return Verdict::kAdmit;
  if (idle_.empty()) return live < max_connections_ ? Verdict::kAdmit : Verdict::kServerFull;
  Entry& oldest = entries_.at(idle_.front());
  leave_idle(oldest);
  oldest.closing = true;
  ++closing_;
  evict = oldest.owner;
  return Verdict::kAdmit;
}

void ConnectionTable::add(std::shared_ptr<ConnectionBase> connection, const std::string& address,
                          bool exempt) {
  const ConnectionBase* key = connection.get();
  Entry entry;
  entry.owner = std::move(connection);
  if (!exempt && max_per_address_ > 0) {
    entry.address = address;
    ++per_address_[address];
  }
  auto [it, inserted] = entries_.emplace(key, std::move(entry));
  if (inserted) set_idle(key, true);
}

std::shared_ptr<ConnectionBase> ConnectionTable::remove(const ConnectionBase* connection) {
  auto it = entries_.find(connection);
  if (it == entries_.end()) return nullptr;
  Entry& entry = it->second;
  leave_idle(entry);
  if (entry.closing) --closing_;
  if (!entry.address.empty()) {
    auto count = per_address_.find(entry.address);
    if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  }
  std::shared_ptr<ConnectionBase> owner = std::move(entry.owner);
  entries_.erase(it);
  return owner;
}

void ConnectionTable::set_idle(const ConnectionBase* connection, bool idle) {
  auto it = entries_.find(connection);
  if (it == entries_.end() || it->second.closing) return;
  Entry& entry = it->second;
  if (!idle) return leave_idle(entry);
  if (entry.idle) return;  // keeps its place: idle since the first time
  entry.idle = true;
  entry.in_idle = idle_.insert(idle_.end(), connection);
}

std::vector<std::shared_ptr<ConnectionBase>> ConnectionTable::take_all() {
  std::vector<std::shared_ptr<ConnectionBase>> all;
  all.reserve(entries_.size());
  for (auto& [key, entry] : entries_) all.push_back(std::move(entry.owner));
  entries_.clear();
  per_address_.clear();
  idle_.clear();
  closing_ = 0;
  return all;
}

void ConnectionTable::leave_idle(Entry& entry) {
  if (!entry.idle) return;
  idle_.erase(entry.in_idle);
  entry.idle = false;
}

}  // namespace medtrail::node::http
