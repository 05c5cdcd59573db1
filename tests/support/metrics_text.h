#pragma once
// Reading a node's /metrics (Prometheus text format) in tests.
#include <sstream>
#include <string>
#include <string_view>

namespace medtrail::testing {

// The sum of every sample whose line starts with `series` (a name, or a name with the start
// of its labels, e.g. `medtrail_rocksdb_bytes_written_total{kind="wal"}`); 0 when none does.
inline double metric_sum(const std::string& exposition, std::string_view series) {
  std::istringstream lines(exposition);
  double total = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series, 0) == 0) total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

// Whether a sample of exactly `series` (a name with its labels, if any) is exposed, whatever
// its value.
inline bool metric_present(const std::string& exposition, std::string_view series) {
  const std::string line = std::string(series) + " ";
  return exposition.rfind(line, 0) == 0 || exposition.find("\n" + line) != std::string::npos;
}

}  // namespace medtrail::testing
