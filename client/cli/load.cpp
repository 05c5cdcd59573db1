// `medtrail load`: a load generator for a running cluster. Signs every envelope first, then
// submits them one per request with ?wait=commit over keep-alive connections spread across
// the given API URLs, closed loop (--concurrency in flight) or open loop (--rate). Prints one
// JSON line per run (load_report.h); scripts/bench ingest tabulates them.

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "commands.h"
#include "io.h"
#include "load_driver.h"
#include "load_envelopes.h"
#include "load_verify.h"
#include "medtrail/ledger/thread_pool.h"

namespace medtrail::cli {
namespace {

// A closed-loop run's default supply; a run that uses it all reports "exhausted".
constexpr size_t kDefaultClosedLoopRecords = 150000;
// Windows one report may hold (--window): a day of 10 s windows.
constexpr size_t kMaxWindows = 8640;

struct LoadOptions {
  std::vector<std::string> urls;
  std::vector<std::string> key_paths;
  size_t concurrency = 64;
  double rate = 0;
  double duration_s = 10;
  size_t records = 0;
  size_t payload_bytes = 400;
  size_t threads = 1;
  size_t sign_threads = 0;
  double timeout_s = 30;
  std::string nonce_prefix;
  bool verify_limit = false;
  double verify_seconds = 5;
  double window_s = 0;
};

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

std::string default_nonce_prefix() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return "load-" + std::to_string(::getpid()) + "-" + std::to_string(ms);
}

size_t record_supply(const LoadOptions& opt) {
  if (opt.records > 0) return opt.records;
  if (opt.rate > 0) return static_cast<size_t>(std::ceil(opt.rate * opt.duration_s)) + 1;
  return kDefaultClosedLoopRecords;
}

int run_verify_limit(const LoadOptions& opt) {
  auto limit = measure_verify_limit(opt.sign_threads, to_ms(opt.verify_seconds), opt.payload_bytes);
  if (!limit.ok()) return fail("load", limit.status(), kExitInvalid);
  std::cout << verify_limit_json(*limit) << std::endl;
  return 0;
}

int run_load(const LoadOptions& opt) {
  if (opt.urls.empty() || opt.key_paths.empty()) {
    return fail("load", ledger::Status::error("usage", "--url and --key are required"), kExitUsage);
  }
  const double windows = opt.window_s > 0 ? opt.duration_s / opt.window_s : 0;
  if (opt.window_s > 0 && (opt.window_s < 1 || windows > static_cast<double>(kMaxWindows))) {
    const std::string why = "--window is 0 (off) or at least 1 second, at most " +
                            std::to_string(kMaxWindows) + " of them in --duration";
    return fail("load", ledger::Status::error("usage", why), kExitUsage);
  }
  DriveOptions drive;
  for (const std::string& url : opt.urls) {
    auto target = parse_node_url(url);
    if (!target.ok()) return fail("load", target.status(), kExitUsage);
    if (target->tls) {
      // A load generator measures the node, not a TLS stack: it speaks plain HTTP only.
      return fail("load", ledger::Status::error("bad_url", url + ": medtrail load speaks http:// only"), kExitUsage);
    }
    drive.targets.push_back(std::move(target).value());
  }
  std::vector<LoadSigner> signers;
  for (const std::string& path : opt.key_paths) {
    auto signer = load_signer(path);
    if (!signer.ok()) return fail("load", signer.status(), kExitUsage);
    signers.push_back(std::move(signer).value());
  }

  EnvelopeSpec spec;
  spec.count = record_supply(opt);
  spec.payload_bytes = opt.payload_bytes;
  spec.nonce_prefix = opt.nonce_prefix.empty() ? default_nonce_prefix() : opt.nonce_prefix;
  const auto sign_start = std::chrono::steady_clock::now();
  ledger::Result<std::vector<std::string>> bodies = [&] {
    ledger::ThreadPool pool(opt.sign_threads);
    return presign_envelopes(signers, spec, pool);
  }();
  if (!bodies.ok()) return fail("load", bodies.status(), kExitInvalid);
  const double signing_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sign_start).count();
  std::cerr << "medtrail load: signed " << bodies->size() << " envelopes in " << signing_s
            << " s\n";

  drive.concurrency = opt.concurrency;
  drive.threads = opt.threads;
  drive.rate = opt.rate;
  drive.duration = to_ms(opt.duration_s);
  drive.io_timeout = to_ms(opt.timeout_s);
  auto result = drive_load(drive, *bodies);
  if (!result.ok()) return fail("load", result.status(), kExitInvalid);
  if (result->exhausted) {
    std::cerr << "medtrail load: all " << bodies->size()
              << " envelopes were sent before --duration ended; raise --records\n";
  }

  LoadRunInfo info;
  info.mode = opt.rate > 0 ? "open" : "closed";
  info.concurrency = opt.concurrency;
  info.rate = opt.rate;
  info.threads = opt.threads;
  info.urls = drive.targets.size();
  info.seconds = result->seconds;
  info.duration_s = opt.duration_s;
  info.signing_s = signing_s;
  info.window_s = opt.window_s;
  std::cout << load_report_json(info, result->stats) << std::endl;
  return 0;
}

}  // namespace

void add_load(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "load", "Load-test a running cluster with pre-signed records; prints one JSON line");
  auto opt = std::make_shared<LoadOptions>();
  cmd->add_option("--url", opt->urls, "API URL http://host:port (repeat for every node)");
  cmd->add_option("--key", opt->key_paths,
                  "Signing key .../orgs/<org>/<name>.key, identity <org>/<name> (repeatable)");
  cmd->add_option("--concurrency", opt->concurrency, "Connections, one request in flight each")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--rate", opt->rate, "Open loop: records/s to offer (0: closed loop)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--duration", opt->duration_s, "Seconds during which records are started")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--records", opt->records,
                  "Envelopes to pre-sign (default: rate x duration, or 150000 closed loop)");
  cmd->add_option("--payload-bytes", opt->payload_bytes, "Payload size")
      ->check(CLI::Range(200, 60000));
  cmd->add_option("--threads", opt->threads, "Network threads of the generator")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--sign-threads", opt->sign_threads,
                  "Threads for pre-signing and --verify-limit (0: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--timeout", opt->timeout_s, "Seconds before a silent connection is an error")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--window", opt->window_s,
                  "Also report each span of this many seconds: commits, rate, p50/p99 (0: off)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--nonce-prefix", opt->nonce_prefix, "Prefix of every nonce (default: unique)");
  cmd->add_flag("--verify-limit", opt->verify_limit,
                "Only measure raw Ed25519 verifications/s on --sign-threads threads");
  cmd->add_option("--verify-seconds", opt->verify_seconds, "Duration of --verify-limit")
      ->check(CLI::PositiveNumber);
  cmd->callback([&exit_code, opt] {
    exit_code = opt->verify_limit ? run_verify_limit(*opt) : run_load(*opt);
  });
}

}  // namespace medtrail::cli
