// What anyone may read and prove of a lot, a dose, a tableware batch and a prescription
// (docs/contracts.md, "Public facts"): an allow-list, field by field, as the citizen's lookup
// (docs/trace.md) shows them. Organisations by id; people never, only the organisation they act
// for.
#include <nlohmann/json.hpp>

#include "family_views.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/contracts/tableware.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts {

namespace {

// The organisation of a person's id "<org>/<name>".
std::string org_of(const std::string& person) { return person.substr(0, person.find('/')); }

template <class T>
void put_if(ledger::PublicFacts& facts, const char* name, const std::optional<T>& value) {
  if (value) facts.emplace(name, *value);
}

}  // namespace

namespace vaccine {

ledger::PublicFacts public_view(const Lot& lot) {
  ledger::PublicFacts facts{{"product_code", lot.product_code},
                            {"product_name", lot.product_name},
                            {"lot", lot.lot},
                            {"expiry", lot.expiry},
                            {"owner", lot.owner},
                            {"status", lot.status},
                            {"doses_per_code", lot.doses_per_code}};
  put_if(facts, "open_vial_hours", lot.open_vial_hours);
  put_if(facts, "decision", lot.decision);
  put_if(facts, "decided_at_ms", lot.decided_at_ms);
  if (lot.decided_by) facts.emplace("decided_by_org", org_of(*lot.decided_by));
  put_if(facts, "certificate_no", lot.certificate_no);
  put_if(facts, "recalled_at_ms", lot.recalled_at_ms);
  return facts;
}

ledger::PublicFacts public_view(const Dose& dose) {
  ledger::PublicFacts facts{{"lot", dose.lot},
                            {"holder", dose.holder},
                            {"status", dose.status},
                            {"doses_given", static_cast<int64_t>(dose.administrations.size())}};
  // The in-use period of an opened vial runs from its first dose; once the vial is used up or
  // thrown away the time would only date that patient's dose.
  if (dose.status == "in_use" && !dose.administrations.empty()) {
    facts.emplace("opened_at_ms", dose.administrations.front().at_ms);
  }
  put_if(facts, "quarantined_at_ms", dose.quarantined_at_ms);
  put_if(facts, "disposed_at_ms", dose.disposed_at_ms);
  if (dose.disposed_by) facts.emplace("disposed_by_org", org_of(*dose.disposed_by));
  if (dose.disposal_witness) facts.emplace("disposal_witness_org", org_of(*dose.disposal_witness));
  return facts;
}

}  // namespace vaccine

namespace tableware {

ledger::PublicFacts public_view(const Batch& batch) {
  ledger::PublicFacts facts{{"org", batch.org},
                            {"licence_no", batch.licence_no},
                            {"method", batch.method},
                            {"disinfected_at_ms", batch.disinfected_at_ms},
                            {"use_by_ms", batch.use_by_ms},
                            {"status", batch.status}};
  if (batch.recall) facts.emplace("recalled_at_ms", batch.recall->at_ms);
  return facts;
}

}  // namespace tableware

namespace rx {

ledger::PublicFacts public_view(const Prescription& rx) {
  // Days as dates: a client compares them with its own date in the chain's time zone, as it does
  // a lot's expiry, and need not know the contracts' day numbers.
  return {{"org", rx.org},
          {"status", rx.status},
          {"issued_on", format_date(rx.issue_day)},
          {"valid_until", format_date(rx.valid_until_day)},
          {"dispenses", static_cast<int64_t>(rx.dispenses.size())}};
}

}  // namespace rx

const ValueCodec* public_facts_value_codec() {
  static constexpr ValueCodec codec{[](std::string_view bytes) -> std::optional<nlohmann::json> {
                                      auto facts = ledger::decode_public_facts(bytes);
                                      if (!facts.ok()) return std::nullopt;
                                      return ledger::public_facts_json(*facts);
                                    },
                                    [](const nlohmann::json& view) -> std::optional<std::string> {
                                      if (!view.is_object()) return std::nullopt;
                                      ledger::PublicFacts facts;
                                      for (const auto& [name, value] : view.items()) {
                                        if (value.is_number_integer()) {
                                          facts.emplace(name, value.get<int64_t>());
                                        } else if (value.is_string()) {
                                          facts.emplace(name, value.get<std::string>());
                                        } else {
                                          return std::nullopt;
                                        }
                                      }
                                      auto bytes = ledger::encode_public_facts(facts);
                                      if (!bytes.ok()) return std::nullopt;
                                      return std::move(*bytes);
                                    }};
  return &codec;
}

}  // namespace medtrail::contracts
