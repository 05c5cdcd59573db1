// E-prescriptions: the rules table, the public readers of "rx/<id>" and what the handlers share.
#include "medtrail/contracts/rx.h"

#include <algorithm>

#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "rx_common.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace rx {
namespace {

bool digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool upper(char c) { return c >= 'A' && c <= 'Z'; }

// WHO ATC: anatomical group (one of the 14 main groups), therapeutic subgroup (2 digits),
// pharmacological and chemical subgroups (letters), substance (2 digits).
bool is_atc_code(std::string_view s) {
  static constexpr std::string_view kGroups = "ABCDGHJLMNPRSV";
  return s.size() == 7 && kGroups.find(s[0]) != std::string_view::npos && digits(s.substr(1, 2)) &&
         upper(s[3]) && upper(s[4]) && digits(s.substr(5, 2));
}

bool is_status(std::string_view s) {
  static constexpr std::string_view kStatuses[] = {
      "issued", "approved", "rejected", "dispensing", "dispensed", "delivered", "cancelled"};
  return std::find(std::begin(kStatuses), std::end(kStatuses), s) != std::end(kStatuses);
}

std::string citizen_status(const std::string& status, int64_t valid_until_day, int64_t today) {
  if (status == "cancelled" || status == "rejected" || status == "dispensed" ||
      status == "delivered") {
    return status;
  }
  if (today > valid_until_day) return "expired";
  return status == "dispensing" ? "dispensing" : "valid";
}

}  // namespace

bool is_tcm_piece_code(std::string_view code) {
  return code.size() == 10 && code[0] == 'T' && digits(code.substr(1));
}

bool is_drug_code(std::string_view code) {
  return (code.size() == 14 && code.starts_with("86") && digits(code)) || is_atc_code(code) ||
         is_tcm_piece_code(code);
}

ledger::ExecutionResult load(const Call& call, std::string_view rx_id, Prescription& rx) {
  std::optional<Prescription> stored = call.txn.read<Prescription>(rx_key(rx_id));
  if (!stored) {
    return ledger::ExecutionResult::reject("unknown_prescription",
                                           "no prescription " + std::string(rx_id));
  }
  rx = std::move(*stored);
  return ledger::ExecutionResult::accept();
}

bool may_serve(const Call& call, const Prescription& rx) {
  return call.org.has_type("pharmacy") || rx.org == call.org.id ||
         call.chain.genesis.prescription_flow == ledger::kPrescriptionFlowAnyInstitution;
}

bool fully_dispensed(const Prescription& rx) {
  return std::all_of(rx.items.begin(), rx.items.end(),
                     [](const Item& item) { return item.dispensed >= item.prescribed; });
}

Attribution attribution(const Call& call) {
  return {call.signer.id, call.org.id, std::string(call.record_id), call.block.timestamp_ms};
}

}  // namespace rx

std::string rx_key(std::string_view rx_id) { return "rx/" + std::string(rx_id); }
std::string rx_reads_subject(std::string_view rx_id) { return "rx-reads/" + std::string(rx_id); }

std::string rx_citizen_status(const nlohmann::json& rx_state, int64_t today) {
  std::optional<rx::Prescription> rx = value_from_json<rx::Prescription>(rx_state);
  return rx ? rx_citizen_status(*rx, today) : "";
}

std::string rx_citizen_status(const rx::Prescription& rx, int64_t today) {
  if (!rx::is_status(rx.status) || rx.items.empty()) return "";
  return rx::citizen_status(rx.status, rx.valid_until_day, today);
}

std::vector<KindRule> rx_rules() {
  return {
      {"rx.issue", {"doctor"}, {"hospital"}, rx::issue},
      {"rx.review", {"pharmacist"}, {"pharmacy", "hospital"}, rx::review},
      {"rx.dispense", {"pharmacist"}, {"pharmacy", "hospital"}, rx::dispense},
      {"rx.deliver", {"pharmacist", "operator"}, {"pharmacy", "hospital"}, rx::deliver},
      {"rx.receipt", {"pharmacist", "operator"}, {"pharmacy", "hospital", "logistics"}, rx::receipt},
      {"rx.cancel", {"doctor", kAdminRole}, {"hospital"}, rx::cancel},
      {"rx.evaluate", {"pharmacist", "inspector"}, {"hospital", "regulator", "inspector"}, rx::evaluate},
  };
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

const ValueCodec* rx_value_codec(std::string_view) { return codec_of<rx::Prescription>(); }

}  // namespace medtrail::contracts
