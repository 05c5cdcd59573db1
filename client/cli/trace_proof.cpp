#include "trace_proof.h"

#include <algorithm>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/proof_json.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::cli {

namespace {

using ledger::PublicFacts;
using ledger::Status;
using nlohmann::json;

// The most states a proof gives: a dose's and its lot's.
constexpr size_t kMaxStates = 2;

Status lie(const std::string& why) { return Status::error("proof_invalid", why); }

std::string text(const PublicFacts& facts, std::string_view name) {
  const std::string* t = ledger::public_fact<std::string>(facts, name);
  return t ? *t : std::string();
}
std::optional<int64_t> integer(const PublicFacts& facts, std::string_view name) {
  const int64_t* n = ledger::public_fact<int64_t>(facts, name);
  return n ? std::optional<int64_t>(*n) : std::nullopt;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DD" of `now_ms` in the chain's time zone: dates in that form compare as text.
std::string local_date(int64_t now_ms, int32_t utc_offset_minutes) {
  return ledger::unix_ms_to_rfc3339(now_ms + int64_t{utc_offset_minutes} * 60'000).substr(0, 10);
}
bool is_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && all_digits(s.substr(0, 4)) &&
         all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2));
}

std::string dose_word(const PublicFacts& dose, const PublicFacts& lot, int64_t now_ms,
                      int32_t utc_offset_minutes) {
  const std::string status = text(dose, "status");
  const std::string lot_status = text(lot, "status");
  if (lot_status == "recalled") return "RECALLED";
  if (status == "disposed") return "DISPOSED";
  const std::string expiry = text(lot, "expiry");
  if (status != "administered" &&
      (!is_date(expiry) || expiry < local_date(now_ms, utc_offset_minutes))) {
    return "EXPIRED";
  }
  if (status == "in_use") {
    // An opened vial is usable for open_vial_hours from its first dose; an opening time the
    // facts lack counts as over, as the contracts count it.
    if (auto hours = integer(lot, "open_vial_hours")) {
      auto opened = integer(dose, "opened_at_ms");
      if (!opened || now_ms - *opened > *hours * 3'600'000) return "EXPIRED";
    }
  }
  if (status == "administered") return "ALREADY_ADMINISTERED";
  if (status == "in_stock" || status == "in_transit" || status == "in_use") {
    if (lot_status != "released") return "HELD";
    return status == "in_use" ? "IN_USE" : "GENUINE";
  }
  return "QUARANTINED";  // quarantined, or a status no contract writes: never usable
}

std::string batch_word(const PublicFacts& batch, int64_t now_ms) {
  const std::string status = text(batch, "status");
  if (status == "recalled") return "RECALLED";
  auto use_by = integer(batch, "use_by_ms");
  if (status != "passed" || !use_by) return "HELD";  // held, or a damaged record: never reassuring
  // The use-by instant itself is still within the period, as tableware.ship counts it.
  return now_ms > *use_by ? "EXPIRED" : "GENUINE";
}

// A prescription's word, by the rule of rx_citizen_status (contracts/rx.h) and the node's words
// for it: a status that ends it stands whatever the day; one that does not is EXPIRED once the
// chain's date is past valid_until (or valid_until is no date).
std::string rx_word(const PublicFacts& rx, int64_t now_ms, int32_t utc_offset_minutes) {
  const std::string status = text(rx, "status");
  if (status == "cancelled") return "CANCELLED";
  if (status == "dispensed") return "DISPENSED";
  if (status == "delivered") return "DELIVERED";
  if (status != "issued" && status != "approved" && status != "dispensing") {
    return "REJECTED";  // rejected, or a status no contract writes: never dispensable
  }
  const std::string valid_until = text(rx, "valid_until");
  if (!is_date(valid_until) || valid_until < local_date(now_ms, utc_offset_minutes)) {
    return "EXPIRED";
  }
  return status == "dispensing" ? "PARTLY_DISPENSED" : "VALID";
}

// One state of the proof: the facts `key` holds at the header's root (nullopt inside: proven
// to hold none), or nullopt when the node says the key changed after the checkpoint.
ledger::Result<std::optional<std::optional<PublicFacts>>> proven_facts(
    const json& doc, const ledger::CryptoSuite& suite, const ledger::Hash& state_root,
    const std::string& key) {
  if (doc.is_object() && doc.contains("changed_after_checkpoint")) {
    auto given = doc.find("key");
    if (doc.at("changed_after_checkpoint") != true || given == doc.end() ||
        *given != ledger::to_hex(ledger::as_bytes(key))) {
      return lie("a state the node says changed after the checkpoint is not the one asked for");
    }
    return std::optional<std::optional<PublicFacts>>();
  }
  auto value = ledger::verify_served_state(doc, suite, state_root, ledger::as_bytes(key));
  if (!value.ok()) return value.status();
  if (!*value) return std::optional<std::optional<PublicFacts>>(std::optional<PublicFacts>());
  auto facts = ledger::decode_public_facts(ledger::as_chars(**value));
  if (!facts.ok()) return facts.status();
  return std::optional<std::optional<PublicFacts>>(std::move(*facts));
}

}  // namespace

std::optional<PrintedCode> printed_code(TraceKind kind, const std::string& code) {
  if (kind != TraceKind::kVaccine || (code.size() == 20 && all_digits(code)))
    return PrintedCode{code, std::nullopt};
  // "(01)<gtin 14>(17)<yymmdd>(10)<lot>(21)<serial>", in that order: a lot never holds '(' (the
  // chain's rule), so the lot ends where "(21)" begins.
  const std::string_view c = code;
  const size_t serial = c.find("(21)");
  if (c.size() < 32 || !c.starts_with("(01)") || !all_digits(c.substr(4, 14)) ||
      c.substr(18, 4) != "(17)" || !all_digits(c.substr(22, 6)) || c.substr(28, 4) != "(10)" ||
      serial == std::string_view::npos || serial <= 32 || serial + 4 >= c.size()) {
    return std::nullopt;
  }
  PrintedCode::Gs1Label label{code.substr(4, 14), code.substr(22, 6), code.substr(32, serial - 32)};
  return PrintedCode{"01" + label.gtin + "21" + code.substr(serial + 4), std::move(label)};
}

namespace {

// Whether the label's YYMMDD is the lot's expiry YYYY-MM-DD (DD 00: the month's last day), as
// the contracts match them.
bool label_expiry_matches(const std::string& yymmdd, const std::string& expiry) {
  if (!is_date(expiry) || yymmdd.substr(0, 2) != expiry.substr(2, 2) ||
      yymmdd.substr(2, 2) != expiry.substr(5, 2)) {
    return false;
  }
  if (yymmdd.substr(4, 2) != "00") return yymmdd.substr(4, 2) == expiry.substr(8, 2);
  auto start = ledger::rfc3339_to_unix_ms(expiry + "T00:00:00Z");
  return start.has_value() && ledger::unix_ms_to_rfc3339(*start + 86'400'000).substr(8, 2) == "01";
}

// Why the printed label is not the proven lot's; "" when it is, or when there is no label.
std::string label_mismatch(const PrintedCode& code, const PublicFacts& lot) {
  if (!code.label) return "";
  const PrintedCode::Gs1Label& l = *code.label;
  if (l.gtin == text(lot, "product_code") && l.lot == text(lot, "lot") &&
      label_expiry_matches(l.expiry, text(lot, "expiry"))) {
    return "";
  }
  return "the label names product " + l.gtin + ", lot " + l.lot + ", expiry " + l.expiry +
         "; the chain's dose is of product " + text(lot, "product_code") + ", lot " +
         text(lot, "lot") + ", expiry " + text(lot, "expiry") + ": a copied code";
}

}  // namespace

std::string proven_word(TraceKind kind, const std::optional<PublicFacts>& subject,
                        const PublicFacts& lot, int64_t now_ms, int32_t utc_offset_minutes) {
  if (!subject) return "UNKNOWN_CODE";
  if (kind == TraceKind::kVaccine) return dose_word(*subject, lot, now_ms, utc_offset_minutes);
  if (kind == TraceKind::kRx) return rx_word(*subject, now_ms, utc_offset_minutes);
  return batch_word(*subject, now_ms);
}

ledger::Result<ProvenTrace> check_trace_proof(const json& proof,
                                              const ledger::LoadedGenesis& genesis,
                                              const ledger::SignedCheckpoint& checkpoint,
                                              TraceKind kind, const PrintedCode& code,
                                              int64_t now_ms) {
  const ledger::CryptoSuite& suite = *genesis.suite;
  if (!proof.is_object()) return Status::error("bad_proof_document", "the proof is not an object");
  auto header_hex = proof.find("header");
  auto states = proof.find("states");
  if (header_hex == proof.end() || !header_hex->is_string() || states == proof.end() ||
      !states->is_array() || states->size() > kMaxStates) {
    return Status::error("bad_proof_document", "the proof needs a header and at most two states");
  }
  auto header = ledger::checkpointed_header(suite, genesis.chain_id, checkpoint,
                                            header_hex->get_ref<const std::string&>());
  if (!header.ok()) {
    if (header.status().code() == "proof_invalid") return lie(header.status().message());
    return Status::error("bad_proof_document", header.status().message());
  }
  ProvenTrace out;
  out.height = header->height;
  out.block_time_ms = header->timestamp_ms;
  const std::string family = kind == TraceKind::kVaccine ? "vcode/"
                             : kind == TraceKind::kRx    ? "rx/"
                                                         : "tw/";
  const std::string subject_key = ledger::public_facts_key(family + code.key_code);
  const auto changed = [&](const std::string& key) {
    return "the node's facts for " + key + " changed after block " + std::to_string(out.height) +
           ": a later checkpoint will prove them (ask again in a few seconds)";
  };
  if (states->empty()) return lie("the proof leaves out the code's facts");
  auto subject = proven_facts((*states)[0], suite, header->state_root, subject_key);
  if (!subject.ok()) return subject.status();
  if (!*subject) {
    out.pending = changed(subject_key);
    return out;
  }
  out.subject = std::move(**subject);
  if (kind == TraceKind::kVaccine && out.subject) {
    const std::string lot = text(*out.subject, "lot");
    if (lot.empty())
      return Status::error("bad_public_facts", "the dose's proven facts name no lot");
    const std::string lot_key = ledger::public_facts_key(lot);
    if (states->size() < 2) return lie("the proof leaves out the lot's facts");
    auto lot_facts = proven_facts((*states)[1], suite, header->state_root, lot_key);
    if (!lot_facts.ok()) return lot_facts.status();
    if (!*lot_facts) {
      out.pending = changed(lot_key);
      return out;
    }
    // A lot the chain lacks gives no expiry and no release: the word cannot be a usable one.
    if (**lot_facts) out.lot = std::move(***lot_facts);
    out.label_mismatch = label_mismatch(code, out.lot);
  } else if (states->size() != 1) {
    return lie("the proof gives states the code does not need");
  }
  const std::optional<int32_t> offset = ledger::utc_offset_minutes(genesis.genesis.time_zone);
  if (!offset) return Status::error("bad_genesis", "the genesis time_zone is not +HH:MM");
  out.word = proven_word(kind, out.subject, out.lot, now_ms, *offset);
  return out;
}

}  // namespace medtrail::cli
