// The read-side benchmark's harness (scripts/bench lookup, docs/benchmarks.md):
//
//   lookup_bench serve --out DIR --records N [--prescriptions M] [--floor-us F] ...
//     a real single-node stack (tests/support/node/api_stack.h) on 127.0.0.1, filled with N
//     tableware batches and M prescriptions through admission; then it writes what the client
//     side needs into DIR (ports, codes, ids, keys, the fill rate) and serves until SIGTERM,
//     SIGINT or --max-seconds. Two listeners on the same node: `port` with the lookup floor as
//     deployed (--floor-us), `port-nofloor` with floor 0, to show the server's own cost. With
//     --public, a public listener with the public defaults (public_listener.h; `port-public`,
//     its metrics on `port-public-metrics`); with --control, another without its defences
//     (`port-control`, `port-control-metrics`): what scripts/bench abuse floods.
//   lookup_bench sign --dir DIR --what verify|ingest|query --count K --out FILE
//     requests signed ahead of a wrk run (signed_requests.h).
#include <CLI/CLI.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/lookup/public_listener.h"
#include "bench/lookup/signed_requests.h"
#include "bench/lookup/store_fill.h"
#include "http/http_server.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/key_file.h"

namespace medtrail::bench::lookup {
namespace {

using node::api::testing::ApiStack;
using node::api::testing::Person;

struct ServeSpec {
  std::string out;
  uint64_t records = 1000;
  uint64_t prescriptions = 0;  // 0: records / 20, at least 1,000
  uint32_t floor_us = 3000;
  uint32_t lookups_per_minute = 1'000'000;
  uint32_t lookup_burst = 100'000;
  unsigned max_seconds = 3600;
  bool public_listener = false;
  bool control_listener = false;
  node::ListenerConfig listener = node::public_listener_defaults();
};

nlohmann::json listener_json(const node::ListenerConfig& l) {
  return {{"max_connections", l.max_connections},
          {"max_connections_per_address", l.max_connections_per_address},
          {"requests_per_second_per_address", l.requests_per_second_per_address},
          {"request_burst_per_address", l.request_burst_per_address},
          {"head_timeout_ms", l.head_timeout_ms},
          {"idle_timeout_ms", l.idle_timeout_ms},
          {"request_timeout_ms", l.request_timeout_ms},
          {"trusted_proxies", l.trusted_proxies}};
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_person(const std::string& dir, const std::string& role, const Person& p) {
  std::remove((dir + "/" + role + ".key").c_str());
  ledger::Status s = ledger::save_key_file(dir + "/" + role + ".key", p.key);
  if (!s.ok()) throw std::runtime_error(s.to_string());
  write_file(dir + "/" + role + ".id", p.id + "\n");
}

int serve(const ServeSpec& spec) {
  // Blocked before any thread starts, so every thread inherits the mask and the watcher below
  // is the one place the signals arrive: the harness stops on them while filling too.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(spec.max_seconds);
  std::atomic<bool> signalled{false};
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    const timespec poll{0, 100'000'000};
    while (!finished && !signalled) {
      if (sigtimedwait(&stop_signals, nullptr, &poll) > 0) signalled = true;
    }
  });
  struct JoinWatcher {
    std::atomic<bool>& finished;
    std::thread& watcher;
    ~JoinWatcher() {
      finished = true;
      watcher.join();
    }
  } join_watcher{finished, watcher};
  auto should_stop = [&] { return signalled || std::chrono::steady_clock::now() >= deadline; };

  ApiStack stack([&](node::NodeConfig& c) {
    c.limits.public_lookup_floor_us = spec.floor_us;
    c.limits.public_lookups_per_minute = spec.lookups_per_minute;
    c.limits.public_lookup_burst = spec.lookup_burst;
    c.api.trusted_proxies = spec.listener.trusted_proxies;
  });
  if (!stack.wait_for_leader()) throw std::runtime_error("the lone voter did not elect itself");
  Person op = stack.register_person("disinf-d", "op-1", "operator");
  Person doctor = stack.register_person("hosp-a", "dr-1", "doctor");
  Person pharmacist = stack.register_person("hosp-a", "ph-1", "pharmacist");
  Person inspector = stack.register_person("reg-c", "insp-1", "inspector");

  FillSpec fill;
  fill.tableware = spec.records;
  fill.stop = should_stop;
  fill.prescriptions = spec.prescriptions ? spec.prescriptions : std::max<uint64_t>(1000, spec.records / 20);
  std::cerr << "lookup_bench: filling " << fill.tableware << " tableware batches and " << fill.prescriptions
            << " prescriptions\n";
  FillResult filled = fill_store(stack, op, doctor, fill, [](uint64_t n) {
    std::cerr << "lookup_bench: " << n << " records committed\n";
  });

  // The same node, floor 0: another listener with its own copy of the limits.
  node::NodeConfig no_floor = stack.config();
  no_floor.limits.public_lookup_floor_us = 0;
  node::api::ApiContext no_floor_ctx = stack.context();
  no_floor_ctx.config = &no_floor;
  node::api::Metrics no_floor_metrics;
  node::http::ServerOptions no_floor_options;
  no_floor_options.trusted_proxies = no_floor.api.trusted_proxies;
  node::http::Server no_floor_server(stack.io(), std::move(no_floor_options));
  node::api::register_api_routes(no_floor_server, no_floor_ctx, no_floor_metrics);
  if (ledger::Status s = no_floor_server.start(); !s.ok()) throw std::runtime_error(s.to_string());
  std::optional<PublicListener> public_listener;
  std::optional<PublicListener> control_listener;
  if (spec.public_listener) public_listener.emplace(stack, spec.listener);
  if (spec.control_listener) control_listener.emplace(stack, without_defences(spec.listener));

  const std::string& dir = spec.out;
  write_lines(dir + "/tableware-codes", filled.codes);
  write_lines(dir + "/rx-ids", filled.rx_ids);
  write_person(dir, "operator", op);
  write_person(dir, "pharmacist", pharmacist);
  write_person(dir, "inspector", inspector);
  write_file(dir + "/chain-id", ledger::to_hex(stack.chain_id()) + "\n");
  write_file(dir + "/node-id", stack.context().node_id + "\n");
  write_file(dir + "/port-nofloor", std::to_string(no_floor_server.port()) + "\n");
  const std::pair<std::string, const std::optional<PublicListener>*> extra[] = {
      {"public", &public_listener}, {"control", &control_listener}};
  for (const auto& [name, listener] : extra) {
    if (!*listener) continue;
    const std::string prefix = dir + "/port-" + name;
    write_file(prefix, std::to_string((*listener)->port()) + "\n");
    write_file(prefix + "-metrics", std::to_string((*listener)->metrics_port()) + "\n");
  }
  nlohmann::json stats = {{"tableware", fill.tableware},
                          {"prescriptions", fill.prescriptions},
                          {"records", filled.records},
                          {"seconds", filled.seconds},
                          {"records_per_s", filled.records / filled.seconds},
                          {"tree_size", stack.store().tree_size()},
                          {"floor_us", spec.floor_us},
                          {"lookups_per_minute", spec.lookups_per_minute},
                          {"lookup_burst", spec.lookup_burst}};
  if (public_listener) stats["public"] = listener_json(spec.listener);
  if (control_listener) stats["control"] = listener_json(without_defences(spec.listener));
  write_file(dir + "/fill.json", stats.dump() + "\n");
  write_file(dir + "/port", std::to_string(stack.port()) + "\n");  // last: the harness is ready
  std::cerr << "lookup_bench: serving on 127.0.0.1:" << stack.port() << " (floor " << spec.floor_us
            << " us) and :" << no_floor_server.port() << " (floor 0); " << stats.dump() << "\n";

  while (!should_stop()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::cerr << "lookup_bench: stopping (" << (signalled ? "signal" : "max lifetime") << ")\n";
  no_floor_server.stop();
  if (public_listener) public_listener->stop();
  if (control_listener) control_listener->stop();
  // Its closed connections' last handlers run on the stack's io threads: let them finish
  // before the server and its context go (the stack's own server is stopped by ~ApiStack).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return 0;
}

}  // namespace
}  // namespace medtrail::bench::lookup

int main(int argc, char** argv) {
  using namespace medtrail::bench::lookup;
  CLI::App app{"medtrail's read-side benchmark harness (scripts/bench lookup)"};
  app.require_subcommand(1);
  ServeSpec serve_spec;
  CLI::App* serve_cmd = app.add_subcommand("serve", "fill a single-node stack and serve it on 127.0.0.1");
  serve_cmd->add_option("--out", serve_spec.out, "directory for ports, codes, ids and keys")->required();
  serve_cmd->add_option("--records", serve_spec.records, "tableware batches");
  serve_cmd->add_option("--prescriptions", serve_spec.prescriptions, "prescriptions (0: records/20, >= 1000)");
  serve_cmd->add_option("--floor-us", serve_spec.floor_us, "public_lookup_floor_us of the main listener");
  serve_cmd->add_option("--lookups-per-minute", serve_spec.lookups_per_minute, "public_lookups_per_minute");
  serve_cmd->add_option("--lookup-burst", serve_spec.lookup_burst, "public_lookup_burst");
  serve_cmd->add_option("--max-seconds", serve_spec.max_seconds, "stop after this long at the latest");
  serve_cmd->add_flag("--public", serve_spec.public_listener, "also a public listener (port-public)");
  serve_cmd->add_flag("--control", serve_spec.control_listener,
                      "also the public listener without its defences (port-control)");
  medtrail::node::ListenerConfig& l = serve_spec.listener;
  serve_cmd->add_option("--trusted-proxy", l.trusted_proxies, "every listener's trusted proxies");
  serve_cmd->add_option("--public-max-connections", l.max_connections)->capture_default_str();
  serve_cmd->add_option("--public-per-address", l.max_connections_per_address)->capture_default_str();
  serve_cmd->add_option("--public-rps", l.requests_per_second_per_address)->capture_default_str();
  serve_cmd->add_option("--public-burst", l.request_burst_per_address)->capture_default_str();
  serve_cmd->add_option("--public-head-ms", l.head_timeout_ms)->capture_default_str();
  serve_cmd->add_option("--public-idle-ms", l.idle_timeout_ms)->capture_default_str();
  serve_cmd->add_option("--public-request-ms", l.request_timeout_ms)->capture_default_str();
  SignSpec sign_spec;
  CLI::App* sign_cmd = app.add_subcommand("sign", "sign requests for a wrk run");
  sign_cmd->add_option("--dir", sign_spec.dir, "the serving harness's --out")->required();
  sign_cmd->add_option("--what", sign_spec.what, "verify, ingest or query")->required();
  sign_cmd->add_option("--count", sign_spec.count, "requests")->required();
  sign_cmd->add_option("--target", sign_spec.target, "for query: the request target");
  sign_cmd->add_option("--prefix", sign_spec.prefix, "for ingest: batch code prefix");
  sign_cmd->add_option("--out", sign_spec.out, "file to write")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    if (serve_cmd->parsed()) return serve(serve_spec);
    return sign_requests(sign_spec);
  } catch (const Stopped& e) {
    std::cerr << "lookup_bench: " << e.what() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "lookup_bench: " << e.what() << "\n";
    return 1;
  }
}
