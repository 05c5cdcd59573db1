#include "load_report.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace medtrail::cli {
namespace {

// Nearest-rank percentile of sorted samples, in milliseconds; 0 when there are none.
double percentile_ms(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1000.0;
}

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace

void LoadStats::merge(LoadStats&& other) {
  records += other.records;
  committed += other.committed;
  for (const auto& [k, v] : other.errors) errors[k] += v;
  for (const auto& [k, v] : other.retries) retries[k] += v;
  reconnects += other.reconnects;
  if (first_io_error.empty()) first_io_error = std::move(other.first_io_error);
  latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
}

std::string load_report_json(const LoadRunInfo& info, LoadStats& stats) {
  std::sort(stats.latencies_us.begin(), stats.latencies_us.end());
  const auto& lat = stats.latencies_us;
  nlohmann::json out = {
      {"mode", info.mode},
      {"concurrency", info.concurrency},
      {"rate", info.rate},
      {"threads", info.threads},
      {"urls", info.urls},
      {"records", stats.records},
      {"committed", stats.committed},
      {"errors", stats.errors},
      {"retries", stats.retries},
      {"reconnects", stats.reconnects},
      {"seconds", round3(info.seconds)},
      {"records_per_s",
       info.seconds > 0 ? round3(static_cast<double>(stats.committed) / info.seconds) : 0.0},
      {"p50_ms", percentile_ms(lat, 50)},
      {"p90_ms", percentile_ms(lat, 90)},
      {"p99_ms", percentile_ms(lat, 99)},
      {"max_ms", lat.empty() ? 0.0 : lat.back() / 1000.0},
  };
  if (!stats.first_io_error.empty()) out["first_io_error"] = stats.first_io_error;
  return out.dump();
}

}  // namespace medtrail::cli
