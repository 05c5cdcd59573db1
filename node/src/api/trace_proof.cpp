#include "api/trace_proof.h"

#include "medtrail/ledger/public_facts.h"
#include "medtrail/ledger/served_state_proof.h"

namespace medtrail::node::api {

namespace {

// The dose's lot key, from the public facts the dose holds now (a dose never changes lot).
std::optional<std::string> lot_key_of(const ledger::ChainStore& store,
                                      const std::string& dose_facts_key) {
  auto bytes = store.get_state(dose_facts_key);
  if (!bytes.ok() || !bytes->has_value()) return std::nullopt;
  auto facts = ledger::decode_public_facts(**bytes);
  if (!facts.ok()) return std::nullopt;
  const std::string* lot = ledger::public_fact<std::string>(*facts, "lot");
  return lot ? std::optional<std::string>(*lot) : std::nullopt;
}

}  // namespace

std::optional<nlohmann::json> trace_proof_json(const ledger::ChainStore& store,
                                               const ledger::SignedCheckpoint& cp, TraceKind kind,
                                               const std::string& code) {
  std::vector<std::string> keys;
  switch (kind) {
    case TraceKind::kVaccine:
      keys.push_back(ledger::public_facts_key("vcode/" + code));
      if (auto lot = lot_key_of(store, keys.back())) keys.push_back(ledger::public_facts_key(*lot));
      break;
    case TraceKind::kTableware:
      keys.push_back(ledger::public_facts_key("tw/" + code));
      break;
    case TraceKind::kRx:
      keys.push_back(ledger::public_facts_key("rx/" + code));
      break;
  }
  return ledger::served_state_proofs(store, cp, keys);
}

}  // namespace medtrail::node::api
