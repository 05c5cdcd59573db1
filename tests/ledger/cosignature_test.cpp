// Witness cosignatures (ledger/cosignature.h, c2sp.org/tlog-cosignature "cosignature/v1"):
// against a vector computed apart from this code (OpenSSL's Ed25519 and sha256sum over the
// spec's message, with the RFC 8032 test key 1), and against what a forger would try.
#include "medtrail/ledger/cosignature.h"

#include <gtest/gtest.h>

#include "medtrail/ledger/bytes.h"

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

// RFC 8032 §7.1, test 1.
KeyPair rfc8032_key() {
  auto seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  return suite().keypair_from_secret(seed.value()).value();
}

// The tlog-cosignature spec's example checkpoint body.
const std::string kNote =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const std::string kName = "witness.example.com/w1";
constexpr uint64_t kTime = 1679315147;
// printf 'cosignature/v1\ntime 1679315147\n<note>' | openssl pkeyutl -sign -rawin, behind the
// key ID (sha256sum of the name, "\n", 0x04 and the public key: 7e6f4aaa) and the be64 time.
const std::string kLine =
    "\xE2\x80\x94 witness.example.com/w1 "
    "fm9KqgAAAABkGFDL+TPmh4BYuAjsYRoqMJCWb/gWJaeRF/kmm5tlCr9sJ57"
    "DLErur7K0yDXc2ArN+TIuotuB/HbuL3AJsp3bv/aNCQ==\n";

TEST(CosignatureTest, TheLineIsTheIndependentlyComputedOne) {
  const KeyPair key = rfc8032_key();
  ASSERT_EQ(to_hex(key.public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(cosigner_key_id(kName, key.public_key), 0x7e6f4aaau);
  EXPECT_EQ(cosigner_vkey(kName, key.public_key),
            "witness.example.com/w1+7e6f4aaa+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea");
  EXPECT_EQ(cosigned_message(kNote, kTime), "cosignature/v1\ntime 1679315147\n" + kNote);
  auto line = cosign(kName, key, kNote, kTime);
  ASSERT_TRUE(line.ok()) << line.status().to_string();
  EXPECT_EQ(*line, kLine);
  auto time = verify_cosignature(kLine, kName, key.public_key, kNote);
  ASSERT_TRUE(time.ok()) << time.status().to_string();
  EXPECT_EQ(*time, kTime);
}

TEST(CosignatureTest, AnotherNoteTimeNameOrKeyDoesNotVerify) {
  const KeyPair key = rfc8032_key();
  const KeyPair other = suite().generate_keypair().value();
  std::string changed_note = kNote;
  changed_note[30] = '4';  // another tree size
  EXPECT_EQ(verify_cosignature(kLine, kName, key.public_key, changed_note).status().code(),
            "bad_cosignature");
  // The line of another cosigner, by name or by key: ignored, as signed-note requires.
  EXPECT_EQ(
      verify_cosignature(kLine, "witness.example.com/w2", key.public_key, kNote).status().code(),
      "not_this_cosigner");
  EXPECT_EQ(verify_cosignature(kLine, kName, other.public_key, kNote).status().code(),
            "not_this_cosigner");
  // The time moved, the signature kept: the signature covers the time.
  std::string blob_b64 = kLine.substr(kLine.find(' ', 4) + 1);
  blob_b64.pop_back();
  Bytes blob = from_base64(blob_b64).value();
  blob[11] ^= 1;
  const std::string moved = "\xE2\x80\x94 " + kName + " " + to_base64(blob);
  EXPECT_EQ(verify_cosignature(moved, kName, key.public_key, kNote).status().code(),
            "bad_cosignature");
  // Cut short, or not base64.
  blob.resize(40);
  EXPECT_EQ(verify_cosignature("\xE2\x80\x94 " + kName + " " + to_base64(blob), kName,
                               key.public_key, kNote)
                .status()
                .code(),
            "bad_cosignature");
  EXPECT_EQ(
      verify_cosignature("\xE2\x80\x94 " + kName + " not*base64", kName, key.public_key, kNote)
          .status()
          .code(),
      "bad_cosignature");
}

TEST(CosignatureTest, OnlyAnEd25519KeyAKeyNameAndATimeInRangeSign) {
  const KeyPair key = rfc8032_key();
  EXPECT_EQ(cosign("", key, kNote, kTime).status().code(), "bad_name");
  EXPECT_EQ(cosign("a b", key, kNote, kTime).status().code(), "bad_name");
  EXPECT_EQ(cosign("a+b", key, kNote, kTime).status().code(), "bad_name");
  EXPECT_EQ(cosign(kName, key, kNote, uint64_t{1} << 63).status().code(), "bad_time");
  const KeyPair sm2 = sm2_sm3().generate_keypair().value();
  EXPECT_EQ(cosign(kName, sm2, kNote, kTime).status().code(), "bad_key");
  // A fresh key's cosignature verifies, at its time.
  const KeyPair fresh = suite().generate_keypair().value();
  auto line = cosign(kName, fresh, kNote, 42);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(verify_cosignature(*line, kName, fresh.public_key, kNote).value(), 42u);
}

}  // namespace
}  // namespace medtrail::ledger
