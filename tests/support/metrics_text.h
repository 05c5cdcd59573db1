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

}  // namespace medtrail::testing
