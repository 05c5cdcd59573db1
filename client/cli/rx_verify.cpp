// `medtrail rx verify ID`: a pharmacist's check before dispensing, as a signed, recorded read of
// GET /v1/prescriptions/{id}. Prints the prescription readably, then what the chain proves of it
// (rx_proof.h): its status, from its public facts against a checkpoint a quorum signed, which
// must be the node's status; and that the trail lists every step. Exit 0 when the chain would
// accept the reader's dispense of what remains here and now and the proven status allows one; 1
// when not (or refused, or unknown, or the status cannot be proven now, or a proof that does not
// verify, or a trail that leaves steps out).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "rx_proof.h"
#include "signed_reader.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

// What the node sent, read whatever its shape (a node's answer is not trusted to have the one
// it should): a field as printable text ("" when absent), an object or list (empty when absent or
// of another type), a flag (true only when it is true).
std::string s(const json& j, const char* field) {
  auto it = j.find(field);  // end() for a j that is no object
  if (it == j.end() || it->is_null()) return "";
  return printable_text(it->is_string() ? it->get<std::string>() : it->dump());
}
json object_of(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_object() ? *it : json::object();
}
json list_of(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_array() ? *it : json::array();
}
bool flag(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && *it == true;
}

void print(const json& b, std::ostream& out) {
  const json a = object_of(b, "authentic");
  const json v = object_of(b, "validity");
  const json d = object_of(b, "dispensable");
  out << "prescription " << s(b, "rx_id") << "\n";
  out << "  status:     " << s(b, "status") << (flag(b, "cancelled") ? " (cancelled)" : "") << "\n";
  out << "  issued by:  " << s(a, "doctor") << " of " << s(a, "hospital") << ", licence " << s(a, "licence_no")
      << (flag(a, "registration_stood_at_issue") ? " (registered and valid that day)"
                                                 : " (registration NOT valid that day: " +
                                                       s(a, "registration_problem") + ")")
      << "\n";
  out << "  on chain:   leaf " << s(a, "leaf_index") << ", block " << s(a, "height") << ", signed by "
      << s(a, "signer") << "\n";
  out << "  valid:      " << s(v, "issued_on") << " to " << s(v, "valid_until")
      << (flag(v, "expired") ? " (EXPIRED)" : "") << "\n";
  const json rx = object_of(b, "prescription");
  if (auto r = rx.find("review"); r != rx.end() && r->is_object()) {
    out << "  review:     " << s(*r, "decision") << " by " << s(*r, "by") << "\n";
  } else {
    out << "  review:     none yet\n";
  }
  out << "  items:\n";
  for (const json& i : list_of(b, "items")) {
    // A sealed name and strength are null here: only the parties open them (medtrail open).
    const std::string written = s(i, "name").empty() ? "(name sealed)" : s(i, "name") + " " + s(i, "strength");
    out << "    " << s(i, "drug_code") << " " << written << ": prescribed "
        << s(i, "prescribed") << ", dispensed " << s(i, "dispensed") << ", remaining " << s(i, "remaining") << "\n";
  }
  const json trail = list_of(b, "trail");
  out << "  trail:      " << trail.size() << " records"
      << (flag(b, "trail_truncated") ? " (more not shown)" : "") << "\n";
  for (const json& t : trail) {
    const bool refused = t.is_object() && t.contains("accepted") && t["accepted"] == false;
    out << "    leaf " << s(t, "leaf_index") << "  " << s(t, "kind") << " by " << s(t, "signer")
        << (refused ? "  REFUSED " + s(t, "reason_code") : "") << "\n";
  }
  if (flag(d, "here_and_now")) {
    out << "DISPENSABLE here and now by " << s(d, "checked_as") << "\n";
  } else {
    out << "NOT DISPENSABLE by " << s(d, "checked_as") << ": " << s(d, "reason_code") << " (" << s(d, "reason")
        << ")\n";
  }
}

// Proves the node's answer (rx_proof.h) against its proof's checkpoint, judged by the genesis
// and against the one verified before — this one first, before the node's newest, which would
// otherwise make an honest proof's checkpoint look behind. Says what it proved on `out`. True
// when a dispense may follow (RxProof::allows_dispense) against a checkpoint no older than one
// verified before, from a block at most `max_age_s` old.
bool chain_bears_out(const SignedReader& reader, const std::string& id, const json& body,
                     int64_t max_age_s, std::ostream& out) {
  const json proof = body.value("proof", json());
  if (!proof.is_object() || !proof.contains("checkpoint")) {
    out << "status NOT proven: the node sent no proof (the chain has no quorum checkpoint yet, or "
           "the node no longer keeps its block's state)\n";
    return false;
  }
  auto checkpoint = ledger::checkpoint_from_json(proof.at("checkpoint").dump());
  if (!checkpoint.ok()) {
    out << "status NOT proven: bad_checkpoint: the proof's checkpoint does not read\n";
    return false;
  }
  auto verdict = reader.judge(*checkpoint);
  if (!verdict.ok()) {
    out << "status NOT proven: chain NOT verified: " << verdict.status().to_string() << "\n";
    return false;
  }
  const int64_t now = unix_now_ms();
  const RxProof proven = check_rx_view(body, id, reader.genesis(), *checkpoint, now);
  out << proven.report;
  if (verdict->behind) {
    out << "NOT current: the proof is against a checkpoint older than one you verified before (ask "
           "another --node)\n";
    return false;
  }
  // A checkpoint from before a cancellation or a dispense, served on purpose to a client that
  // has not seen a newer one, would prove the facts from before it.
  if (!proven.word.empty() && (now - proven.block_time_ms) / 1000 > max_age_s) {
    out << "NOT current: the proof is older than --max-age (" << max_age_s
        << " s); a step since would not show (ask again: your read made a newer block)\n";
    return false;
  }
  return proven.allows_dispense();
}

}  // namespace

void add_rx(CLI::App& app, int& exit_code) {
  auto* rx = app.add_subcommand("rx", "Prescriptions as a member reads them");
  rx->require_subcommand(1);
  auto* cmd = rx->add_subcommand(
      "verify", "Before dispensing: is the prescription authentic, reviewed, valid, what remains, and would "
                "the chain accept your dispense here and now? A signed read, recorded on the chain. "
                "Exit 0 dispensable, 1 not");
  auto o = std::make_shared<ReaderOptions>();
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "The prescription id (64 hex), as printed on the patient's copy")->required();
  add_reader_options(cmd, *o, "dispensing");
  auto max_age_s = std::make_shared<int64_t>(3600);
  cmd->add_option("--max-age", *max_age_s,
                  "Seconds the proof's block may be old for a dispensable answer to count (a "
                  "cancellation or a dispense after it would not show)")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 86400))
      ->capture_default_str();
  cmd->callback([&exit_code, o, id, max_age_s] {
    auto reader = SignedReader::open(*o);
    if (!reader.ok()) {
      exit_code = fail("rx verify", reader.status(), kExitUsage);
      return;
    }
    auto reply = reader->get("/v1/prescriptions/" + *id);
    if (!reply.ok()) {
      exit_code = fail("rx verify", reply.status(), kExitUsage);
      return;
    }
    const std::string receipt = reply->header("medtrail-receipt");
    if (reply->status != 200) {
      std::cerr << "medtrail: rx verify: " << refusal_line(*reply) << "\n";
      if (!receipt.empty()) std::cerr << "  your read is on the chain: record " << receipt << "\n";
      exit_code = reply->status == 400 ? kExitUsage : kExitInvalid;
      return;
    }
    json body = json::parse(reply->body, nullptr, false);
    if (!body.is_object()) {
      exit_code = fail("rx verify", ledger::Status::error("bad_answer", "the node's answer is not JSON"), kExitUsage);
      return;
    }
    print(body, std::cout);
    std::cout << "receipt: record " << receipt << " (your read, on the chain)\n";
    // Both: the contract's dry run says the dispense would be taken, and the chain proves a status
    // that allows one (a node hiding a dispense or a cancellation shows here).
    const bool dispensable = flag(object_of(body, "dispensable"), "here_and_now");
    const bool borne_out = chain_bears_out(*reader, *id, body, *max_age_s, std::cout);
    if (dispensable && !borne_out) {
      std::cout << "NOT confirmed: the dispense verdict is the node's, and the chain does not bear "
                   "it out (above)\n";
    }
    exit_code = dispensable && borne_out ? 0 : kExitInvalid;
    // The chain the node answered from: a lie (a fork, another chain, a forged checkpoint) ends
    // in exit 1 with the evidence; a chain without a checkpoint yet is said, not hidden.
    if (!report_chain(reader->verify_chain(), std::cout)) exit_code = kExitInvalid;
  });
}

}  // namespace medtrail::cli
