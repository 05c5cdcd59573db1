#include "medtrail/contracts/registry.h"

#include "medtrail/contracts/calendar.h"

namespace medtrail::contracts {

int64_t Call::today() const { return day_of(block.timestamp_ms, chain.utc_offset_minutes); }

Registry::Registry(std::vector<KindRule> rules) {
  for (KindRule& r : rules) rules_.emplace(std::string(r.kind), std::move(r));
}

const Registry& Registry::standard() {
  static const Registry registry = [] {
    std::vector<KindRule> all;
    for (auto family : {identity_rules, encryption_key_rules, consent_rules, erasure_rules, governance_rules, rx_rules,
                        vaccine_rules, tableware_rules, access_rules, access_query_rules, claim_rules,
                        visit_rules}) {
      for (KindRule& r : family()) all.push_back(std::move(r));
    }
    return Registry(std::move(all));
  }();
  return registry;
}

const KindRule* Registry::find(std::string_view kind) const {
  auto it = rules_.find(kind);
  return it == rules_.end() ? nullptr : &it->second;
}

std::vector<std::string_view> Registry::kinds() const {
  std::vector<std::string_view> out;
  for (const auto& [kind, unused] : rules_) out.push_back(kind);
  return out;
}

}  // namespace medtrail::contracts
