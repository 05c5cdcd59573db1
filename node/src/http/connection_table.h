#pragma once
// Who holds the server's connections: how many, how many per client address, and which are
// idle (no byte of a request received yet) in the order they became idle: silent ones (not a
// byte since they connected) apart from those between two keep-alive requests. It decides
// whether a new connection may come in:
//   - an address at its share (max_per_address) is refused, so one client cannot hold the
//     server's connections (a trusted proxy is exempt: it carries many clients);
//   - near the server's cap (the last eighth) every new connection closes an idle one, so
//     clients that send nothing make room for clients that do: the oldest silent one, else the
//     one idle the longest between requests if it has been idle for min_idle. A busy keep-alive
//     client is idle for microseconds between two requests; closing it then made the client
//     reconnect and close the next busy one, clients evicting one another for as long as a
//     flood held the server near its cap (scripts/bench abuse, flood "cap");
//   - at the cap with nothing idle to close, the new connection is refused.
// Not thread-safe: ServerCore guards it with its registry mutex.

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace medtrail::node::http {

class ConnectionBase;

class ConnectionTable {
 public:
  using Clock = std::chrono::steady_clock;

  // max_per_address 0: no share per address. min_idle: how long a connection between two
  // requests must have been idle before it may be closed for a newcomer.
  ConnectionTable(uint32_t max_connections, uint32_t max_per_address,
                  Clock::duration min_idle = Clock::duration::zero());
  ConnectionTable(const ConnectionTable&) = delete;  // entries point into its idle lists
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  enum class Verdict { kAdmit, kAddressFull, kServerFull };
  // Whether a connection from `address` may come in at `now`. On kAdmit, `evict` may be set to
  // an idle connection: the caller closes it (it stays counted until it has closed).
  Verdict admit(const std::string& address, bool exempt, Clock::time_point now,
                std::shared_ptr<ConnectionBase>& evict);
  // Counts an admitted connection, silent.
  void add(std::shared_ptr<ConnectionBase> connection, const std::string& address, bool exempt,
           Clock::time_point now);
  // Forgets a closed connection; returns the table's reference (released by the caller outside
  // its lock). Null when it was not in the table.
  std::shared_ptr<ConnectionBase> remove(const ConnectionBase* connection);
  // A request's first byte (idle false), or the end of its response on keep-alive (idle true,
  // at `now`).
  void set_idle(const ConnectionBase* connection, bool idle, Clock::time_point now);
  // Empties the table (server stop): every connection, to be closed by the caller.
  std::vector<std::shared_ptr<ConnectionBase>> take_all();

  size_t size() const { return entries_.size(); }
  size_t idle() const { return silent_.size() + between_.size(); }
  size_t addresses() const { return per_address_.size(); }

 private:
  using IdleList = std::list<const ConnectionBase*>;  // front: idle the longest
  struct Entry {
    std::shared_ptr<ConnectionBase> owner;
    std::string address;          // empty when exempt from the share
    IdleList* idle_in = nullptr;  // silent_, between_, or null when not idle
    IdleList::iterator in_idle;
    Clock::time_point idle_since{};
    bool spoke = false;    // a request has begun on it
    bool closing = false;  // evicted, not yet closed
  };

  void enter_idle(const ConnectionBase* connection, Entry& entry, Clock::time_point now);
  void leave_idle(Entry& entry);
  // The connection to close for a newcomer at `now`, or null.
  const ConnectionBase* eviction_candidate(Clock::time_point now) const;

  const uint32_t max_connections_;
  const uint32_t max_per_address_;
  const uint32_t high_water_;  // from here on, each admission closes an idle connection
  const Clock::duration min_idle_;
  std::unordered_map<const ConnectionBase*, Entry> entries_;
  std::unordered_map<std::string, uint32_t> per_address_;
  IdleList silent_;   // front: connected the longest ago
  IdleList between_;  // front: idle the longest
  size_t closing_ = 0;
};

}  // namespace medtrail::node::http
