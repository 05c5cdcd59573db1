// Suite "sm2-sm3": SM2 signatures with SM3 and SM3 hashing, via OpenSSL 3 EVP.
// TODO(helper): SM2 key generation, signing and verification are being implemented.

#include <openssl/evp.h>

#include <stdexcept>

#include "medtrail/ledger/crypto_suite.h"

namespace medtrail::ledger {
namespace {

class Sm2Sm3 final : public CryptoSuite {
 public:
  std::string_view name() const override { return kSuiteSm2Sm3; }
  size_t public_key_size() const override { return 65; }
  size_t signature_size() const override { return 64; }

  Hash hash_parts(std::initializer_list<ByteView> parts) const override {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    Hash out;
    unsigned int len = 0;
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sm3(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx);
      throw std::runtime_error("OpenSSL SM3 unavailable");
    }
    for (ByteView part : parts) EVP_DigestUpdate(ctx, part.data(), part.size());
    EVP_DigestFinal_ex(ctx, out.data(), &len);
    EVP_MD_CTX_free(ctx);
    return out;
  }

  Result<KeyPair> generate_keypair() const override { return unimplemented(); }
  Result<KeyPair> keypair_from_secret(ByteView) const override { return unimplemented(); }
  Result<Bytes> sign(const KeyPair&, ByteView) const override { return unimplemented(); }
  bool verify(ByteView, ByteView, ByteView) const override { return false; }

 private:
  static Status unimplemented() { return Status::error("unimplemented", "SM2 pending"); }
};

}  // namespace

const CryptoSuite& sm2_sm3() {
  static const Sm2Sm3 suite;
  return suite;
}

}  // namespace medtrail::ledger
