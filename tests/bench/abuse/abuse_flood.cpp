// The abusive client of scripts/bench abuse (flood.h): holds idle, slowloris and slow-body
// connections against host:port for a while, from many loopback addresses or one, and prints
// what it achieved as one JSON line on stdout.
//
//   abuse_flood --port P --duration S [--idle I] [--slowloris S] [--slow-body B]
//               [--from many|one|kernel] [--first-source 127.0.0.2] [--sources 253] ...
#include <CLI/CLI.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/abuse/flood.h"

namespace medtrail::bench::abuse {
namespace {

nlohmann::json to_json(const FloodReport& r) {
  nlohmann::json kinds = nlohmann::json::object();
  uint64_t opened = 0, reconnects = 0, cut = 0, open_at_end = 0;
  double open_mean = 0;
  for (const auto& [kind, k] : r.kinds) {
    if (k.slots == 0) continue;
    kinds[kind_name(kind)] = {{"slots", k.slots},
                              {"opened", k.opened},
                              {"reconnects", k.reconnects},
                              {"cut", k.cut},
                              {"cut_within_1s", k.cut_within_1s},
                              {"answered", k.answered},
                              {"open_at_end", k.open_at_end},
                              {"open_mean", k.open_mean},
                              {"held_mean_s", k.held_mean_s},
                              {"bytes_sent", k.bytes_sent}};
    opened += k.opened;
    reconnects += k.reconnects;
    cut += k.cut;
    open_at_end += k.open_at_end;
    open_mean += k.open_mean;
  }
  return {{"seconds", r.seconds},
          {"sources", r.sources},
          {"nofile_limit", r.nofile_limit},
          {"attempts", r.attempts},
          {"opened", opened},
          {"reconnects", reconnects},
          {"cut", cut},
          {"open_at_end", open_at_end},
          {"open_mean", open_mean},
          {"peak_open", r.peak_open},
          {"errors", r.errors},
          {"kinds", kinds}};
}

// `count` consecutive IPv4 addresses from `first`.
std::vector<std::string> address_range(const std::string& first, uint32_t count) {
  const uint32_t base = boost::asio::ip::make_address_v4(first).to_uint();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < count; ++i)
    out.push_back(boost::asio::ip::address_v4(base + i).to_string());
  return out;
}

}  // namespace
}  // namespace medtrail::bench::abuse

int main(int argc, char** argv) {
  using namespace medtrail::bench::abuse;
  CLI::App app{
      "an abusive HTTP client: idle, slowloris and slow-body connections (scripts/bench abuse)"};
  FloodSpec spec;
  unsigned duration_s = 10;
  unsigned line_ms = 1000, reconnect_ms = 1000, connect_timeout_ms = 5000, progress_s = 5;
  uint32_t max_connections = 20000;
  std::string from = "many";
  std::string first_source = "127.0.0.2";
  uint32_t source_count = 253;  // 127.0.0.2 .. 127.0.0.254
  app.add_option("--host", spec.host, "the server's IPv4 address")->capture_default_str();
  app.add_option("--port", spec.port, "the server's port")->required();
  app.add_option("--duration", duration_s, "seconds")->required()->check(CLI::Range(1u, 3600u));
  app.add_option("--idle", spec.idle, "connections that send nothing");
  app.add_option("--slowloris", spec.slowloris, "connections sending a head one line at a time");
  app.add_option("--slow-body", spec.slow_body, "connections sending a body one byte at a time");
  app.add_option("--from", from,
                 "many: --sources addresses from --first-source, round-robin; "
                 "one: --first-source only; kernel: no bind")
      ->check(CLI::IsMember({"many", "one", "kernel"}))
      ->capture_default_str();
  app.add_option("--first-source", first_source, "first source address")->capture_default_str();
  app.add_option("--sources", source_count, "source addresses for --from many")
      ->check(CLI::Range(1u, 1u << 24))
      ->capture_default_str();
  app.add_option("--line-ms", line_ms, "between a slow connection's lines (or body bytes)")
      ->check(CLI::Range(10u, 600000u))
      ->capture_default_str();
  app.add_option("--reconnect-ms", reconnect_ms, "before reopening a cut connection or retrying")
      ->check(CLI::Range(10u, 600000u))
      ->capture_default_str();
  app.add_option("--connect-timeout-ms", connect_timeout_ms, "a connect attempt's limit")
      ->check(CLI::Range(100u, 60000u))
      ->capture_default_str();
  app.add_option("--target", spec.target, "request target of slow requests")->capture_default_str();
  app.add_option("--max-connections", max_connections, "refuse to run with more slots than this")
      ->capture_default_str();
  app.add_option("--progress-s", progress_s, "progress on stderr every S seconds (0: none)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const uint64_t slots = uint64_t{spec.idle} + spec.slowloris + spec.slow_body;
  if (slots > max_connections) {
    std::cerr << "abuse_flood: " << slots << " connections exceed --max-connections "
              << max_connections << "\n";
    return 2;
  }
  spec.duration = std::chrono::seconds(duration_s);
  spec.line_interval = std::chrono::milliseconds(line_ms);
  spec.reconnect_delay = std::chrono::milliseconds(reconnect_ms);
  spec.connect_timeout = std::chrono::milliseconds(connect_timeout_ms);
  try {
    if (from == "many") spec.sources = address_range(first_source, source_count);
    if (from == "one") spec.sources = {first_source};
    const uint64_t nofile = raise_nofile_limit();
    if (slots + 64 > nofile) {
      std::cerr << "abuse_flood: warning: " << slots << " connections, RLIMIT_NOFILE " << nofile
                << " (failed opens are counted as errors)\n";
    }
    auto progress = [](const FloodReport& r) {
      std::cerr << "abuse_flood: " << to_json(r).dump() << "\n";
    };
    FloodReport report = run_flood(spec, progress, std::chrono::seconds(progress_s));
    report.nofile_limit = nofile;
    std::cout << to_json(report).dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "abuse_flood: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
