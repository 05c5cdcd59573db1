#include "core/member_record.h"

#include <rocksdb/db.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "config/node_config.h"

namespace medtrail::node {

namespace {

constexpr std::string_view kMemberPrefix = "member/";

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

std::string member_to_json(const ledger::GenesisNode& node) {
  nlohmann::json j = {{"id", node.id},
                      {"org", node.org},
                      {"public_key", ledger::to_hex(node.public_key)},
                      {"tls_spki_sha256", ledger::to_hex(node.tls_spki_sha256)},
                      {"peer_address", node.peer_address},
                      {"api_address", node.api_address}};
  return j.dump();
}

ledger::Result<ledger::GenesisNode> member_from_json(std::string_view json,
                                                     const ledger::CryptoSuite& suite) {
  auto bad = [](const std::string& what) { return ledger::Status::error("bad_member", what); };
  if (json.size() > kMaxMemberRecordBytes) return bad("member record too large");
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("member record is not a JSON object");
  static const char* kFields[] = {"id", "org", "public_key", "tls_spki_sha256", "peer_address",
                                  "api_address"};
  if (j.size() != std::size(kFields)) return bad("member record needs exactly its six fields");
  for (const char* f : kFields) {
    if (!j.contains(f) || !j[f].is_string()) return bad(std::string(f) + " must be a string");
  }
  ledger::GenesisNode node;
  node.id = j["id"].get<std::string>();
  node.org = j["org"].get<std::string>();
  if (!valid_id(node.id)) return bad("id must be 1..64 characters of [a-z0-9-]");
  if (node.org.empty() || node.org.size() > 64) return bad("org must be 1..64 characters");
  auto key = ledger::from_hex(j["public_key"].get<std::string>());
  if (!key.ok() || key->size() != suite.public_key_size()) return bad("public_key: wrong size or not hex");
  node.public_key = std::move(*key);
  auto pin = ledger::from_hex(j["tls_spki_sha256"].get<std::string>());
  if (!pin.ok() || pin->size() != ledger::kHashSize) return bad("tls_spki_sha256: 64 hex characters");
  std::copy(pin->begin(), pin->end(), node.tls_spki_sha256.begin());
  node.peer_address = j["peer_address"].get<std::string>();
  node.api_address = j["api_address"].get<std::string>();
  if (!parse_host_port(node.peer_address).ok()) return bad("peer_address must be host:port");
  if (!parse_host_port(node.api_address).ok()) return bad("api_address must be host:port");
  return node;
}

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
