#include "rx_proof.h"

#include <sstream>

#include "io.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "proven_print.h"
#include "trace_proof.h"
#include "trail_proofs.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

// The node's status ("valid", "dispensing", ...) as the word the proven facts give.
std::string word_of(const std::string& status) {
  if (status == "dispensing") return "PARTLY_DISPENSED";
  std::string word = status;
  for (char& c : word) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return word;
}

void check_status(const json& body, const json& proof, const std::string& rx_id,
                  const ledger::LoadedGenesis& genesis, const ledger::SignedCheckpoint& checkpoint,
                  int64_t now_ms, RxProof& out, std::ostream& report) {
  auto proven = check_trace_proof(proof, genesis, checkpoint, TraceKind::kRx,
                                  PrintedCode{rx_id, std::nullopt}, now_ms);
  if (!proven.ok()) {
    report << "status NOT proven: " << proven.status().to_string() << "\n";
    const std::string& code = proven.status().code();
    out.refuted =
        code == "proof_invalid" || code == "proof_malformed" || code == "bad_proof_document";
    return;
  }
  if (proven->word.empty()) {
    report << "status NOT proven yet: " << proven->pending << "\n";
    return;
  }
  out.word = proven->word;
  print_proven(*proven, now_ms, report, "prescription");
  const json status = body.value("status", json());
  const std::string node_status = status.is_string() ? status.get<std::string>() : "";
  out.status_matches = proven->word == word_of(node_status);
  if (!out.status_matches) {
    // A lie, or a step between the node's answer and its proof (then asking again settles it).
    report << "the node's status (" << printable_text(node_status)
           << ") is NOT what the proven facts give\n";
    out.refuted = true;
  }
}

void check_trail(const json& body, const json& proof, const std::string& rx_id,
                 const ledger::LoadedGenesis& genesis, RxProof& out, std::ostream& report) {
  const json rows = body.value("trail", json());
  if (!rows.is_array()) {
    report << "trail NOT complete: the node listed no trail\n";
    out.refuted = true;
    return;
  }
  const json truncated = body.value("trail_truncated", json());
  const bool listed_whole = truncated.is_boolean() && !truncated.get<bool>();
  // The view's trail as one page of the prescription's trail (docs/audit.md), for the check that
  // reads pages.
  json page = {{"checkpoint", proof.at("checkpoint")},
               {"rows", json::array()},
               {"next", listed_whole ? json(nullptr) : json("more")},
               {"trail", proof.value("trail", json())}};
  for (const json& row : rows) {
    if (!row.is_object() || !row.contains("leaf_index")) {
      report << "trail NOT complete: a step has no leaf index\n";
      out.refuted = true;
      return;
    }
    page["rows"].push_back({{"leaf_index", row["leaf_index"]}});
  }
  TrailCompleteness walk("rx/" + rx_id, genesis);
  if (std::string problem = walk.add_page(page); !problem.empty()) {
    report << "trail NOT complete: " << problem << "\n";
    out.refuted = true;
    return;
  }
  if (!walk.complete_at()) {
    report << "trail not proven complete: "
           << (walk.unavailable().empty()
                   ? "the node listed only the first " + std::to_string(rows.size()) + " steps"
                   : walk.unavailable())
           << "\n";
    return;
  }
  out.complete_at = *walk.complete_at();
  report << "complete: the chain holds " << walk.records()
         << (walk.records() == 1 ? " step" : " steps") << " of this prescription up to block "
         << out.complete_at
         << ", and every one is listed (proven by its trail head; what each step says is the "
            "node's word)";
  if (rows.size() > walk.records()) {
    report << "; " << rows.size() - walk.records() << " newer than the checkpoint, not proven";
  }
  report << "\n";
}

}  // namespace

RxProof check_rx_view(const json& body, const std::string& rx_id,
                      const ledger::LoadedGenesis& genesis,
                      const ledger::SignedCheckpoint& checkpoint, int64_t now_ms) {
  RxProof out;
  std::ostringstream report;
  const json proof = body.is_object() ? body.value("proof", json()) : json();
  if (!proof.is_object() || !proof.contains("checkpoint")) {
    out.report = "status NOT proven: the view carries no proof\n";
    return out;
  }
  check_status(body, proof, rx_id, genesis, checkpoint, now_ms, out, report);
  check_trail(body, proof, rx_id, genesis, out, report);
  out.report = report.str();
  return out;
}

}  // namespace medtrail::cli
