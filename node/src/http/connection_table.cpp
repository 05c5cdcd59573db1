#include "http/connection_table.h"

#include <algorithm>

namespace medtrail::node::http {

ConnectionTable::ConnectionTable(uint32_t max_connections, uint32_t max_per_address,
                                 Clock::duration grace, Clock::duration head_grace)
    : max_connections_(std::max<uint32_t>(1, max_connections)),
      max_per_address_(max_per_address),
      high_water_(max_connections_ - max_connections_ / 8),
      grace_(grace),
      head_grace_(head_grace) {}

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
  leave_list(victim);
  victim.closing = true;
  ++closing_;
  evict = victim.owner;
  return Verdict::kAdmit;
}

const ConnectionBase* ConnectionTable::eviction_candidate(Clock::time_point now) const {
  if (waited(silent_, grace_, now)) return silent_.front();
  if (waited(heading_, head_grace_, now)) return heading_.front();
  if (waited(between_, grace_, now)) return between_.front();
  return nullptr;
}

bool ConnectionTable::waited(const WaitList& list, Clock::duration grace,
                             Clock::time_point now) const {
  return !list.empty() && now - entries_.at(list.front()).since >= grace;
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
  if (inserted) enter(key, it->second, Phase::kSilent, now);
}

std::shared_ptr<ConnectionBase> ConnectionTable::remove(const ConnectionBase* connection) {
  auto it = entries_.find(connection);
  if (it == entries_.end()) return nullptr;
  Entry& entry = it->second;
  leave_list(entry);
  if (entry.closing) --closing_;
  if (!entry.address.empty()) {
    auto count = per_address_.find(entry.address);
    if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  }
  std::shared_ptr<ConnectionBase> owner = std::move(entry.owner);
  entries_.erase(it);
  return owner;
}

void ConnectionTable::set_phase(const ConnectionBase* connection, Phase phase,
                                Clock::time_point now) {
  auto it = entries_.find(connection);
  if (it == entries_.end() || it->second.closing) return;
  Entry& entry = it->second;
  if (entry.phase == phase) return;
  leave_list(entry);
  enter(connection, entry, phase, now);
}

void ConnectionTable::enter(const ConnectionBase* connection, Entry& entry, Phase phase,
                            Clock::time_point now) {
  entry.phase = phase;
  entry.since = now;
  entry.waiting_in = list_for(phase);
  if (entry.waiting_in != nullptr) {
    entry.in_list = entry.waiting_in->insert(entry.waiting_in->end(), connection);
  }
}

ConnectionTable::WaitList* ConnectionTable::list_for(Phase phase) {
  switch (phase) {
    case Phase::kSilent: return &silent_;
    case Phase::kHead: return &heading_;
    case Phase::kBetween: return &between_;
    case Phase::kBusy: return nullptr;
  }
  return nullptr;
}

std::vector<std::shared_ptr<ConnectionBase>> ConnectionTable::take_all() {
  std::vector<std::shared_ptr<ConnectionBase>> all;
  all.reserve(entries_.size());
  for (auto& [key, entry] : entries_) all.push_back(std::move(entry.owner));
  entries_.clear();
  per_address_.clear();
  silent_.clear();
  heading_.clear();
  between_.clear();
  closing_ = 0;
  return all;
}

void ConnectionTable::leave_list(Entry& entry) {
  if (entry.waiting_in == nullptr) return;
  entry.waiting_in->erase(entry.in_list);
  entry.waiting_in = nullptr;
}

}  // namespace medtrail::node::http
