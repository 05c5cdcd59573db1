// `medtrail trace CODE`: a citizen's lookup from the command line (docs/trace.md). Prints the
// public facts as the node reports them, then what it proves: the answer's checkpoint is this
// chain's (the genesis you hold names it), signed by a quorum of its organisations, and extends
// the one this client verified before; the code's public facts are proven against that block's
// state root, and the word is computed from them here (trace_proof.h). Exit 0 for a proven word
// in good standing (GENUINE, IN_USE; a prescription's VALID, PARTLY_DISPENSED, DISPENSED,
// DELIVERED) as of a block no older than --max-age; 1 for any other word, a word that cannot be
// proven now, or a proof or checkpoint that does not verify; 2 for bad usage or a node whose
// lookup does not answer.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "checkpoint_keeper.h"
#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/rfc3339.h"
#include "node_url.h"
#include "proven_print.h"
#include "trace_proof.h"
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
  int64_t max_age_s = 3600;
};

// A prescription id is 64 hex; a dose code is 20 digits or a GS1 element string; else a batch.
TraceKind kind_of(const TraceOptions& o) {
  if (o.kind == "vaccine") return TraceKind::kVaccine;
  if (o.kind == "tableware") return TraceKind::kTableware;
  if (o.kind == "rx") return TraceKind::kRx;
  const std::string& c = o.code;
  if (c.size() == 64 && c.find_first_not_of("0123456789abcdef") == std::string::npos)
    return TraceKind::kRx;
  if (c.starts_with("(01)") ||
      (c.size() == 20 && c.find_first_not_of("0123456789") == std::string::npos)) {
    return TraceKind::kVaccine;
  }
  return TraceKind::kTableware;
}

// A text field of what the node sent; "" when absent or not a text (a node's answer is not trusted
// to have the shape it should).
std::string text_field(const json& j, const char* name) {
  auto it = j.is_object() ? j.find(name) : j.end();
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool in_good_standing(const std::string& status) {
  return status == "GENUINE" || status == "IN_USE" || status == "VALID" ||
         status == "PARTLY_DISPENSED" || status == "DISPENSED" || status == "DELIVERED";
}

// Prints facts as "key: value" lines, nested objects indented, times in UTC.
void print_facts(const json& facts, const std::string& indent) {
  for (const auto& [key, value] : facts.items()) {
    if (value.is_object()) {
      std::cout << indent << printable_text(key) << ":\n";
      print_facts(value, indent + "  ");
    } else if (value.is_array()) {
      std::cout << indent << printable_text(key) << ":" << (value.empty() ? " none" : "") << "\n";
      for (const json& item : value) {
        if (item.is_object()) {
          std::cout << indent << "  -\n";
          print_facts(item, indent + "    ");
        } else {
          std::cout << indent << "  - "
                    << printable_text(item.is_string() ? item.get<std::string>() : item.dump())
                    << "\n";
        }
      }
    } else if (key.ends_with("_ms") && value.is_number_integer()) {
      std::cout << indent << printable_text(key.substr(0, key.size() - 3)) << ": "
                << ledger::unix_ms_to_rfc3339(value.get<int64_t>()) << "\n";
    } else {
      std::cout << indent << printable_text(key) << ": "
                << printable_text(value.is_string() ? value.get<std::string>() : value.dump())
                << "\n";
    }
  }
}

// What the client stands by: the word (the proven one, or the node's marked as not proven), the
// lines that say why, and the exit code.
struct TraceVerdict {
  std::string word;
  std::ostringstream report;
  int exit_code = kExitInvalid;
};

// Checks the answer's proof: its checkpoint by the genesis and the one verified before, then its
// facts against that checkpoint's block.
void prove(const TraceOptions& o, const NodeUrl& node, const ledger::LoadedGenesis& genesis,
           TraceKind kind, const std::string& node_word, const json& proof, TraceVerdict& v) {
  const auto timeout = std::chrono::seconds(o.timeout_s);
  std::ostream& out = v.report;
  v.word = printable_text(node_word) + " (the node's word, NOT proven)";
  const std::optional<PrintedCode> code = printed_code(kind, o.code);
  if (!code) {
    out << "NOT proven: the code is of no form the client can key (20 digits, or "
           "(01)..(17)..(10)..(21)..)\n";
    return;
  }
  if (!proof.is_object() || !proof.contains("checkpoint")) {
    // No proof (no quorum checkpoint yet, or one the node no longer keeps): the chain is still
    // judged, and the word stays the node's.
    out << "NOT proven: the node sent no proof of the facts\n";
    auto newest = verify_newest_checkpoint(node, timeout, genesis, o.state_dir);
    if (!newest.ok()) {
      out << "chain NOT verified: " << newest.status().to_string() << "\n";
      return;
    }
    out << verified_line(*newest) << "\n";
    return;
  }
  auto checkpoint = ledger::checkpoint_from_json(proof.at("checkpoint").dump());
  if (!checkpoint.ok()) {
    out << "chain NOT verified: bad_checkpoint: the proof's checkpoint does not read\n";
    return;
  }
  auto verdict = judge_checkpoint(node, timeout, genesis, o.state_dir, *checkpoint);
  if (!verdict.ok()) {
    out << "chain NOT verified: " << verdict.status().to_string() << "\n";
    return;
  }
  const int64_t now = unix_now_ms();
  auto proven = check_trace_proof(proof, genesis, *checkpoint, kind, *code, now);
  if (!proven.ok()) {
    out << "facts NOT proven: " << proven.status().to_string() << "\n"
        << verified_line(*verdict) << "\n";
    return;
  }
  if (proven->word.empty()) {
    out << "NOT proven: " << proven->pending << "\n" << verified_line(*verdict) << "\n";
    return;
  }
  v.word = proven->word;
  const int64_t age_s = proven_age_s(*proven, now);
  print_proven(*proven, now, out);
  if (proven->word != node_word) {
    out << "the node's word (" << printable_text(node_word)
        << ") is not what the proven facts give\n";
  }
  out << verified_line(*verdict) << "\n";
  // The first line says what stands in the way of the word, where something does.
  if (!proven->label_mismatch.empty()) {
    v.word = proven->word + " (NOT genuine: the label is another lot's)";
    out << "NOT genuine: " << printable_text(proven->label_mismatch) << "\n";
    return;
  }
  if (verdict->behind) {
    v.word = proven->word + " (NOT current)";
    out << "NOT current: the proof is against a checkpoint older than one you verified before; a "
           "recall since "
           "would not show (ask another --node)\n";
    return;
  }
  if (age_s > o.max_age_s) {
    v.word = proven->word + " (NOT current)";
    out << "NOT current: the proof is older than --max-age (" << o.max_age_s
        << " s); a recall since would not show\n";
    return;
  }
  v.exit_code = in_good_standing(proven->word) ? 0 : kExitInvalid;
}

}  // namespace

void add_trace(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "trace",
      "Look a code up as a citizen: a vaccine dose, a tableware batch or a prescription id. Exit 0 "
      "in good standing, 1 not (recalled, expired, already administered, unknown, ...)");
  auto o = std::make_shared<TraceOptions>();
  cmd->add_option("code", o->code,
                  "The code as printed: 20 digits, a GS1 string (01)..(21).., a batch code, "
                  "or a prescription id")
      ->required();
  cmd->add_option("--kind", o->kind, "vaccine, tableware, rx or auto (from the code's form)")
      ->check(CLI::IsMember({"auto", "vaccine", "tableware", "rx"}))
      ->capture_default_str();
  cmd->add_option("--node", o->node,
                  "The node's API, https://host:port (or http:// where it is set to plain_http)")
      ->capture_default_str();
  cmd->add_option("--genesis", o->genesis, "The genesis file you trust (names the chain)")
      ->required();
  cmd->add_option("--state-dir", o->state_dir,
                  "Where the last checkpoint you verified is kept, per chain")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Seconds the node has to answer")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_option("--max-age", o->max_age_s,
                  "Seconds a proof's block may be old for a word in good standing to count (a "
                  "recall after it "
                  "would not show)")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 86400))
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
    const std::string target = std::string("/v1/trace/") + trace_kind_segment(kind) + "/" +
                               percent_encode_segment(o->code);
    auto reply = http_get(*node, target, timeout);
    if (!reply.ok()) {
      exit_code = fail("trace", reply.status(), kExitUsage);
      return;
    }
    json body = json::parse(reply->body, nullptr, false);
    if (reply->status == 429) {
      exit_code =
          fail("trace",
               ledger::Status::error("rate_limited", "too many lookups; retry after " +
                                                         reply->header("retry-after") + " s"),
               kExitUsage);
      return;
    }
    if ((reply->status != 200 && reply->status != 404) || !body.is_object() ||
        !body.contains("status")) {
      exit_code = fail("trace",
                       ledger::Status::error("bad_answer", "HTTP " + std::to_string(reply->status)),
                       kExitUsage);
      return;
    }
    const std::string status = body["status"].is_string() ? body["status"].get<std::string>() : "";
    TraceVerdict verdict;
    prove(*o, *node, *genesis, kind, status, body.value("proof", json()), verdict);
    std::cout << verdict.word << "\n"
              << trace_kind_segment(kind) << " " << printable_text(text_field(body, "code"))
              << "\n";
    print_facts(body.value("facts", json::object()), "  ");
    const json timeline = body.value("timeline", json::array());
    if (!timeline.empty()) std::cout << "  timeline:\n";
    for (const json& e : timeline) {
      if (!e.is_object()) continue;
      const auto at = e.find("at_ms");
      const bool refused = e.contains("accepted") && e["accepted"] == false;
      std::cout << "    "
                << ledger::unix_ms_to_rfc3339(
                       at != e.end() && at->is_number_integer() ? at->get<int64_t>() : 0)
                << "  " << printable_text(text_field(e, "event")) << "  "
                << printable_text(text_field(e, "organisation"))
                << (refused ? "  REFUSED " + printable_text(text_field(e, "reason_code")) : "")
                << "\n";
    }
    std::cout << verdict.report.str();
    exit_code = verdict.exit_code;
  });
}

}  // namespace medtrail::cli
