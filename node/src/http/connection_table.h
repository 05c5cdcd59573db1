#pragma once
// Who holds the server's connections: how many, how many per client address, and which are
// idle (no byte of a request received yet: fresh, or between keep-alive requests) in the order
// they became idle. It decides whether a new connection may come in:
//   - an address at its share (max_per_address) is refused, so one client cannot hold the
//     server's connections (a trusted proxy is exempt: it carries many clients);
//   - near the server's cap (the last eighth) every new connection closes the oldest idle one,
//     so clients that send nothing make room for clients that do;
//   - at the cap with nothing idle to close, the new connection is refused.
// Not thread-safe: ServerCore guards it with its registry mutex.

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
  // max_per_address 0: no share per address.
  ConnectionTable(uint32_t max_connections, uint32_t max_per_address);

  enum class Verdict { kAdmit, kAddressFull, kServerFull };
  // Whether a connection from `address` may come in. On kAdmit, `evict` may be set to the
  // oldest idle connection: the caller closes it (it stays counted until it has closed).
  Verdict admit(const std::string& address, bool exempt, std::shared_ptr<ConnectionBase>& evict);
  // Counts an admitted connection, idle.
  void add(std::shared_ptr<ConnectionBase> connection, const std::string& address, bool exempt);
  // Forgets a closed connection; returns the table's reference (released by the caller outside
  // its lock). Null when it was not in the table.
  std::shared_ptr<ConnectionBase> remove(const ConnectionBase* connection);
  void set_idle(const ConnectionBase* connection, bool idle);
  // Empties the table (server stop): every connection, to be closed by the caller.
  std::vector<std::shared_ptr<ConnectionBase>> take_all();

  size_t size() const { return entries_.size(); }
  size_t idle() const { return idle_.size(); }
  size_t addresses() const { return per_address_.size(); }

 private:
  using IdleList = std::list<const ConnectionBase*>;  // front: idle the longest
  struct Entry {
    std::shared_ptr<ConnectionBase> owner;
    std::string address;  // empty when exempt from the share
    bool idle = false;
    bool closing = false;  // evicted, not yet closed
    IdleList::iterator in_idle;
  };

  void leave_idle(Entry& entry);

  const uint32_t max_connections_;
  const uint32_t max_per_address_;
  const uint32_t high_water_;  // from here on, each admission closes the oldest idle connection
  std::unordered_map<const ConnectionBase*, Entry> entries_;
  std::unordered_map<std::string, uint32_t> per_address_;
  IdleList idle_;
  size_t closing_ = 0;
};

}  // namespace medtrail::node::http
