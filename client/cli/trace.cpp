// `medtrail trace CODE`: a citizen's lookup from the command line (docs/trace.md). Prints the
// status word and the public facts as the node reports them, and checks what can be checked
// today: the node's newest checkpoint is this chain's (the genesis you hold names it), signed
// by a quorum of its organisations, and extends the one this client verified before. Exit 0 for a code in good standing (GENUINE, IN_USE, VALID,
// PARTLY_DISPENSED, DISPENSED, DELIVERED), 1 for any other word or a checkpoint that does not
// verify, 2 for bad usage or a node that does not answer.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "checkpoint_keeper.h"
#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/rfc3339.h"
#include "node_url.h"
#include "trace_url.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

struct TraceOptions {
  std::string code;
  std::string kind = "auto";
  std::string node = "https://127.0.0.1:8080";
  std::string genesis;
  std::string state_dir = default_state_dir();
  int timeout_s = 10;
};

// A prescription id is 64 hex; a dose code is 20 digits or a GS1 element string; else a batch.
TraceKind kind_of(const TraceOptions& o) {
  if (o.kind == "vaccine") return TraceKind::kVaccine;
  if (o.kind == "tableware") return TraceKind::kTableware;
  if (o.kind == "rx") return TraceKind::kRx;
  const std::string& c = o.code;
  if (c.size() == 64 && c.find_first_not_of("0123456789abcdef") == std::string::npos) return TraceKind::kRx;
  if (c.starts_with("(01)") || (c.size() == 20 && c.find_first_not_of("0123456789") == std::string::npos)) {
    return TraceKind::kVaccine;
  }
  return TraceKind::kTableware;
}

bool in_good_standing(const std::string& status) {
  return status == "GENUINE" || status == "IN_USE" || status == "VALID" || status == "PARTLY_DISPENSED" || status == "DISPENSED" ||
         status == "DELIVERED";
}

// Prints facts as "key: value" lines, nested objects indented, times in UTC.
void print_facts(const json& facts, const std::string& indent) {
  for (const auto& [key, value] : facts.items()) {
    if (value.is_object()) {
      std::cout << indent << key << ":\n";
      print_facts(value, indent + "  ");
    } else if (value.is_array()) {
      std::cout << indent << key << ":" << (value.empty() ? " none" : "") << "\n";
      for (const json& item : value) {
        if (item.is_object()) {
          std::cout << indent << "  -\n";
          print_facts(item, indent + "    ");
        } else {
          std::cout << indent << "  - " << (item.is_string() ? item.get<std::string>() : item.dump()) << "\n";
        }
      }
    } else if (key.ends_with("_ms") && value.is_number_integer()) {
      std::cout << indent << key.substr(0, key.size() - 3) << ": " << ledger::unix_ms_to_rfc3339(value.get<int64_t>())
                << "\n";
    } else {
      std::cout << indent << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
  }
}

}  // namespace

void add_trace(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "trace", "Look a code up as a citizen: a vaccine dose, a tableware batch or a prescription id. Exit 0 "
               "in good standing, 1 not (recalled, expired, already administered, unknown, ...)");
  auto o = std::make_shared<TraceOptions>();
  cmd->add_option("code", o->code, "The code as printed: 20 digits, a GS1 string (01)..(21).., a batch code, "
                                   "or a prescription id")
      ->required();
  cmd->add_option("--kind", o->kind, "vaccine, tableware, rx or auto (from the code's form)")
      ->check(CLI::IsMember({"auto", "vaccine", "tableware", "rx"}))
      ->capture_default_str();
  cmd->add_option("--node", o->node, "The node's API, https://host:port (or http:// where it is set to plain_http)")->capture_default_str();
  cmd->add_option("--genesis", o->genesis, "The genesis file you trust (names the chain)")->required();
  cmd->add_option("--state-dir", o->state_dir, "Where the last checkpoint you verified is kept, per chain")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Seconds the node has to answer")->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->callback([&exit_code, o] {
    auto node = parse_node_url(o->node);
    if (!node.ok()) {
      exit_code = fail("trace", node.status(), kExitUsage);
      return;
    }
    auto genesis = ledger::load_genesis_file(o->genesis);
    if (!genesis.ok()) {
      exit_code = fail("trace", genesis.status(), kExitUsage);
      return;
    }
    trust_genesis_pins(*node, genesis->genesis);
    const TraceKind kind = kind_of(*o);
    if (ledger::Status s = check_trace_code(kind, o->code); !s.ok()) {
      exit_code = fail("trace", s, kExitUsage);
      return;
    }
    const auto timeout = std::chrono::seconds(o->timeout_s);
    const std::string target =
        std::string("/v1/trace/") + trace_kind_segment(kind) + "/" + percent_encode_segment(o->code);
    auto reply = http_get(*node, target, timeout);
    if (!reply.ok()) {
      exit_code = fail("trace", reply.status(), kExitUsage);
      return;
    }
    json body = json::parse(reply->body, nullptr, false);
    if (reply->status == 429) {
      exit_code = fail("trace", ledger::Status::error("rate_limited", "too many lookups; retry after " +
                                                                          reply->header("retry-after") + " s"),
                       kExitUsage);
      return;
    }
    if ((reply->status != 200 && reply->status != 404) || !body.is_object() || !body.contains("status")) {
      exit_code = fail("trace", ledger::Status::error("bad_answer", "HTTP " + std::to_string(reply->status)), kExitUsage);
      return;
    }
    const std::string status = body["status"].is_string() ? body["status"].get<std::string>() : "";
    std::cout << status << "\n" << trace_kind_segment(kind) << " " << body.value("code", "") << "\n";
    print_facts(body.value("facts", json::object()), "  ");
    const json timeline = body.value("timeline", json::array());
    if (!timeline.empty()) std::cout << "  timeline:\n";
    for (const json& e : timeline) {
      std::cout << "    " << ledger::unix_ms_to_rfc3339(e.value("at_ms", int64_t{0})) << "  " << e.value("event", "")
                << "  " << e.value("organisation", "")
                << (e.value("accepted", true) ? "" : "  REFUSED " + e.value("reason_code", "")) << "\n";
    }
    auto verdict = verify_newest_checkpoint(*node, timeout, *genesis, o->state_dir);
    if (!verdict.ok()) {
      std::cout << "chain NOT verified: " << verdict.status().to_string() << "\n";
      exit_code = kExitInvalid;
      return;
    }
    std::cout << verified_line(*verdict)
              << " (the facts are the node's report; proofs of them come with authenticated state)\n";
    exit_code = in_good_standing(status) ? 0 : kExitInvalid;
  });
}

}  // namespace medtrail::cli
