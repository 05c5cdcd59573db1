#pragma once
// The committed contract state, read from the store's `state` column family. A read error
// cannot be answered honestly with "absent" (a contract would decide on a lie), so the view
// remembers it and the caller fails closed: apply stops, admission refuses.
#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "medtrail/contracts/state.h"
#include "medtrail/ledger/chain_store.h"

namespace medtrail::node {

class StoreStateView final : public contracts::StateView {
 public:
  explicit StoreStateView(const ledger::ChainStore& store) : store_(&store) {}
  std::optional<std::string> get(std::string_view key) const override {
    auto value = store_->get_state(key);
    if (!value.ok()) {
      failed_ = true;
      return std::nullopt;
    }
    return *value;
  }
  bool failed() const { return failed_; }

 private:
  const ledger::ChainStore* store_;
  mutable std::atomic<bool> failed_{false};
};

}  // namespace medtrail::node
