#include "medtrail/contracts/confidential.h"

#include <algorithm>

#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/governance.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/ledger/confidential_fields.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

// org.enc_key: an organisation's admin registers its next encryption key. Old keys stay listed:
// they name what was sealed for the organisation before.
ExecutionResult register_encryption_key(Call& call) {
  BodyReader r(call.body, "body");
  auto key_hex = r.hex("public_key", ledger::kEncryptionKeyBytes);
  if (!r.finish()) return r.result();
  ledger::Bytes key = ledger::from_hex(*key_hex).value();  // lowercase hex, checked by the reader
  call.txn.index("org/" + call.org.id);
  if (!ledger::is_encryption_public_key(key)) {
    return ExecutionResult::reject("bad_format", "body.public_key is not a usable X25519 key (small order)");
  }
  const std::string state_key = encryption_keys_key(call.org.id);
  StoredEncryptionKeys stored = call.txn.read<StoredEncryptionKeys>(state_key).value_or(StoredEncryptionKeys{});
  const ledger::GenesisOrg* founding = call.chain.genesis.find_org(call.org.id);
  const bool known = (founding != nullptr && founding->encryption_public_key == key) ||
                     std::any_of(stored.keys.begin(), stored.keys.end(),
                                 [&](const StoredEncryptionKey& k) { return k.public_key == key; });
  if (known) {
    return ExecutionResult::reject("duplicate_key", "this encryption key was registered for " + call.org.id + " before");
  }
  if (stored.keys.size() >= kMaxRegisteredEncryptionKeys) {
    return ExecutionResult::reject("too_many_keys", call.org.id + " has registered " +
                                                        std::to_string(kMaxRegisteredEncryptionKeys) +
                                                        " encryption keys, the most the chain keeps");
  }
  stored.keys.push_back({ledger::encryption_key_id(key), std::move(key), call.block.timestamp_ms,
                         std::string(call.record_id)});
  call.txn.write(state_key, stored);
  return ExecutionResult::accept();
}

}  // namespace

// Every sealed record asks who the regulators are: founding organisations are filtered by their
// genesis types (which never change) before any state is read; only those governance added are
// looked up.
std::vector<std::string> regulator_candidates(const StateView& state, const ChainParams& chain) {
  std::vector<std::string> candidates;
  for (const ledger::GenesisOrg& o : chain.genesis.organisations) {
    if (std::find(o.roles.begin(), o.roles.end(), "regulator") != o.roles.end()) candidates.push_back(o.id);
  }
  if (std::optional<gov::AddedIds> added = read_value<gov::AddedIds>(state, gov::kOrgsAddedKey)) {
    candidates.insert(candidates.end(), added->ids.begin(), added->ids.end());
  }
  return candidates;
}

bool is_regulator_with_key(const StateView& state, const ChainParams& chain, std::string_view id) {
  std::optional<Organisation> org = find_org(state, chain, id);
  return org && !org->removed && org->has_type("regulator") && current_encryption_key(state, chain, id);
}

std::string encryption_keys_key(std::string_view org) { return "enckey/" + std::string(org); }

std::optional<CurrentEncryptionKey> current_encryption_key(const StateView& state, const ChainParams& chain,
                                                           std::string_view org) {
  std::optional<StoredEncryptionKeys> stored = read_value<StoredEncryptionKeys>(state, encryption_keys_key(org));
  if (stored && !stored->keys.empty()) {
    return CurrentEncryptionKey{stored->keys.back().key_id, stored->keys.back().public_key};
  }
  const ledger::GenesisOrg* founding = chain.genesis.find_org(org);
  if (founding == nullptr || founding->encryption_public_key.empty()) return std::nullopt;
  return CurrentEncryptionKey{ledger::encryption_key_id(founding->encryption_public_key),
                              founding->encryption_public_key};
}

std::vector<MemberEncryptionKey> encryption_directory(const StateView& state, const ChainParams& chain) {
  std::vector<MemberEncryptionKey> out;
  for (const Organisation& org : member_orgs(state, chain)) {
    out.push_back({org.id, org.has_type("regulator"), current_encryption_key(state, chain, org.id)});
  }
  return out;
}

std::optional<ledger::Sealed> read_sealed(BodyReader& r, const nlohmann::json& body, const Call& call) {
  const nlohmann::json* sealed = r.raw_object(ledger::kSealedField, Presence::kOptional);
  std::optional<ledger::Sealed> out;
  if (sealed != nullptr && r.ok()) {
    ledger::Result<ledger::Sealed> parsed = ledger::sealed_from_json(*sealed);
    if (parsed.ok()) {
      out = std::move(*parsed);
    } else {
      r.fail("bad_format", "body." + parsed.status().message());
    }
  }
  const bool sealed_chain = call.chain.genesis.confidential_fields == ledger::kConfidentialSealed ||
                           call.chain.genesis.confidential_fields == ledger::kConfidentialErasable;
  if (r.ok() && (sealed != nullptr || sealed_chain)) {
    std::vector<std::string> in_clear = ledger::confidential_in_clear(call.fields.kind, body);
    if (!in_clear.empty()) {
      r.fail("confidential_in_clear",
             r.path_of(in_clear.front()) + " is confidential: it belongs in body.sealed" +
                 (sealed_chain ? " (this chain keeps confidential fields out of clear text)" : ", not beside it"));
    }
  }
  return out;
}

ExecutionResult check_sealed_readers(const std::optional<ledger::Sealed>& sealed, const Call& call,
                                     std::string_view patient_ref) {
  if (!sealed) return ExecutionResult::accept();
  if (sealed->version == ledger::kErasableSealedVersion && sealed->subject != patient_ref) {
    // Neither ref is echoed: a message lands in every reader's copy of the result.
    return ExecutionResult::reject("sealed_subject_mismatch",
                                   "body.sealed.subject is not the patient this record is about");
  }
  if (call.chain.genesis.confidential_fields == ledger::kConfidentialErasable &&
      sealed->version != ledger::kErasableSealedVersion) {
    return ExecutionResult::reject("not_erasable", "this chain keeps confidential fields erasable: body.sealed must be "
                                                   "version 2, sealed with the patient's share from the key service");
  }
  for (const ledger::SealedKey& key : sealed->keys) {
    std::optional<Organisation> org = find_org(call.txn, call.chain, key.org);
    std::optional<CurrentEncryptionKey> current =
        org && !org->removed ? current_encryption_key(call.txn, call.chain, key.org) : std::nullopt;
    if (!current || current->key_id != key.key_id) {
      return ExecutionResult::reject("unknown_reader_key", "body.sealed is wrapped for " + key.org + " under key " +
                                                               key.key_id +
                                                               ", which is not that member's current encryption key");
    }
  }
  auto readers = [&](std::string_view org) {
    return std::any_of(sealed->keys.begin(), sealed->keys.end(), [&](const ledger::SealedKey& k) { return k.org == org; });
  };
  if (!readers(call.org.id)) {
    return ExecutionResult::reject("sealed_reader_missing",
                                   "body.sealed must be readable by the author's organisation " + call.org.id);
  }
  // A regulator among the readers was checked above; only the others are looked up.
  for (const std::string& regulator : regulator_candidates(call.txn, call.chain)) {
    if (!readers(regulator) && is_regulator_with_key(call.txn, call.chain, regulator)) {
      return ExecutionResult::reject("sealed_reader_missing",
                                     "body.sealed must be readable by the regulator " + regulator);
    }
  }
  return ExecutionResult::accept();
}

std::vector<KindRule> encryption_key_rules() {
  return {{"org.enc_key", {kAdminRole}, {}, register_encryption_key}};
}

}  // namespace medtrail::contracts
