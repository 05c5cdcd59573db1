// Suite "ed25519-sha256": Ed25519 detached signatures (RFC 8032) and SHA-256, via libsodium;
// one-shot SHA-256 through OpenSSL (below).

// OpenSSL 3 deprecates the SHA256_* calls in favour of EVP (below says why they are used).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>

#include "medtrail/ledger/crypto_suite.h"

namespace medtrail::ledger {
namespace {

class Sha256Hasher final : public Hasher {
 public:
  Sha256Hasher() { crypto_hash_sha256_init(&state_); }
  void update(ByteView data) override {
    crypto_hash_sha256_update(&state_, data.data(), data.size());
  }
  Hash finish() override {
    Hash out;
    crypto_hash_sha256_final(&state_, out.data());
    return out;
  }

 private:
  crypto_hash_sha256_state state_;
};

// One-shot SHA-256 through OpenSSL, which uses the CPU's SHA extensions where it has them:
// about 2.5 times libsodium's portable code on the short inputs of Merkle and state-map hashing
// (docs/benchmarks.md, "SHA-256 through OpenSSL"). Through SHA256_* rather than EVP: EVP's
// provider dispatch and context reset cost about as much again as hashing a 65-byte message
// (174–260 ns a message through EVP_DigestInit_ex2, 121–145 ns so, in a standalone loop), and the
// state map hashes a few such messages per key it changes. The calls are deprecated in OpenSSL 3
// but kept in all of it (Debian 12's); they allocate nothing and cannot fail (each returns 1).
Hash openssl_sha256(std::initializer_list<ByteView> parts) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (ByteView part : parts) SHA256_Update(&ctx, part.data(), part.size());
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

class Ed25519Sha256 final : public CryptoSuite {
 public:
  Ed25519Sha256() {
    // sodium_init is idempotent and thread-safe; without it randombytes may not be seeded.
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }

  std::string_view name() const override { return kSuiteEd25519Sha256; }
  size_t public_key_size() const override { return crypto_sign_PUBLICKEYBYTES; }
  size_t signature_size() const override { return crypto_sign_BYTES; }

  Hash hash_parts(std::initializer_list<ByteView> parts) const override {
    return openssl_sha256(parts);
  }

  std::unique_ptr<Hasher> new_hasher() const override { return std::make_unique<Sha256Hasher>(); }

  Result<KeyPair> generate_keypair() const override {
    SecureBytes seed(crypto_sign_SEEDBYTES);
    randombytes_buf(seed.data(), seed.size());
    return keypair_from_secret(seed.view());
  }

  Result<KeyPair> keypair_from_secret(ByteView secret) const override {
    if (secret.size() != crypto_sign_SEEDBYTES) {
      return Status::error("bad_key", "an ed25519 secret is a 32-byte seed");
    }
    KeyPair key;
    key.suite = std::string(name());
    key.public_key.resize(crypto_sign_PUBLICKEYBYTES);
    SecureBytes expanded(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(key.public_key.data(), expanded.data(), secret.data());
    key.secret = SecureBytes(secret);
    return key;
  }

  Result<Bytes> sign(const KeyPair& key, ByteView message) const override {
    if (key.suite != name() || key.secret.size() != crypto_sign_SEEDBYTES) {
      return Status::error("bad_key", "not an ed25519-sha256 key pair");
    }
    // libsodium signs with the 64-byte expanded key (seed || public key).
    SecureBytes expanded(crypto_sign_SECRETKEYBYTES);
    Bytes public_key(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_seed_keypair(public_key.data(), expanded.data(), key.secret.data());
    Bytes signature(crypto_sign_BYTES);
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                         expanded.data());
    return signature;
  }

  bool verify(ByteView public_key, ByteView message, ByteView signature) const override {
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES ||
        signature.size() != crypto_sign_BYTES) {
      return false;
    }
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       public_key.data()) == 0;
  }
};

}  // namespace

const CryptoSuite& ed25519_sha256() {
  static const Ed25519Sha256 suite;
  return suite;
}

}  // namespace medtrail::ledger
