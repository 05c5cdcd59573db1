#include "core/member_record.h"

#include <rocksdb/db.h>

#include <memory>


namespace medtrail::node {

std::string member_to_json(const ledger::GenesisNode& node) {
  return ledger::genesis_node_to_json(node);
}

ledger::Result<ledger::GenesisNode> member_from_json(std::string_view json,
                                                     const ledger::CryptoSuite& suite) {
  static const ledger::Genesis kAnyOrg;  // the endpoint checks the org against genesis
  auto node = ledger::parse_genesis_node(json, kAnyOrg, suite);
  if (!node.ok()) return ledger::Status::error("bad_member", node.status().message());
  return node;
}

namespace {
constexpr std::string_view kMemberPrefix = "member/";
}  // namespace

std::string member_key(const std::string& node_id) { return std::string(kMemberPrefix) + node_id; }

ledger::Result<std::vector<ledger::GenesisNode>> load_members(const ledger::ChainStore& store) {
  std::vector<ledger::GenesisNode> members;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(
      rocksdb::ReadOptions(), store.column_family(ledger::ColumnFamily::kMeta)));
  for (it->Seek(std::string(kMemberPrefix)); it->Valid() && it->key().starts_with(kMemberPrefix);
       it->Next()) {
    auto node = member_from_json(it->value().ToStringView(), store.suite());
    if (!node.ok()) return ledger::Status::error("corruption", "stored member: " + node.status().message());
    members.push_back(std::move(*node));
  }
  if (!it->status().ok()) return ledger::Status::error("io_error", it->status().ToString());
  return members;
}

}  // namespace medtrail::node
