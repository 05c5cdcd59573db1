// Confidential fields: sealing for the parties (sealed_fields.h), which fields each kind seals
// (confidential_fields.h), and the organisations' encryption keyrings (encryption_key_file.h).
#include "medtrail/ledger/sealed_fields.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "medtrail/ledger/confidential_fields.h"
#include "medtrail/ledger/encryption_key_file.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

const std::string kPlaintext = R"({"diagnosis_code":"J02.9","items":[{"name":"Amoxicillin capsules"}]})";
const SealedContext kContext{"rx.issue", "hosp-a/dr-li"};

struct Parties {
  EncryptionKey hospital = generate_encryption_key();
  EncryptionKey regulator = generate_encryption_key();
  EncryptionKey outsider = generate_encryption_key();
  std::vector<SealRecipient> readers() const {
    return {{"hosp-a", hospital.public_key}, {"reg-c", regulator.public_key}};
  }
};

std::vector<EncryptionKey> keyring_of(const EncryptionKey& key) {
  std::vector<EncryptionKey> ring;
  ring.push_back({key.public_key, key.secret_key});
  return ring;
}

TEST(SealedFields, EachNamedReaderOpensWithItsOwnKeyAndNobodyElse) {
  Parties p;
  auto sealed = seal(kPlaintext, kContext, p.readers());
  ASSERT_TRUE(sealed.ok()) << sealed.status().to_string();
  ASSERT_EQ(sealed->sealed.keys.size(), 2u);
  EXPECT_EQ(sealed->sealed.keys[0].key_id, p.hospital.key_id());
  // The ciphertext is not the plaintext in disguise.
  EXPECT_EQ(as_chars(sealed->sealed.ciphertext).find("Amoxicillin"), std::string_view::npos);

  for (auto& [org, key] : {std::pair{"hosp-a", &p.hospital}, std::pair{"reg-c", &p.regulator}}) {
    auto data_key = unwrap_data_key(sealed->sealed, org, keyring_of(*key));
    ASSERT_TRUE(data_key.ok()) << org << ": " << data_key.status().to_string();
    auto opened = open_sealed(sealed->sealed, data_key->view(), kContext);
    ASSERT_TRUE(opened.ok()) << opened.status().to_string();
    EXPECT_EQ(*opened, kPlaintext);
  }
  // An organisation the author did not name, with its own key or with a reader's org name.
  EXPECT_EQ(unwrap_data_key(sealed->sealed, "pharm-b", keyring_of(p.outsider)).status().code(), "not_a_recipient");
  EXPECT_EQ(unwrap_data_key(sealed->sealed, "hosp-a", keyring_of(p.outsider)).status().code(), "not_a_recipient");
}

TEST(SealedFields, TheSlipKeyOpensWithoutAnyOrganisationKey) {
  Parties p;
  auto sealed = seal(kPlaintext, kContext, p.readers());
  ASSERT_TRUE(sealed.ok());
  const std::string slip = slip_key_to_text(sealed->data_key.view());
  EXPECT_EQ(slip.size(), 43u);
  EXPECT_EQ(slip.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  auto key = slip_key_from_text(slip);
  ASSERT_TRUE(key.ok());
  auto opened = open_sealed(sealed->sealed, key->view(), kContext);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, kPlaintext);
  // Another record's slip does not open it.
  auto other = seal(kPlaintext, kContext, p.readers());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(open_sealed(sealed->sealed, other->data_key.view(), kContext).status().code(), "open_failed");
  for (std::string bad : {slip.substr(1), slip + "A", std::string(43, '*'), slip.substr(0, 42) + "="}) {
    EXPECT_EQ(slip_key_from_text(bad).status().code(), "bad_slip_key") << bad;
  }
}

TEST(SealedFields, BytesMovedToAnotherRecordOrChangedDoNotOpen) {
  Parties p;
  auto sealed = seal(kPlaintext, kContext, p.readers());
  ASSERT_TRUE(sealed.ok());
  const ByteView key = sealed->data_key.view();
  EXPECT_EQ(open_sealed(sealed->sealed, key, {"rx.issue", "hosp-a/dr-wang"}).status().code(), "open_failed");
  EXPECT_EQ(open_sealed(sealed->sealed, key, {"rx.review", "hosp-a/dr-li"}).status().code(), "open_failed");
  Sealed flipped = sealed->sealed;
  flipped.ciphertext[3] ^= 1;
  EXPECT_EQ(open_sealed(flipped, key, kContext).status().code(), "open_failed");
  Sealed wrapped_flipped = sealed->sealed;
  wrapped_flipped.keys[0].wrapped[40] ^= 1;
  EXPECT_EQ(unwrap_data_key(wrapped_flipped, "hosp-a", keyring_of(p.hospital)).status().code(), "unwrap_failed");
}

TEST(SealedFields, RefusesBadReadersAndOversizedFields) {
  Parties p;
  EXPECT_EQ(seal(kPlaintext, kContext, {}).status().code(), "bad_recipient");
  EXPECT_EQ(seal(kPlaintext, kContext, {{"hosp-a", p.hospital.public_key}, {"hosp-a", p.regulator.public_key}})
                .status()
                .code(),
            "bad_recipient");
  EXPECT_EQ(seal(kPlaintext, kContext, {{"hosp-a", Bytes(32, 0)}}).status().code(), "bad_recipient");
  EXPECT_EQ(seal(kPlaintext, kContext, {{"hosp-a", Bytes(31, 7)}}).status().code(), "bad_recipient");
  std::vector<SealRecipient> many;
  for (size_t i = 0; i <= kMaxSealedRecipients; ++i) many.push_back({"org-" + std::to_string(i), p.hospital.public_key});
  EXPECT_EQ(seal(kPlaintext, kContext, many).status().code(), "bad_recipient");
  EXPECT_EQ(seal(std::string(kMaxSealedPlaintextBytes + 1, 'x'), kContext, p.readers()).status().code(), "too_large");
  EXPECT_TRUE(seal(std::string(kMaxSealedPlaintextBytes, 'x'), kContext, p.readers()).ok());
}

TEST(SealedFields, JsonRoundTripsAndIsStrict) {
  Parties p;
  auto sealed = seal(kPlaintext, kContext, p.readers());
  ASSERT_TRUE(sealed.ok());
  const nlohmann::json json = sealed_to_json(sealed->sealed);
  auto back = sealed_from_json(json);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, sealed->sealed);

  auto broken = [&](auto change) {
    nlohmann::json j = json;
    change(j);
    return sealed_from_json(j).status().code();
  };
  EXPECT_EQ(broken([](nlohmann::json& j) { j["v"] = 2; }), "bad_sealed");  // version 2 names its subject
  EXPECT_EQ(broken([](nlohmann::json& j) { j["v"] = 3; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["subject"] = std::string(64, 'a'); }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["extra"] = 1; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j.erase("nonce"); }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["nonce"] = std::string(48, 'A'); }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["ciphertext"] = "not base64!"; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["ciphertext"] = to_base64(Bytes(kSealedTagBytes - 1)); }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) {
              j["ciphertext"] = to_base64(Bytes(kMaxSealedPlaintextBytes + kSealedTagBytes + 1));
            }),
            "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["keys"] = nlohmann::json::array(); }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["keys"][1]["org"] = "hosp-a"; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["keys"][0]["org"] = "Hosp A"; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["keys"][0]["key_id"] = "ABCDEF0123456789"; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["keys"][0]["wrapped"] = to_base64(Bytes(79)); }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j["keys"][0]["more"] = 1; }), "bad_sealed");
  EXPECT_EQ(broken([](nlohmann::json& j) { j = nlohmann::json::array(); }), "bad_sealed");
}

const std::string kPatientRef(64, 'e');

// Version 2: the author asks the key service for the share of the nonce it drew, then seals.
struct ErasableSeal {
  SecureBytes patient_key = new_patient_key();
  PatientShare share;
  Result<SealResult> result = Status::error("unset", "");
  explicit ErasableSeal(const Parties& p) {
    share.patient_ref = kPatientRef;
    share.nonce = new_sealed_nonce();
    share.share = patient_share(patient_key.view(), kPatientRef, share.nonce);
    result = seal(kPlaintext, kContext, p.readers(), &share);
  }
};

TEST(ErasableSealedFields, OpeningNeedsTheDataKeyAndThePatientsShareForThisRecord) {
  Parties p;
  ErasableSeal e(p);
  ASSERT_TRUE(e.result.ok()) << e.result.status().to_string();
  const Sealed& sealed = e.result->sealed;
  EXPECT_EQ(sealed.version, kErasableSealedVersion);
  EXPECT_EQ(sealed.subject, kPatientRef);
  EXPECT_EQ(sealed.nonce, e.share.nonce);
  auto data_key = unwrap_data_key(sealed, "hosp-a", keyring_of(p.hospital));
  ASSERT_TRUE(data_key.ok());

  // The service derives the same share again from the patient's key: it opens.
  const SecureBytes share = patient_share(e.patient_key.view(), kPatientRef, sealed.nonce);
  auto opened = open_sealed(sealed, data_key->view(), kContext, &share);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_EQ(*opened, kPlaintext);
  // The data key alone does not, nor with a share of another record, patient or patient key.
  EXPECT_EQ(open_sealed(sealed, data_key->view(), kContext).status().code(), "share_needed");
  const SecureBytes other_nonce = patient_share(e.patient_key.view(), kPatientRef, new_sealed_nonce());
  const SecureBytes other_patient = patient_share(e.patient_key.view(), std::string(64, 'f'), sealed.nonce);
  const SecureBytes other_key = patient_share(new_patient_key().view(), kPatientRef, sealed.nonce);
  for (const SecureBytes* wrong : {&other_nonce, &other_patient, &other_key}) {
    EXPECT_EQ(open_sealed(sealed, data_key->view(), kContext, wrong).status().code(), "open_failed");
  }
  // The share alone, with another record's data key (a slip of another prescription), does not.
  ErasableSeal other(p);
  ASSERT_TRUE(other.result.ok());
  EXPECT_EQ(open_sealed(sealed, other.result->data_key.view(), kContext, &share).status().code(), "open_failed");
  // Relabelled for another patient, the bytes do not open even with the right keys: the
  // associated data binds the subject.
  Sealed moved = sealed;
  moved.subject = std::string(64, 'f');
  EXPECT_EQ(open_sealed(moved, data_key->view(), kContext, &share).status().code(), "open_failed");
}

TEST(ErasableSealedFields, JsonNamesTheSubjectAndRoundTrips) {
  Parties p;
  ErasableSeal e(p);
  ASSERT_TRUE(e.result.ok());
  const nlohmann::json json = sealed_to_json(e.result->sealed);
  EXPECT_EQ(json["v"], 2);
  EXPECT_EQ(json["subject"], kPatientRef);
  auto back = sealed_from_json(json);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, e.result->sealed);
  for (const nlohmann::json& subject : {nlohmann::json(std::string(64, 'E')), nlohmann::json(std::string(63, 'e')),
                                        nlohmann::json(1), nlohmann::json("110101199003077571")}) {
    nlohmann::json j = json;
    j["subject"] = subject;
    EXPECT_EQ(sealed_from_json(j).status().code(), "bad_sealed") << subject;
  }
  nlohmann::json without = json;
  without.erase("subject");
  EXPECT_EQ(sealed_from_json(without).status().code(), "bad_sealed");
}

TEST(ErasableSealedFields, RefusesAMalformedShare) {
  Parties p;
  PatientShare share{kPatientRef, new_sealed_nonce(), SecureBytes(kPatientShareBytes)};
  EXPECT_TRUE(seal(kPlaintext, kContext, p.readers(), &share).ok());
  PatientShare bad_ref = share;
  bad_ref.patient_ref = "110101199003077571";
  PatientShare bad_nonce = share;
  bad_nonce.nonce.pop_back();
  PatientShare bad_share = share;
  bad_share.share = SecureBytes(16);
  for (const PatientShare* s : {&bad_ref, &bad_nonce, &bad_share}) {
    EXPECT_EQ(seal(kPlaintext, kContext, p.readers(), s).status().code(), "bad_share");
  }
}

TEST(EncryptionKeys, KeyIdsAreStableAndSmallOrderPointsAreRefused) {
  EncryptionKey key = generate_encryption_key();
  EXPECT_EQ(key.key_id().size(), kEncryptionKeyIdHexSize);
  auto again = encryption_key_from_secret(key.secret_key.view());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, key.public_key);
  EXPECT_EQ(again->key_id(), key.key_id());
  EXPECT_TRUE(is_encryption_public_key(key.public_key));
  EXPECT_FALSE(is_encryption_public_key(Bytes(32, 0)));
  Bytes one(32, 0);
  one[0] = 1;  // u = 1: a point of order 4
  EXPECT_FALSE(is_encryption_public_key(one));
  EXPECT_FALSE(is_encryption_public_key(Bytes(33, 9)));
}

TEST(ConfidentialFields, ATakenBodyHasNothingConfidentialAndRestoresExactly) {
  const nlohmann::json original = nlohmann::json::parse(R"({
    "patient_ref": "ab", "type": "normal", "channel": "offline", "diagnosis_code": "J02.9",
    "items": [{"drug_code": "J01CA04", "name": "Amoxicillin", "strength": "250 mg", "quantity": 24,
               "unit": "capsule", "dosage": "2 capsules tid", "days_supply": 4},
              {"drug_code": "R05DA09", "quantity": 1, "unit": "bottle", "days_supply": 3}]})");
  nlohmann::json body = original;
  nlohmann::json taken = take_confidential("rx.issue", body);
  EXPECT_TRUE(confidential_in_clear("rx.issue", body).empty());
  EXPECT_EQ(body["items"][0]["drug_code"], "J01CA04");
  EXPECT_EQ(body["items"][0]["quantity"], 24);
  EXPECT_FALSE(body.contains("diagnosis_code"));
  EXPECT_EQ(taken["items"].size(), 2u);
  EXPECT_EQ(taken["items"][1], nlohmann::json::object());
  EXPECT_EQ(confidential_in_clear("rx.issue", original),
            (std::vector<std::string>{"diagnosis_code", "items[0].name", "items[0].strength", "items[0].dosage"}));

  ASSERT_TRUE(restore_confidential("rx.issue", body, taken).ok());
  EXPECT_EQ(body, original);
  // Restoring twice would make a field both sealed and in clear.
  EXPECT_EQ(restore_confidential("rx.issue", body, taken).code(), "bad_sealed");
}

TEST(ConfidentialFields, RestoreRefusesFieldsTheKindDoesNotSeal) {
  nlohmann::json body = nlohmann::json::parse(R"({"rx_id": "x", "items": [{"drug_code": "A"}]})");
  EXPECT_EQ(restore_confidential("rx.issue", body, nlohmann::json::parse(R"({"rx_id": "y"})")).code(), "bad_sealed");
  EXPECT_EQ(restore_confidential("rx.issue", body, nlohmann::json::parse(R"({"items": [{"quantity": 9}]})")).code(),
            "bad_sealed");
  EXPECT_EQ(restore_confidential("rx.issue", body, nlohmann::json::parse(R"({"items": [{}, {}]})")).code(),
            "bad_sealed");
  EXPECT_EQ(restore_confidential("rx.dispense", body, nlohmann::json::parse(R"({"note": "x"})")).code(),
            "bad_sealed");
  EXPECT_TRUE(confidential_fields("rx.dispense").empty());
  EXPECT_TRUE(take_confidential("tableware.batch", body).empty());
}

TEST(EncryptionKeyring, RotationKeepsOldKeysAndTheFileStaysPrivate) {
  medtrail::testing::TempDir dir;
  const std::string path = dir.file("encryption.key");
  EncryptionKey first = generate_encryption_key();
  ASSERT_TRUE(save_new_encryption_keyring(path, first).ok());
  EXPECT_EQ(save_new_encryption_keyring(path, generate_encryption_key()).code(), "file_exists");
  EncryptionKey second = generate_encryption_key();
  ASSERT_TRUE(add_to_encryption_keyring(path, second).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto ring = load_encryption_keyring(path);
  ASSERT_TRUE(ring.ok()) << ring.status().to_string();
  ASSERT_EQ(ring->size(), 2u);
  EXPECT_EQ((*ring)[0].public_key, first.public_key);
  EXPECT_EQ((*ring)[1].public_key, second.public_key);

  // What was sealed for the old key still opens with the rotated keyring.
  auto sealed = seal(kPlaintext, kContext, {{"hosp-a", first.public_key}});
  ASSERT_TRUE(sealed.ok());
  auto data_key = unwrap_data_key(sealed->sealed, "hosp-a", *ring);
  ASSERT_TRUE(data_key.ok()) << data_key.status().to_string();
  EXPECT_TRUE(open_sealed(sealed->sealed, data_key->view(), kContext).ok());

  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(load_encryption_keyring(path).status().code(), "insecure_permissions");
}

TEST(EncryptionKeyring, RefusesMalformedFiles) {
  medtrail::testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    const std::string path = dir.file(name);
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
    return path;
  };
  EncryptionKey key = generate_encryption_key();
  const std::string pub = to_hex(key.public_key), sec = to_hex(key.secret_key.view());
  const std::string entry = R"({"public_key":")" + pub + R"(","secret_key":")" + sec + R"("})";
  EXPECT_TRUE(load_encryption_keyring(write("good", R"({"suite":"x25519-xchacha20poly1305","keys":[)" + entry + "]}")).ok());
  EXPECT_EQ(load_encryption_keyring(write("suite", R"({"suite":"ed25519","keys":[)" + entry + "]}")).status().code(),
            "bad_key_file");
  EXPECT_EQ(load_encryption_keyring(write("twice", R"({"suite":"x25519-xchacha20poly1305","keys":[)" + entry + "," +
                                                       entry + "]}"))
                .status()
                .code(),
            "bad_key_file");
  EXPECT_EQ(load_encryption_keyring(write("empty", R"({"suite":"x25519-xchacha20poly1305","keys":[]})")).status().code(),
            "bad_key_file");
  EXPECT_EQ(load_encryption_keyring(write("json", "{")).status().code(), "bad_key_file");
  const std::string other = to_hex(generate_encryption_key().public_key);
  EXPECT_EQ(load_encryption_keyring(write("mismatch", R"({"suite":"x25519-xchacha20poly1305","keys":[{"public_key":")" +
                                                          other + R"(","secret_key":")" + sec + R"("}]})"))
                .status()
                .code(),
            "key_mismatch");
}

}  // namespace
}  // namespace medtrail::ledger
