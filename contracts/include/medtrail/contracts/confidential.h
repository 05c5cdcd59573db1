#pragma once
// Confidential fields on the chain (docs/privacy.md, "Confidential fields"): organisations'
// encryption keys (`org.enc_key`, or genesis), and the checks every node makes of a body's
// `sealed` part without being able to read it: its shape and size, that nothing confidential
// is also in clear, and that the data key is wrapped for the author's organisation and every
// regulator under their current keys.
//
// Reason codes (docs/contracts.md): confidential_in_clear, bad_format (a malformed `sealed`),
// sealed_reader_missing, unknown_reader_key; for org.enc_key: bad_format, duplicate_key,
// too_many_keys.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/context.h"
#include "medtrail/contracts/state.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::contracts {

struct Call;

// "enckey/<org>": the encryption keys an organisation registered, oldest first. Genesis' key
// (when it names one) is the organisation's key until the first registration.
struct StoredEncryptionKey {
  std::string key_id;  // ledger::encryption_key_id of the key
  ledger::Bytes public_key;
  int64_t registered_at_ms = 0;
  std::string registered_by;  // the org.enc_key record id

  static constexpr auto fields() {
    return std::tuple{field("key_id", &StoredEncryptionKey::key_id),
                      field("public_key", &StoredEncryptionKey::public_key),
                      field("registered_at_ms", &StoredEncryptionKey::registered_at_ms),
                      field("registered_by", &StoredEncryptionKey::registered_by)};
  }
};

struct StoredEncryptionKeys {
  std::vector<StoredEncryptionKey> keys;

  static constexpr auto fields() { return std::tuple{field("keys", &StoredEncryptionKeys::keys)}; }
};

inline constexpr size_t kMaxRegisteredEncryptionKeys = 64;

std::string encryption_keys_key(std::string_view org);

struct CurrentEncryptionKey {
  std::string key_id;
  ledger::Bytes public_key;
};
// The key records must be sealed for now: the newest registered, else genesis'; nullopt when
// the organisation has none.
std::optional<CurrentEncryptionKey> current_encryption_key(const StateView& state, const ChainParams& chain,
                                                           std::string_view org);

// Every sealed body must be readable by the member regulators that have an encryption key,
// besides its author's organisation. The organisations that may be regulators (founding ones by
// their genesis types, and every one governance added), and whether one is a member regulator
// with a key now.
std::vector<std::string> regulator_candidates(const StateView& state, const ChainParams& chain);
bool is_regulator_with_key(const StateView& state, const ChainParams& chain, std::string_view id);

// Every member organisation's current key, for clients that seal (GET /v1/encryption-keys).
struct MemberEncryptionKey {
  std::string org;
  bool regulator = false;
  std::optional<CurrentEncryptionKey> key;  // nullopt: none registered yet
};
std::vector<MemberEncryptionKey> encryption_directory(const StateView& state, const ChainParams& chain);

// Reads the body's `sealed` part, if any (marking it read), and refuses confidential fields in
// clear when the body is sealed or the chain seals them all (genesis "confidential_fields").
// Returns the sealed part when the body has a well-formed one: its required confidential
// fields are then in it, where no node can see them.
std::optional<ledger::Sealed> read_sealed(BodyReader& reader, const nlohmann::json& body, const Call& call);

// The sealed part against the state and the record's patient: its readers, and on an erasable
// chain its version and subject (`not_erasable`, `sealed_subject_mismatch`). accept() when the
// body has none.
ledger::ExecutionResult check_sealed_readers(const std::optional<ledger::Sealed>& sealed, const Call& call,
                                             std::string_view patient_ref);

}  // namespace medtrail::contracts
