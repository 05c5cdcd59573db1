#include "medtrail/ledger/crypto_suite.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/hex.h"

namespace medtrail::ledger {
namespace {

using medtrail::testing::unhex;

Bytes flip_bit(Bytes data, size_t byte, uint8_t mask = 0x01) {
  data.at(byte) ^= mask;
  return data;
}

// --- Registry -------------------------------------------------------------------------------

TEST(CryptoSuiteRegistry, FindsBothSuitesByName) {
  EXPECT_EQ(find_suite("ed25519-sha256"), &ed25519_sha256());
  EXPECT_EQ(find_suite("sm2-sm3"), &sm2_sm3());
  EXPECT_EQ(ed25519_sha256().name(), kSuiteEd25519Sha256);
  EXPECT_EQ(sm2_sm3().name(), kSuiteSm2Sm3);
}

TEST(CryptoSuiteRegistry, UnknownNameIsNull) {
  EXPECT_EQ(find_suite("rsa-sha1"), nullptr);
  EXPECT_EQ(find_suite(""), nullptr);
  EXPECT_EQ(find_suite("ED25519-SHA256"), nullptr);
}

TEST(CryptoSuiteRegistry, DefaultIsEd25519Sha256) {
  EXPECT_EQ(&default_suite(), &ed25519_sha256());
}

TEST(CryptoSuiteRegistry, ReportsKeyAndSignatureSizes) {
  EXPECT_EQ(ed25519_sha256().public_key_size(), 32u);
  EXPECT_EQ(ed25519_sha256().signature_size(), 64u);
  EXPECT_EQ(sm2_sm3().public_key_size(), 65u);
  EXPECT_EQ(sm2_sm3().signature_size(), 64u);
}

TEST(CryptoSuiteKeyId, IsSixteenLowercaseHexCharsOfTheHashAndStable) {
  for (const CryptoSuite* suite : {&ed25519_sha256(), &sm2_sm3()}) {
    Result<KeyPair> key = suite->generate_keypair();
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    std::string id = suite->key_id(key->public_key);
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_EQ(id, suite->key_id(key->public_key));
    Hash h = suite->hash(key->public_key);
    EXPECT_EQ(id, to_hex(h).substr(0, 16));
  }
}

// --- Ed25519: RFC 8032 §7.1 ------------------------------------------------------------------

struct Ed25519Vector {
  const char* name;
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

const Ed25519Vector kRfc8032Vectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    // The message is SHA-512("abc").
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

TEST(Ed25519Rfc8032, DerivesPublicKeyAndSignsExactly) {
  const CryptoSuite& suite = ed25519_sha256();
  for (const Ed25519Vector& v : kRfc8032Vectors) {
    SCOPED_TRACE(v.name);
    Bytes seed = unhex(v.seed);
    Bytes message = unhex(v.message);
    ASSERT_EQ(seed.size(), 32u);
    ASSERT_EQ(std::string_view(v.public_key).size(), 64u);
    ASSERT_EQ(std::string_view(v.signature).size(), 128u);

    Result<KeyPair> key = suite.keypair_from_secret(seed);
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    EXPECT_EQ(to_hex(key->public_key), v.public_key);
    Result<Bytes> signature = suite.sign(*key, message);
    ASSERT_TRUE(signature.ok()) << signature.status().to_string();
    EXPECT_EQ(to_hex(*signature), v.signature);
    EXPECT_TRUE(suite.verify(key->public_key, message, *signature));
  }
}

TEST(Ed25519Rfc8032, AnyFlippedBitFailsVerification) {
  const CryptoSuite& suite = ed25519_sha256();
  for (const Ed25519Vector& v : kRfc8032Vectors) {
    SCOPED_TRACE(v.name);
    Bytes public_key = unhex(v.public_key);
    Bytes message = unhex(v.message);
    Bytes signature = unhex(v.signature);
    ASSERT_TRUE(suite.verify(public_key, message, signature));
    if (!message.empty()) {
      EXPECT_FALSE(suite.verify(public_key, flip_bit(message, 0), signature));
    }
    Bytes longer = message;
    longer.push_back(0);
    EXPECT_FALSE(suite.verify(public_key, longer, signature));
    EXPECT_FALSE(suite.verify(flip_bit(public_key, 0), message, signature));
    EXPECT_FALSE(suite.verify(public_key, message, flip_bit(signature, 0)));
    EXPECT_FALSE(suite.verify(public_key, message, flip_bit(signature, 63, 0x10)));
  }
}

TEST(Ed25519, RejectsWrongLengths) {
  const CryptoSuite& suite = ed25519_sha256();
  Result<KeyPair> key = suite.generate_keypair();
  ASSERT_TRUE(key.ok());
  Bytes message = to_bytes("dispense 10mg");
  Bytes signature = *suite.sign(*key, message);
  Bytes short_signature(signature.begin(), signature.end() - 1);
  Bytes short_key(key->public_key.begin(), key->public_key.end() - 1);
  EXPECT_FALSE(suite.verify(key->public_key, message, short_signature));
  EXPECT_FALSE(suite.verify(short_key, message, signature));
  EXPECT_FALSE(suite.verify({}, message, {}));
  EXPECT_EQ(suite.keypair_from_secret(Bytes(31)).status().code(), "bad_key");
}

// --- SHA-256: FIPS 180-4 examples ------------------------------------------------------------

TEST(Sha256Fips180, MatchesPublishedDigests) {
  const CryptoSuite& suite = ed25519_sha256();
  EXPECT_EQ(to_hex(suite.hash(as_bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(suite.hash(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      to_hex(suite.hash(as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, HashPartsEqualsHashOfConcatenation) {
  const CryptoSuite& suite = ed25519_sha256();
  std::string_view whole = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(suite.hash_parts({as_bytes(whole.substr(0, 5)), as_bytes(""),
                              as_bytes(whole.substr(5, 40)), as_bytes(whole.substr(45))}),
            suite.hash(as_bytes(whole)));
}

// One-shot hashing (OpenSSL, a context per thread) and streaming (libsodium) are two
// implementations: they must agree on every length, block boundaries included, on any thread.
TEST(Sha256, OneShotAndStreamingAgreeOnEveryLengthFromManyThreads) {
  const CryptoSuite& suite = ed25519_sha256();
  auto check = [&suite](uint8_t salt) {
    Bytes data;
    for (size_t n = 0; n <= 300; ++n) {
      auto hasher = suite.new_hasher();
      hasher->update(data);
      if (suite.hash(data) != hasher->finish()) return false;
      data.push_back(static_cast<uint8_t>(n * 31 + salt));
    }
    return true;
  };
  std::vector<std::future<bool>> runs;
  for (uint8_t t = 0; t < 4; ++t) runs.push_back(std::async(std::launch::async, check, t));
  for (auto& run : runs) EXPECT_TRUE(run.get());
}

// --- SM3: GB/T 32905-2016 Appendix A ---------------------------------------------------------

TEST(Sm3GbT32905, MatchesPublishedDigests) {
  const CryptoSuite& suite = sm2_sm3();
  EXPECT_EQ(to_hex(suite.hash(as_bytes("abc"))),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string sixteen_abcd;
  for (int i = 0; i < 16; ++i) sixteen_abcd += "abcd";
  EXPECT_EQ(to_hex(suite.hash(as_bytes(sixteen_abcd))),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm3, HashPartsEqualsHashOfConcatenation) {
  const CryptoSuite& suite = sm2_sm3();
  std::string_view whole = "prescription 42: amoxicillin 500mg";
  EXPECT_EQ(suite.hash_parts({as_bytes(whole.substr(0, 13)), as_bytes(whole.substr(13))}),
            suite.hash(as_bytes(whole)));
}

// --- Incremental hashing: what a streamed ledger image is hashed with ---------------------------

class HasherTest : public ::testing::TestWithParam<const CryptoSuite*> {};

TEST_P(HasherTest, HashingInPiecesEqualsHashingAtOnce) {
  const CryptoSuite& suite = *GetParam();
  std::string whole(200'003, '\0');
  for (size_t i = 0; i < whole.size(); ++i) whole[i] = static_cast<char>((i * 131 + 7) % 251);
  // Pieces straddling the 64-byte block boundary of both hashes, an empty one, and a long one.
  const size_t cuts[] = {0, 1, 1, 63, 64, 65, 1000, 100'000, whole.size()};
  std::unique_ptr<Hasher> hasher = suite.new_hasher();
  for (size_t i = 1; i < std::size(cuts); ++i) {
    hasher->update(as_bytes(std::string_view(whole).substr(cuts[i - 1], cuts[i] - cuts[i - 1])));
  }
  EXPECT_EQ(hasher->finish(), suite.hash(as_bytes(whole)));
}

TEST_P(HasherTest, GivesThePublishedDigestOfAbc) {
  const CryptoSuite& suite = *GetParam();
  std::unique_ptr<Hasher> hasher = suite.new_hasher();
  hasher->update(as_bytes("a"));
  hasher->update(as_bytes("bc"));
  const std::string expected =
      &suite == &ed25519_sha256()
          ? "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
          : "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
  EXPECT_EQ(to_hex(hasher->finish()), expected);
}

TEST_P(HasherTest, HashersAreIndependent) {
  const CryptoSuite& suite = *GetParam();
  std::unique_ptr<Hasher> first = suite.new_hasher();
  std::unique_ptr<Hasher> second = suite.new_hasher();
  first->update(as_bytes("left"));
  second->update(as_bytes("right"));
  EXPECT_EQ(first->finish(), suite.hash(as_bytes("left")));
  EXPECT_EQ(second->finish(), suite.hash(as_bytes("right")));
}

INSTANTIATE_TEST_SUITE_P(BothSuites, HasherTest, ::testing::Values(&ed25519_sha256(), &sm2_sm3()),
                         [](const ::testing::TestParamInfo<const CryptoSuite*>& info) {
                           return info.param == &ed25519_sha256() ? "Sha256" : "Sm3";
                         });

// --- SM2: GB/T 32918 with SM3 and the default identifier "1234567812345678" ----------------

// GB/T 32918.5-2017 / GM/T 0003.5-2012 Annex A: recommended curve, default identifier, message
// "message digest". Secret, r and s as in OpenSSL's test/sm2_internal_test.c (sm2_sig_test);
// the public key is the standard's sample P_A. Since Z_A hashes the identifier, this signature
// only verifies if the identifier is "1234567812345678".
constexpr char kSm2KatSecret[] = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
constexpr char kSm2KatPublicKey[] =
    "04"
    "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";
constexpr char kSm2KatSignature[] =
    "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
    "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa";
// The SM2 group order n.
constexpr char kSm2Order[] = "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123";

// Verifies an r||s signature with OpenSSL directly under an arbitrary distinguishing identifier,
// independently of the suite's own verify.
bool openssl_sm2_verify(ByteView public_key, ByteView message, ByteView r_s, std::string id) {
  std::string group = "SM2";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(public_key.data()), public_key.size()),
      OSSL_PARAM_construct_end()};
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw_key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return false;
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw_key, EVP_PKEY_free);
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  ECDSA_SIG_set0(sig.get(), BN_bin2bn(r_s.data(), 32, nullptr),
                 BN_bin2bn(r_s.data() + 32, 32, nullptr));
  uint8_t der[80];
  uint8_t* cursor = der;
  int der_size = i2d_ECDSA_SIG(sig.get(), &cursor);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(md.get(), &pctx, EVP_sm3(), nullptr, key.get()) == 1 &&
            EVP_PKEY_CTX_set1_id(pctx, id.data(), static_cast<int>(id.size())) > 0 &&
            EVP_DigestVerify(md.get(), der, der_size, message.data(), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

TEST(Sm2Gbt32918Kat, DerivesTheSamplePublicKey) {
  Result<KeyPair> key = sm2_sm3().keypair_from_secret(unhex(kSm2KatSecret));
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  EXPECT_EQ(to_hex(key->public_key), kSm2KatPublicKey);
  EXPECT_EQ(key->suite, kSuiteSm2Sm3);
}

TEST(Sm2Gbt32918Kat, VerifiesTheSampleSignatureWithTheDefaultIdentifier) {
  const CryptoSuite& suite = sm2_sm3();
  Bytes public_key = unhex(kSm2KatPublicKey);
  Bytes signature = unhex(kSm2KatSignature);
  EXPECT_TRUE(suite.verify(public_key, as_bytes("message digest"), signature));
  EXPECT_FALSE(suite.verify(public_key, as_bytes("message digesT"), signature));
  EXPECT_FALSE(suite.verify(public_key, as_bytes("message digest"), flip_bit(signature, 31)));
}

TEST(Sm2, SignaturesAreBoundToTheDefaultDistinguishingIdentifier) {
  const CryptoSuite& suite = sm2_sm3();
  KeyPair key = *suite.generate_keypair();
  Bytes message = to_bytes("dispense: patient 7, 2 tablets");
  Bytes signature = *suite.sign(key, message);
  EXPECT_TRUE(openssl_sm2_verify(key.public_key, message, signature, "1234567812345678"));
  EXPECT_FALSE(openssl_sm2_verify(key.public_key, message, signature, "ALICE123@YAHOO.COM"));
  EXPECT_FALSE(openssl_sm2_verify(key.public_key, message, signature, ""));
  // And the cross-check itself is sound: it accepts the standard's sample.
  EXPECT_TRUE(openssl_sm2_verify(unhex(kSm2KatPublicKey), as_bytes("message digest"),
                                 unhex(kSm2KatSignature), "1234567812345678"));
}

TEST(Sm2, SignThenVerifyRoundTrips) {
  const CryptoSuite& suite = sm2_sm3();
  Result<KeyPair> key = suite.generate_keypair();
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  EXPECT_EQ(key->public_key.size(), 65u);
  EXPECT_EQ(key->public_key[0], 0x04);
  EXPECT_EQ(key->secret.size(), 32u);
  for (std::string_view text : {"", "x", "dispense: patient 7, 2 tablets"}) {
    Result<Bytes> signature = suite.sign(*key, as_bytes(text));
    ASSERT_TRUE(signature.ok()) << signature.status().to_string();
    EXPECT_EQ(signature->size(), 64u);
    EXPECT_TRUE(suite.verify(key->public_key, as_bytes(text), *signature)) << text;
  }
}

TEST(Sm2, ModifiedMessageKeyOrSignatureIsRejected) {
  const CryptoSuite& suite = sm2_sm3();
  KeyPair key = *suite.generate_keypair();
  Bytes message = to_bytes("dispense: patient 7, 2 tablets");
  Bytes signature = *suite.sign(key, message);
  ASSERT_TRUE(suite.verify(key.public_key, message, signature));
  EXPECT_FALSE(suite.verify(key.public_key, flip_bit(message, 3), signature));
  EXPECT_FALSE(suite.verify(key.public_key, flip_bit(message, 3, 0x80), signature));
  EXPECT_FALSE(suite.verify(flip_bit(key.public_key, 10), message, signature));
  EXPECT_FALSE(suite.verify(flip_bit(key.public_key, 64), message, signature));
  EXPECT_FALSE(suite.verify(key.public_key, message, flip_bit(signature, 0)));
  EXPECT_FALSE(suite.verify(key.public_key, message, flip_bit(signature, 63)));
  KeyPair other = *suite.generate_keypair();
  EXPECT_FALSE(suite.verify(other.public_key, message, signature));
}

TEST(Sm2, MalformedKeysAndSignaturesAreRejectedWithoutThrowing) {
  const CryptoSuite& suite = sm2_sm3();
  Bytes public_key = unhex(kSm2KatPublicKey);
  Bytes signature = unhex(kSm2KatSignature);
  Bytes message = to_bytes("message digest");
  ASSERT_TRUE(suite.verify(public_key, message, signature));

  EXPECT_FALSE(suite.verify(public_key, message, Bytes(signature.begin(), signature.end() - 1)));
  Bytes longer_signature = signature;
  longer_signature.push_back(0);
  EXPECT_FALSE(suite.verify(public_key, message, longer_signature));
  EXPECT_FALSE(suite.verify(Bytes(public_key.begin() + 1, public_key.end()), message, signature));
  EXPECT_FALSE(suite.verify({}, message, {}));
  // Compressed-point prefix on an uncompressed-length key.
  Bytes wrong_prefix = public_key;
  wrong_prefix[0] = 0x02;
  EXPECT_FALSE(suite.verify(wrong_prefix, message, signature));
  // (0, 0) is not on the curve (b != 0).
  Bytes off_curve(65, 0);
  off_curve[0] = 0x04;
  EXPECT_FALSE(suite.verify(off_curve, message, signature));
  // r and s must lie in [1, n-1].
  Bytes zero_r = signature;
  std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
  EXPECT_FALSE(suite.verify(public_key, message, zero_r));
  Bytes s_is_order = signature;
  Bytes order = unhex(kSm2Order);
  std::copy(order.begin(), order.end(), s_is_order.begin() + 32);
  EXPECT_FALSE(suite.verify(public_key, message, s_is_order));
  EXPECT_FALSE(suite.verify(public_key, message, Bytes(64, 0xff)));
}

TEST(Sm2, KeypairFromSecretReproducesTheGeneratedPublicKey) {
  const CryptoSuite& suite = sm2_sm3();
  KeyPair key = *suite.generate_keypair();
  Result<KeyPair> rebuilt = suite.keypair_from_secret(key.secret.view());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().to_string();
  EXPECT_EQ(rebuilt->public_key, key.public_key);
  EXPECT_EQ(Bytes(rebuilt->secret.view().begin(), rebuilt->secret.view().end()),
            Bytes(key.secret.view().begin(), key.secret.view().end()));
}

TEST(Sm2, GeneratedKeysDiffer) {
  const CryptoSuite& suite = sm2_sm3();
  KeyPair a = *suite.generate_keypair();
  KeyPair b = *suite.generate_keypair();
  EXPECT_NE(a.public_key, b.public_key);
}

TEST(Sm2, SecretOutsideOneToOrderMinusTwoIsRejected) {
  const CryptoSuite& suite = sm2_sm3();
  Bytes order = unhex(kSm2Order);
  Bytes order_minus_1 = order;
  order_minus_1.back() -= 1;
  Bytes order_minus_2 = order;
  order_minus_2.back() -= 2;
  Bytes one(32, 0);
  one.back() = 1;
  for (const Bytes& bad :
       {Bytes(32, 0), order_minus_1, order, Bytes(32, 0xff), Bytes(31, 1), Bytes(33, 1)}) {
    EXPECT_EQ(suite.keypair_from_secret(bad).status().code(), "bad_key") << to_hex(bad);
  }
  EXPECT_TRUE(suite.keypair_from_secret(one).ok());
  EXPECT_TRUE(suite.keypair_from_secret(order_minus_2).ok());
}

TEST(Sm2, SigningWithAMismatchedPublicKeyIsRefused) {
  const CryptoSuite& suite = sm2_sm3();
  KeyPair key = *suite.generate_keypair();
  key.public_key = suite.generate_keypair()->public_key;
  EXPECT_EQ(suite.sign(key, as_bytes("m")).status().code(), "bad_key");
  KeyPair ed_key = *ed25519_sha256().generate_keypair();
  EXPECT_EQ(suite.sign(ed_key, as_bytes("m")).status().code(), "bad_key");
}

TEST(Sm2, SignAndVerifyAreSafeFromManyThreads) {
  const CryptoSuite& suite = sm2_sm3();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&suite, &failures, t] {
      for (int i = 0; i < 10; ++i) {
        Result<KeyPair> key = suite.generate_keypair();
        std::string message = "thread " + std::to_string(t) + " message " + std::to_string(i);
        Result<Bytes> signature = key.ok() ? suite.sign(*key, as_bytes(message)) : key.status();
        if (!signature.ok() || !suite.verify(key->public_key, as_bytes(message), *signature)) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace medtrail::ledger
