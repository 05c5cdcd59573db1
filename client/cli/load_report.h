#pragma once
// What one `medtrail load` run counted, and its one-line JSON report.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace medtrail::cli {

struct LoadStats {
  uint64_t records = 0;    // records whose first request went out
  uint64_t committed = 0;  // answered 200 with status "committed"
  // Final outcome of every record that did not commit, by key: the HTTP status ("202",
  // "400", a "429"/"503" still refused when the run ended), "200:<status>" for a 200 that
  // was not "committed" (duplicate, rejected), "io" for a broken connection or timeout.
  std::map<std::string, uint64_t> errors;
  std::map<std::string, uint64_t> retries;  // "429"/"503": refusals retried after Retry-After
  uint64_t reconnects = 0;
  std::string first_io_error;
  std::vector<uint32_t> latencies_us;  // committed records only, from intended send to answer
  std::vector<uint32_t> answered_ms;   // the same records' answers, ms after the run started

  void merge(LoadStats&& other);
};

struct LoadRunInfo {
  std::string mode;  // "closed" or "open"
  size_t concurrency = 0;
  double rate = 0;  // open loop only
  size_t threads = 1;
  size_t urls = 0;
  double seconds = 0;
  double duration_s = 0;  // the run's --duration: no record started after it
  double signing_s = 0;   // spent signing before the clock started
  // > 0 (with duration_s > 0): the report also has "windows", the commits answered in each
  // consecutive span of this many seconds with their rate and latencies, to show whether a
  // long run stayed flat.
  double window_s = 0;
};

// {"mode", "concurrency", "rate", "records", "committed", "errors", "retries", "seconds",
//  "records_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", ...} on one line; with a window,
//  "windows": [{"from_s", "to_s", "committed", "records_per_s", "p50_ms", "p99_ms", "max_ms"}];
//  answers after the duration (the drain) count in the last window, which ends with them.
std::string load_report_json(const LoadRunInfo& info, LoadStats& stats);

}  // namespace medtrail::cli
