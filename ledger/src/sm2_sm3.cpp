// Suite "sm2-sm3": SM2 signatures (GB/T 32918.2) over the SM3 hash (GB/T 32905), via OpenSSL 3.
// Every call builds its own OpenSSL objects, so the suite holds no mutable state.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "medtrail/ledger/crypto_suite.h"

namespace medtrail::ledger {
namespace {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
template <typename T, auto Free>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<Free>>;

// BN_clear_free for every BIGNUM: some of them hold private scalars.
using BnPtr = OpenSslPtr<BIGNUM, BN_clear_free>;
using BnCtxPtr = OpenSslPtr<BN_CTX, BN_CTX_free>;
using EcGroupPtr = OpenSslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = OpenSslPtr<EC_POINT, EC_POINT_free>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using ParamBldPtr = OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;

constexpr size_t kScalarSize = 32;
constexpr size_t kPublicKeySize = 65;  // 04 || X || Y
constexpr size_t kSignatureSize = 64;  // r || s
// DER SEQUENCE of two INTEGERs of at most 33 bytes each.
constexpr size_t kMaxDerSignatureSize = 72;
// GM/T 0009-2012 §10: the default user identity, hashed into Z_A before the message.
constexpr std::string_view kDistinguishingId = "1234567812345678";

// Drops OpenSSL's thread-local error queue so a failure here does not surface elsewhere.
Status openssl_error(std::string what) {
  unsigned long code = ERR_peek_last_error();
  char detail[256] = "no detail";
  if (code != 0) ERR_error_string_n(code, detail, sizeof(detail));
  ERR_clear_error();
  return Status::error("crypto_error", what + " (" + detail + ")");
}

EcGroupPtr sm2_group() { return EcGroupPtr(EC_GROUP_new_by_curve_name(NID_sm2)); }

// GB/T 32918.1 §6.1 takes d in [1, n-2]: signing inverts (1 + d) mod n, so d = n-1 is unusable.
Result<BnPtr> scalar_from_secret(ByteView secret) {
  if (secret.size() != kScalarSize) {
    return Status::error("bad_key", "an SM2 secret is a 32-byte big-endian scalar");
  }
  EcGroupPtr group = sm2_group();
  BnPtr d(BN_secure_new());
  BnPtr limit(group ? BN_dup(EC_GROUP_get0_order(group.get())) : nullptr);
  if (!d || !limit || BN_bin2bn(secret.data(), kScalarSize, d.get()) == nullptr ||
      BN_sub_word(limit.get(), 1) != 1) {
    return openssl_error("cannot load the SM2 scalar");
  }
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), limit.get()) >= 0) {
    return Status::error("bad_key", "an SM2 private scalar must lie in [1, n-2]");
  }
  return d;
}

Result<Bytes> public_key_from_scalar(const BIGNUM* d) {
  EcGroupPtr group = sm2_group();
  BnCtxPtr bn_ctx(BN_CTX_secure_new());
  EcPointPtr point(group ? EC_POINT_new(group.get()) : nullptr);
  Bytes public_key(kPublicKeySize);
  if (!bn_ctx || !point ||
      EC_POINT_mul(group.get(), point.get(), d, nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, public_key.data(),
                         public_key.size(), bn_ctx.get()) != kPublicKeySize) {
    return openssl_error("cannot derive the SM2 public key");
  }
  return public_key;
}

// An SM2 EVP_PKEY: a key pair when `d` is given, else public only. Import rejects points that
// are not on the curve.
PkeyPtr make_pkey(const BIGNUM* d, ByteView public_key) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_sm2, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key.data(),
                                       public_key.size()) != 1 ||
      (d != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d) != 1)) {
    return nullptr;
  }
  // d is a secure BIGNUM, so the builder puts it in the secure area OSSL_PARAM_free clears.
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return nullptr;
  }
  return PkeyPtr(raw);
}

// A digest-sign or digest-verify context with SM3 and the default distinguishing identifier
// set explicitly, so Z_A does not depend on the OpenSSL version's default.
MdCtxPtr start_sm2_digest(EVP_PKEY* pkey, bool for_signing) {
  MdCtxPtr md_ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by md_ctx
  if (!md_ctx) return nullptr;
  int init = for_signing ? EVP_DigestSignInit(md_ctx.get(), &pkey_ctx, EVP_sm3(), nullptr, pkey)
                         : EVP_DigestVerifyInit(md_ctx.get(), &pkey_ctx, EVP_sm3(), nullptr, pkey);
  if (init != 1 || pkey_ctx == nullptr ||
      EVP_PKEY_CTX_set1_id(pkey_ctx, kDistinguishingId.data(),
                           static_cast<int>(kDistinguishingId.size())) <= 0) {
    return nullptr;
  }
  return md_ctx;
}

bool bn_to_fixed(const BIGNUM* v, uint8_t* out) {
  return BN_num_bytes(v) <= 32 && BN_bn2binpad(v, out, 32) == 32;
}

// OpenSSL's DER ECDSA-Sig-Value → fixed-width r || s.
Result<Bytes> der_to_fixed(const uint8_t* der, size_t der_size) {
  const uint8_t* cursor = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_size)));
  Bytes out(kSignatureSize);
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  if (sig) ECDSA_SIG_get0(sig.get(), &r, &s);
  if (!sig || cursor != der + der_size || !bn_to_fixed(r, out.data()) ||
      !bn_to_fixed(s, out.data() + 32)) {
    return openssl_error("unexpected SM2 signature encoding from OpenSSL");
  }
  return out;
}

// Fixed-width r || s → DER; empty on failure.
Bytes fixed_to_der(ByteView signature) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(signature.data(), 32, nullptr));
  BnPtr s(BN_bin2bn(signature.data() + 32, 32, nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return {};
  r.release();  // now owned by sig
  s.release();
  int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return {};
  Bytes der(static_cast<size_t>(size));
  uint8_t* cursor = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &cursor) != size) return {};
  return der;
}

class Sm3Hasher final : public Hasher {
 public:
  Sm3Hasher() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sm3(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL SM3 unavailable");
    }
  }
  void update(ByteView data) override { EVP_DigestUpdate(ctx_.get(), data.data(), data.size()); }
  Hash finish() override {
    Hash out;
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), out.data(), &len);
    return out;
  }

 private:
  MdCtxPtr ctx_;
};

class Sm2Sm3 final : public CryptoSuite {
 public:
  std::string_view name() const override { return kSuiteSm2Sm3; }
  size_t public_key_size() const override { return kPublicKeySize; }
  size_t signature_size() const override { return kSignatureSize; }

  Hash hash_parts(std::initializer_list<ByteView> parts) const override {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    Hash out;
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sm3(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL SM3 unavailable");
    }
    for (ByteView part : parts) EVP_DigestUpdate(ctx.get(), part.data(), part.size());
    EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
    return out;
  }

  std::unique_ptr<Hasher> new_hasher() const override { return std::make_unique<Sm3Hasher>(); }

  Result<KeyPair> generate_keypair() const override {
    EcGroupPtr group = sm2_group();
    BnPtr limit(group ? BN_dup(EC_GROUP_get0_order(group.get())) : nullptr);
    BnPtr d(BN_secure_new());
    SecureBytes secret(kScalarSize);
    // Uniform in [0, n-3], then shifted to [1, n-2].
    if (!limit || !d || BN_sub_word(limit.get(), 2) != 1 ||
        BN_priv_rand_range(d.get(), limit.get()) != 1 || BN_add_word(d.get(), 1) != 1 ||
        BN_bn2binpad(d.get(), secret.data(), kScalarSize) != kScalarSize) {
      return openssl_error("cannot generate an SM2 private scalar");
    }
    return keypair_from_secret(secret.view());
  }

  Result<KeyPair> keypair_from_secret(ByteView secret) const override {
    Result<BnPtr> d = scalar_from_secret(secret);
    if (!d.ok()) return d.status();
    Result<Bytes> public_key = public_key_from_scalar(d->get());
    if (!public_key.ok()) return public_key.status();
    return KeyPair{std::string(name()), std::move(public_key).value(), SecureBytes(secret)};
  }

  Result<Bytes> sign(const KeyPair& key, ByteView message) const override {
    if (key.suite != name()) return Status::error("bad_key", "not an sm2-sm3 key pair");
    Result<BnPtr> d = scalar_from_secret(key.secret.view());
    if (!d.ok()) return d.status();
    // Z_A hashes the public key, so it must be the one belonging to d.
    Result<Bytes> public_key = public_key_from_scalar(d->get());
    if (!public_key.ok()) return public_key.status();
    if (!key.public_key.empty() && key.public_key != *public_key) {
      return Status::error("bad_key", "the SM2 public key does not match the secret");
    }
    PkeyPtr pkey = make_pkey(d->get(), *public_key);
    if (!pkey) return openssl_error("cannot build the SM2 key");
    MdCtxPtr md_ctx = start_sm2_digest(pkey.get(), /*for_signing=*/true);
    uint8_t der[kMaxDerSignatureSize];
    size_t der_size = sizeof(der);
    if (!md_ctx || EVP_DigestSignUpdate(md_ctx.get(), message.data(), message.size()) != 1 ||
        EVP_DigestSignFinal(md_ctx.get(), der, &der_size) != 1) {
      return openssl_error("SM2 signing failed");
    }
    return der_to_fixed(der, der_size);
  }

  bool verify(ByteView public_key, ByteView message, ByteView signature) const override {
    if (public_key.size() != kPublicKeySize || public_key[0] != 0x04 ||
        signature.size() != kSignatureSize) {
      return false;
    }
    try {
      Bytes der = fixed_to_der(signature);
      PkeyPtr pkey = der.empty() ? nullptr : make_pkey(nullptr, public_key);
      MdCtxPtr md_ctx = pkey ? start_sm2_digest(pkey.get(), /*for_signing=*/false) : nullptr;
      bool ok = md_ctx &&
                EVP_DigestVerifyUpdate(md_ctx.get(), message.data(), message.size()) == 1 &&
                EVP_DigestVerifyFinal(md_ctx.get(), der.data(), der.size()) == 1;
      if (!ok) ERR_clear_error();
      return ok;
    } catch (...) {  // allocation failure: a verifier answers "no" rather than throwing
      ERR_clear_error();
      return false;
    }
  }
};

}  // namespace

const CryptoSuite& sm2_sm3() {
  static const Sm2Sm3 suite;
  return suite;
}

}  // namespace medtrail::ledger
