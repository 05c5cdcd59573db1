#include "rx_proof.h"

#include <optional>
#include <sstream>

#include "io.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "proven_print.h"
#include "trace_proof.h"
#include "trail_proofs.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

// How far apart the node's clock and this one may be: a prescription valid until today turns
// EXPIRED at midnight, and the node computed its status before this client does. (A status
// that differs never allows a dispense; the slack only decides whether it is called a lie.)
constexpr int64_t kClockSlackMs = 30 * 60'000;

// The node's status ("valid", "dispensing", ...) as the word the proven facts give.
std::string word_of(const std::string& status) {
  if (status == "dispensing") return "PARTLY_DISPENSED";
  std::string word = status;
  for (char& c : word) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return word;
}

// The accepted dispenses the view lists below the checkpoint's tree size, by what its steps say.
int64_t listed_dispenses(const json& rows, uint64_t tree_size) {
  int64_t n = 0;
  for (const json& row : rows) {
    auto leaf = row.find("leaf_index");
    auto kind = row.find("kind");
    if (leaf == row.end() || !leaf->is_number_unsigned() || leaf->get<uint64_t>() >= tree_size)
      continue;
    const bool refused = row.contains("accepted") && row["accepted"] == false;
    if (kind != row.end() && *kind == "rx.dispense" && !refused) ++n;
  }
  return n;
}

// Checks the status proof; returns the dispenses the proven facts count, when they are proven
// and the node's status matches them.
std::optional<int64_t> check_status(const json& body, const json& proof, const std::string& rx_id,
                                    const ledger::LoadedGenesis& genesis,
                                    const ledger::SignedCheckpoint& checkpoint, int64_t now_ms,
                                    RxProof& out, std::ostream& report) {
  auto proven = check_trace_proof(proof, genesis, checkpoint, TraceKind::kRx,
                                  PrintedCode{rx_id, std::nullopt}, now_ms);
  if (!proven.ok()) {
    report << "status NOT proven: " << proven.status().to_string() << "\n";
    const std::string& code = proven.status().code();
    out.refuted =
        code == "proof_invalid" || code == "proof_malformed" || code == "bad_proof_document";
    return std::nullopt;
  }
  out.block_time_ms = proven->block_time_ms;
  if (proven->word.empty()) {
    report << "status NOT proven yet: " << proven->pending << "\n";
    return std::nullopt;
  }
  out.word = proven->word;
  print_proven(*proven, now_ms, report, "prescription");
  const json status = body.value("status", json());
  const std::string node_status = status.is_string() ? status.get<std::string>() : "";
  const std::string node_word = word_of(node_status);
  out.status_matches = proven->word == node_word;
  if (!out.status_matches) {
    // The node's clock may have read another day: the word a few minutes either side.
    const int32_t offset = ledger::utc_offset_minutes(genesis.genesis.time_zone).value_or(0);
    const bool day_turned = proven_word(TraceKind::kRx, proven->subject, {}, now_ms - kClockSlackMs,
                                        offset) == node_word ||
                            proven_word(TraceKind::kRx, proven->subject, {}, now_ms + kClockSlackMs,
                                        offset) == node_word;
    report << "the node's status (" << printable_text(node_status)
           << ") is NOT what the proven facts give"
           << (day_turned ? " now (the day turned between its clock and yours: ask again)" : "")
           << "\n";
    out.refuted = !day_turned;
    return std::nullopt;
  }
  const int64_t* dispenses =
      proven->subject ? ledger::public_fact<int64_t>(*proven->subject, "dispenses") : nullptr;
  if (dispenses == nullptr) {
    report << "the proven facts count no dispenses: what was dispensed is NOT proven\n";
    return std::nullopt;
  }
  return *dispenses;
}

// The dispenses the view lists, in the prescription's value and as its trail's steps below the
// checkpoint, against the count the proven facts give: the value must hold exactly as many; a
// trail proven complete too, and a trail cut short no more (its dispenses may lie past the cut).
void check_dispenses(const json& body, const ledger::SignedCheckpoint& checkpoint, int64_t proven,
                     RxProof& out, std::ostream& report) {
  const json rx = body.value("prescription", json());
  const json recorded = rx.is_object() ? rx.value("dispenses", json()) : json();
  const int64_t in_value = recorded.is_array() ? static_cast<int64_t>(recorded.size()) : -1;
  const int64_t in_trail =
      listed_dispenses(body.value("trail", json::array()), checkpoint.checkpoint.tree_size);
  const bool trail_agrees = out.complete_at != 0 ? in_trail == proven : in_trail <= proven;
  if (in_value != proven || !trail_agrees) {
    report << "the node lists " << in_value << " dispense(s) in the prescription and " << in_trail
           << " on its trail" << (out.complete_at != 0 ? "" : " (cut short)")
           << ", where the proven facts count " << proven << "\n";
    out.refuted = true;
    return;
  }
  out.dispenses_agree = true;
}

void check_trail(const json& body, const std::string& rx_id, const ledger::LoadedGenesis& genesis,
                 const ledger::SignedCheckpoint& checkpoint, const json& proof, RxProof& out,
                 std::ostream& report) {
  const json rows = body.value("trail", json());
  if (!rows.is_array()) {
    report << "trail NOT complete: the node listed no trail\n";
    out.refuted = true;
    return;
  }
  const json truncated = body.value("trail_truncated", json());
  const bool listed_whole = truncated.is_boolean() && !truncated.get<bool>();
  // The view's trail as one page of the prescription's trail (docs/audit.md), for the check that
  // reads pages, under the checkpoint the caller judged.
  json page = {{"checkpoint", ledger::checkpoint_to_json(checkpoint)},
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
    report << "trail NOT proven complete: "
           << (walk.unavailable().empty() ? "the node says it listed only the first " +
                                                std::to_string(rows.size()) + " steps"
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
  const json proof = body.is_object() ? body.value("proof", json()) : json();
  if (!proof.is_object()) {
    out.report = "status NOT proven: the view carries no proof\n";
    return out;
  }
  std::ostringstream report;
  const std::optional<int64_t> dispenses =
      check_status(body, proof, rx_id, genesis, checkpoint, now_ms, out, report);
  check_trail(body, rx_id, genesis, checkpoint, proof, out, report);
  if (dispenses) check_dispenses(body, checkpoint, *dispenses, out, report);
  out.report = report.str();
  return out;
}

}  // namespace medtrail::cli
