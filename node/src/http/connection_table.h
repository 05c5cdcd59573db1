#pragma once
// Who holds the server's connections: how many, how many per client address, and what each is
// doing. It decides whether a new connection may come in:
//   - an address at its share (max_per_address) is refused, so one client cannot hold the
//     server's connections (a trusted proxy is exempt: it carries many clients);
//   - near the server's cap (the last eighth) every new connection closes one that has held a
//     slot without using it for a grace, so clients that send nothing, or send it slowly, make
//     room for clients that do. In this order, oldest first in each:
//       1. silent for `grace`: not a byte since it connected;
//       2. a request head begun `head_grace` ago and not finished: a real client sends its head
//          in one packet, a slowloris trickles it for the whole head deadline. Without this,
//          slowloris from enough addresses (64 × a share of 16 fill 1,024) held every slot and
//          newcomers were refused (scripts/bench abuse, flood "cap");
//       3. between two keep-alive requests for `grace`.
//     The graces are what keep real clients out of it: a newcomer is silent until its first
//     packet lands (a TLS handshake takes round trips), and a busy keep-alive client is idle for
//     microseconds between two requests. Closing those made them reconnect and close the next
//     one, clients evicting one another for as long as a flood held the server near its cap;
//     and once the flood's own reconnections closed the oldest slow heads, a newcomer was
//     closed before it could speak. The head's grace is shorter: the longer it is, the fewer
//     of a flood's slow heads are ripe when a newcomer comes, and the flood's reconnections
//     take those first;
//   - at the cap with none of these to close, the new connection is refused.
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

  // What a connection is doing, as far as eviction is concerned.
  enum class Phase {
    kSilent,   // connected (TLS handshake included), no byte of a request yet
    kHead,     // a request head begun, not finished
    kBusy,     // a request read (body, handler, response)
    kBetween,  // between two keep-alive requests
  };

  // max_per_address 0: no share per address. grace: how long a connection is spared from
  // closing for a newcomer after it connected or went idle between requests; head_grace, after
  // it began a request head.
  ConnectionTable(uint32_t max_connections, uint32_t max_per_address,
                  Clock::duration grace = Clock::duration::zero(),
                  Clock::duration head_grace = Clock::duration::zero());
  ConnectionTable(const ConnectionTable&) = delete;  // entries point into its waiting lists
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  enum class Verdict { kAdmit, kAddressFull, kServerFull };
  // Whether a connection from `address` may come in at `now`. On kAdmit, `evict` may be set to
  // a connection to close: the caller closes it (it stays counted until it has closed).
  Verdict admit(const std::string& address, bool exempt, Clock::time_point now,
                std::shared_ptr<ConnectionBase>& evict);
  // Counts an admitted connection, silent.
  void add(std::shared_ptr<ConnectionBase> connection, const std::string& address, bool exempt,
           Clock::time_point now);
  // Forgets a closed connection; returns the table's reference (released by the caller outside
  // its lock). Null when it was not in the table.
  std::shared_ptr<ConnectionBase> remove(const ConnectionBase* connection);
  // The connection entered `phase` at `now`. Entering the phase it is in changes nothing: it
  // keeps its place (and its age) in that phase.
  void set_phase(const ConnectionBase* connection, Phase phase, Clock::time_point now);
  // Empties the table (server stop): every connection, to be closed by the caller.
  std::vector<std::shared_ptr<ConnectionBase>> take_all();

  size_t size() const { return entries_.size(); }
  // Connections that could be closed for a newcomer, given time: silent, in a head, or between
  // two requests.
  size_t waiting() const { return silent_.size() + heading_.size() + between_.size(); }
  // Keep-alive connections served and waiting for their next request.
  size_t between_requests() const { return between_.size(); }
  size_t addresses() const { return per_address_.size(); }

 private:
  using WaitList = std::list<const ConnectionBase*>;  // front: in its phase the longest
  struct Entry {
    std::shared_ptr<ConnectionBase> owner;
    std::string address;  // empty when exempt from the share
    Phase phase = Phase::kSilent;
    WaitList* waiting_in = nullptr;  // silent_, heading_, between_, or null (busy, closing)
    WaitList::iterator in_list;
    Clock::time_point since{};  // entered its phase
    bool closing = false;       // evicted, not yet closed
  };

  WaitList* list_for(Phase phase);
  // Puts an entry that is in no list into `phase` (and its list) as of `now`.
  void enter(const ConnectionBase* connection, Entry& entry, Phase phase, Clock::time_point now);
  void leave_list(Entry& entry);
  // The connection to close for a newcomer at `now`, or null.
  const ConnectionBase* eviction_candidate(Clock::time_point now) const;
  bool waited(const WaitList& list, Clock::duration grace, Clock::time_point now) const;

  const uint32_t max_connections_;
  const uint32_t max_per_address_;
  const uint32_t high_water_;  // from here on, each admission closes a waiting connection
  const Clock::duration grace_;
  const Clock::duration head_grace_;
  std::unordered_map<const ConnectionBase*, Entry> entries_;
  std::unordered_map<std::string, uint32_t> per_address_;
  WaitList silent_;
  WaitList heading_;
  WaitList between_;
  size_t closing_ = 0;
};

}  // namespace medtrail::node::http
