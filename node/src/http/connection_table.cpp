#include "http/connection_table.h"

#include <algorithm>

namespace medtrail::node::http {

ConnectionTable::ConnectionTable(uint32_t max_connections, uint32_t max_per_address,
                                 Clock::duration min_idle)
    : max_connections_(std::max<uint32_t>(1, max_connections)),
      max_per_address_(max_per_address),
      high_water_(max_connections_ - max_connections_ / 8),
      min_idle_(min_idle) {}

ConnectionTable::Verdict ConnectionTable::admit(const std::string& address, bool exempt,
                                                Clock::time_point now,
                                                std::shared_ptr<ConnectionBase>& evict) {
  evict.reset();
  if (!exempt && max_per_address_ > 0) {
    auto it = per_address_.find(address);
    if (it != per_address_.end() && it->second >= max_per_address_) return Verdict::kAddressFull;
  }
  const size_t live = entries_.size() - closing_;
  if (live < high_water_) return Verdict::kAdmit;
  const ConnectionBase* candidate = eviction_candidate(now);
  if (candidate == nullptr) return live < max_connections_ ? Verdict::kAdmit : Verdict::kServerFull;
  Entry& victim = entries_.at(candidate);
  leave_idle(victim);
  victim.closing = true;
  ++closing_;
  evict = victim.owner;
  return Verdict::kAdmit;
}

const ConnectionBase* ConnectionTable::eviction_candidate(Clock::time_point now) const {
  if (!silent_.empty()) return silent_.front();
  if (!between_.empty() && now - entries_.at(between_.front()).idle_since >= min_idle_) {
    return between_.front();
  }
  return nullptr;
}

void ConnectionTable::add(std::shared_ptr<ConnectionBase> connection, const std::string& address,
                          bool exempt, Clock::time_point now) {
  const ConnectionBase* key = connection.get();
  Entry entry;
  entry.owner = std::move(connection);
  if (!exempt && max_per_address_ > 0) {
    entry.address = address;
    ++per_address_[address];
  }
  auto [it, inserted] = entries_.emplace(key, std::move(entry));
  if (inserted) enter_idle(key, it->second, now);
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

void ConnectionTable::set_idle(const ConnectionBase* connection, bool idle, Clock::time_point now) {
  auto it = entries_.find(connection);
  if (it == entries_.end() || it->second.closing) return;
  Entry& entry = it->second;
  if (idle) return enter_idle(connection, entry, now);
  entry.spoke = true;
  leave_idle(entry);
}

void ConnectionTable::enter_idle(const ConnectionBase* connection, Entry& entry,
                                 Clock::time_point now) {
  if (entry.idle_in != nullptr) return;  // keeps its place: idle since the first time
  entry.idle_in = entry.spoke ? &between_ : &silent_;
  entry.idle_since = now;
  entry.in_idle = entry.idle_in->insert(entry.idle_in->end(), connection);
}

std::vector<std::shared_ptr<ConnectionBase>> ConnectionTable::take_all() {
  std::vector<std::shared_ptr<ConnectionBase>> all;
  all.reserve(entries_.size());
  for (auto& [key, entry] : entries_) all.push_back(std::move(entry.owner));
  entries_.clear();
  per_address_.clear();
  silent_.clear();
  between_.clear();
  closing_ = 0;
  return all;
}

void ConnectionTable::leave_idle(Entry& entry) {
  if (entry.idle_in == nullptr) return;
  entry.idle_in->erase(entry.in_idle);
  entry.idle_in = nullptr;
}

}  // namespace medtrail::node::http
