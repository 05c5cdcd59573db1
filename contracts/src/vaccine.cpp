// vaccine.*: every smallest package of a vaccine traced from the manufacturer's lot, through the
// regulator's batch release and cold-chain distribution, to the vaccination
// (中华人民共和国疫苗管理法, 2019). Handlers: vaccine_lots.cpp, vaccine_shipping.cpp,
// vaccine_use.cpp.
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/vaccine.h"
#include "vaccine_handlers.h"
#include "family_views.h"

namespace medtrail::contracts {

std::vector<KindRule> vaccine_rules() {
  return {
      {"vaccine.lot.register", {"operator"}, {"manufacturer"}, vaccine::register_lot},
      {"vaccine.lot.release", {"inspector", kAdminRole}, {"regulator"}, vaccine::release_lot},
      {"vaccine.codes.add", {"operator"}, {"manufacturer"}, vaccine::add_codes},
      {"vaccine.ship", {"operator"}, {}, vaccine::ship},
      {"vaccine.receive", {"operator", "vaccinator"}, {}, vaccine::receive},
      {"vaccine.administer", {"vaccinator"}, {"clinic", "hospital", "cdc"}, vaccine::administer},
      {"vaccine.quarantine",
       {"operator", "vaccinator", "inspector", kAdminRole},
       {},
       vaccine::quarantine},
      {"vaccine.recall", {"operator", "inspector", kAdminRole}, {}, vaccine::recall_lot},
      {"vaccine.storage", {"operator", "vaccinator"}, {}, vaccine::record_storage},
      {"vaccine.dispose", {"operator", "vaccinator"}, {}, vaccine::dispose},
      {"vaccine.aefi",
       {"vaccinator", "doctor", "operator"},
       {"clinic", "hospital", "cdc", "manufacturer"},
       vaccine::report_aefi},
  };
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

// The stored struct by the key's prefix (state_json.cpp sends only vlot/, vcode/ and vship/ here).
const ValueCodec* vaccine_value_codec(std::string_view key) {
  if (key.starts_with("vlot/")) return codec_of<vaccine::Lot>();
  if (key.starts_with("vcode/")) return codec_of<vaccine::Dose>();
  if (key.starts_with("vship/")) return codec_of<vaccine::Shipment>();
  return nullptr;
}

}  // namespace medtrail::contracts
