#include "medtrail/contracts/state.h"

#include "medtrail/ledger/trail_head.h"

namespace medtrail::contracts {
namespace {

std::optional<std::string> lookup(const ledger::StateWrites& writes, const StateView& below,
                                  std::string_view key) {
  auto it = writes.find(key);
  if (it != writes.end()) return it->second;
  return below.get(key);
}

}  // namespace

std::optional<std::string> BlockState::get(std::string_view key) const {
  return lookup(writes_, *committed_, key);
}

void BlockState::apply(ledger::StateWrites&& writes) {
  if (writes_.empty()) {
    writes_ = std::move(writes);
    return;
  }
  while (!writes.empty()) {
    auto node = writes.extract(writes.begin());
    auto [it, inserted, rest] = writes_.insert(std::move(node));
    if (!inserted) it->second = std::move(rest.mapped());
  }
}

std::string encode_public(const ledger::PublicFacts& facts) {
  ledger::Result<std::string> bytes = ledger::encode_public_facts(facts);
  if (!bytes.ok()) throw CorruptState(bytes.status().message());
  return std::move(*bytes);
}

std::optional<std::string> RecordTxn::get(std::string_view key) const {
  return lookup(writes_, *below_, key);
}

std::string index_prefix(std::string_view subject) { return ledger::trail_entry_prefix(subject); }

std::string index_key(std::string_view subject, uint64_t leaf_index) {
  return ledger::trail_entry_key(subject, leaf_index);
}

}  // namespace medtrail::contracts
