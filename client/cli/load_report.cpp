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

// Commits by the window of the run's duration their answer fell in. Answers after the
// duration (records still in flight when it ended) count in the last window, which then ends
// with the last answer: a drain of a few milliseconds is not a window of its own.
nlohmann::json windows_json(const LoadStats& stats, double window_s, double duration_s) {
  nlohmann::json out = nlohmann::json::array();
  // Filled side by side for every commit (load_driver.cpp); anything else is no report.
  if (stats.latencies_us.size() != stats.answered_ms.size()) return out;
  const auto count = static_cast<size_t>(std::max(1.0, std::ceil(duration_s / window_s)));
  std::vector<std::vector<uint32_t>> buckets(count);
  double last_s = duration_s;
  for (size_t i = 0; i < stats.answered_ms.size(); ++i) {
    const double at_s = stats.answered_ms[i] / 1000.0;
    buckets[std::min(static_cast<size_t>(at_s / window_s), count - 1)].push_back(
        stats.latencies_us[i]);
    last_s = std::max(last_s, at_s);
  }
  for (size_t w = 0; w < count; ++w) {
    std::vector<uint32_t>& lat = buckets[w];
    std::sort(lat.begin(), lat.end());
    const double from_s = static_cast<double>(w) * window_s;
    const double to_s = w + 1 == count ? last_s : from_s + window_s;
    const double span = to_s - from_s;
    out.push_back({{"from_s", round3(from_s)},
                   {"to_s", round3(to_s)},
                   {"committed", lat.size()},
                   {"records_per_s", span > 0 ? round3(lat.size() / span) : 0.0},
                   {"p50_ms", percentile_ms(lat, 50)},
                   {"p99_ms", percentile_ms(lat, 99)},
                   {"max_ms", lat.empty() ? 0.0 : lat.back() / 1000.0}});
  }
  return out;
}

}  // namespace

void LoadStats::merge(LoadStats&& other) {
  records += other.records;
  committed += other.committed;
  for (const auto& [k, v] : other.errors) errors[k] += v;
  for (const auto& [k, v] : other.retries) retries[k] += v;
  reconnects += other.reconnects;
  if (first_io_error.empty()) first_io_error = std::move(other.first_io_error);
  latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
  answered_ms.insert(answered_ms.end(), other.answered_ms.begin(), other.answered_ms.end());
}

std::string load_report_json(const LoadRunInfo& info, LoadStats& stats) {
  // Before the sort below, while latencies and answer times still pair up.
  nlohmann::json windows;
  const bool windowed = info.window_s > 0 && info.duration_s > 0;
  if (windowed) windows = windows_json(stats, info.window_s, info.duration_s);
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
  if (info.signing_s > 0) out["signing_s"] = round3(info.signing_s);
  if (windowed) out["windows"] = std::move(windows);
  return out.dump();
}

}  // namespace medtrail::cli
