#pragma once
// A crypto suite fixes the hash and the signature scheme of a chain. Two exist:
//   "ed25519-sha256" — Ed25519 (RFC 8032, libsodium) with SHA-256. The default.
//   "sm2-sm3"        — SM2 signatures (GB/T 32918, distinguishing id "1234567812345678",
//                      GM/T 0009) with the SM3 hash (GB/T 32905), through OpenSSL 3 EVP.
// Suites are stateless singletons and safe to use from any thread.

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::string_view kSuiteEd25519Sha256 = "ed25519-sha256";
inline constexpr std::string_view kSuiteSm2Sm3 = "sm2-sm3";

struct KeyPair {
  std::string suite;
  Bytes public_key;    // Ed25519: 32 bytes. SM2: 65 bytes, uncompressed point 04||X||Y.
  SecureBytes secret;  // Ed25519: the 32-byte seed. SM2: the 32-byte private scalar.
};

// The suite's hash over a message fed in pieces (an image streamed from disk): finish() gives
// what hash() gives for the concatenation. One message per hasher; not thread-safe.
class Hasher {
 public:
  virtual ~Hasher() = default;
  virtual void update(ByteView data) = 0;
  // The digest. The hasher is spent: update and finish must not be called again.
  virtual Hash finish() = 0;
};

class CryptoSuite {
 public:
  virtual ~CryptoSuite() = default;

  virtual std::string_view name() const = 0;

  // H over the concatenation of `parts` (lets Merkle hashing avoid copies).
  virtual Hash hash_parts(std::initializer_list<ByteView> parts) const = 0;
  Hash hash(ByteView data) const { return hash_parts({data}); }
  virtual std::unique_ptr<Hasher> new_hasher() const = 0;

  virtual Result<KeyPair> generate_keypair() const = 0;
  // Rebuilds the pair (derives the public key) from a stored secret.
  virtual Result<KeyPair> keypair_from_secret(ByteView secret) const = 0;
  // Ed25519: 64-byte detached signature. SM2: 64 bytes r||s (fixed width, big-endian),
  // which keeps signatures canonical rather than DER's several encodings of one value.
  virtual Result<Bytes> sign(const KeyPair& key, ByteView message) const = 0;
  // False for any malformed key or signature; never throws.
  virtual bool verify(ByteView public_key, ByteView message, ByteView signature) const = 0;

  virtual size_t public_key_size() const = 0;
  virtual size_t signature_size() const = 0;

  // Display fingerprint: first 16 hex characters of H(public key). Not a security boundary.
  std::string key_id(ByteView public_key) const;
};

// nullptr for an unknown name.
const CryptoSuite* find_suite(std::string_view name);
const CryptoSuite& default_suite();
const CryptoSuite& ed25519_sha256();
const CryptoSuite& sm2_sm3();

}  // namespace medtrail::ledger
