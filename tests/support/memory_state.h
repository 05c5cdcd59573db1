#pragma once
// Contract state in memory: what a store's state family holds, for tests and benchmarks that run
// contracts without a store. Header-only: tests/support links the ledger only, and only suites
// that link the contracts include this.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/state.h"
#include "medtrail/ledger/chain_store.h"

namespace medtrail::testing {

class MemoryState final : public contracts::StateView {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void apply(const ledger::StateWrites& writes) {
    for (const auto& [key, value] : writes) {
      if (value) {
        map_[key] = *value;
      } else {
        map_.erase(key);
      }
    }
  }
  void put(const std::string& key, std::string value) { map_[key] = std::move(value); }
  // Keys starting with `prefix`, in key order.
  std::vector<std::string> keys_with_prefix(std::string_view prefix) const {
    std::vector<std::string> out;
    for (auto it = map_.lower_bound(prefix); it != map_.end() && it->first.starts_with(prefix); ++it) {
      out.push_back(it->first);
    }
    return out;
  }
  const std::map<std::string, std::string, std::less<>>& entries() const { return map_; }
  size_t size() const { return map_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

}  // namespace medtrail::testing
