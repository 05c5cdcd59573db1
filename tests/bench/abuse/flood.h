#pragma once
// An abusive HTTP client for scripts/bench abuse (docs/benchmarks.md, "HTTP under abuse"): many
// connections that hold a server's slots without ever finishing a request, each reopened when
// the server cuts it (the attack of issue 15 reopened 1,500 idle connections every 30 s).
//   idle:      connect, send nothing
//   slowloris: a request head, one header line every `line_interval`, never its blank line
//   slow body: a whole head announcing a body, then one byte of it every `line_interval`
// Connection i is bound to sources[i % sources.size()] (loopback addresses: every 127.0.0.0/8
// address is local on Linux), so the flood comes from one client address or from many.
// Single-threaded: run_flood drives its own io_context until the duration ends.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace medtrail::bench::abuse {

struct FloodSpec {
  std::string host = "127.0.0.1";  // an IPv4 address
  uint16_t port = 0;
  uint32_t idle = 0;
  uint32_t slowloris = 0;
  uint32_t slow_body = 0;
  std::vector<std::string> sources;  // IPv4 addresses to bind to; empty: the kernel's choice
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds line_interval{1000};
  std::chrono::milliseconds reconnect_delay{1000};  // after a cut or a failed attempt
  std::chrono::milliseconds connect_timeout{5000};
  std::string target = "/v1/trace/tableware/TW-000000000";
};

enum class Kind { kIdle, kSlowloris, kSlowBody };
const char* kind_name(Kind kind);

// Connection counts are the client's view: "open" is connected and not yet cut, which includes
// connections still in the server's accept queue.
struct KindReport {
  uint32_t slots = 0;          // connections this kind keeps trying to hold
  uint64_t opened = 0;         // connects that succeeded
  uint64_t reconnects = 0;     // of those, by a slot that had been connected before
  uint64_t cut = 0;            // closed by the server (end of stream, reset, write error)
  uint64_t cut_within_1s = 0;  // of those, within a second of connecting: refused or evicted
  uint64_t answered = 0;       // of those, after the server sent bytes (an error response)
  uint64_t open_at_end = 0;
  double open_mean = 0;    // open connections, averaged over the run
  double held_mean_s = 0;  // how long a cut connection had been open, on average
  uint64_t bytes_sent = 0;
};

struct FloodReport {
  double seconds = 0;
  size_t sources = 0;
  uint64_t nofile_limit = 0;  // RLIMIT_NOFILE after raising it
  uint64_t attempts = 0;
  uint64_t peak_open = 0;
  std::map<std::string, uint64_t> errors;  // failed attempts by reason (not counted as cuts)
  std::map<Kind, KindReport> kinds;
};

// Runs the flood for spec.duration, or until SIGINT/SIGTERM. `progress` (if set) is called
// about every `progress_every` with the figures so far.
FloodReport run_flood(const FloodSpec& spec,
                      const std::function<void(const FloodReport&)>& progress = {},
                      std::chrono::milliseconds progress_every = std::chrono::seconds(5));

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.
uint64_t raise_nofile_limit();

}  // namespace medtrail::bench::abuse
