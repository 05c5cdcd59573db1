// Self-signed Ed25519 TLS identities and their RFC 7469 SPKI pins, via OpenSSL 3.

#include "medtrail/ledger/tls_identity.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <climits>
#include <memory>

#include "exclusive_file.h"

namespace medtrail::ledger {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
void free_bio(BIO* b) { BIO_free_all(b); }
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, free_bio>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

// CN is an ub-common-name of 64 characters (RFC 5280 Appendix A).
constexpr size_t kMaxCommonName = 64;
constexpr int kMaxValidDays = 36500;
// Certificates are parsed from config files and handshakes; nothing legitimate is this large.
constexpr size_t kMaxCertificateSize = 64 * 1024;

Status crypto_error(const std::string& what) { return Status::error("crypto_error", what); }

Result<std::string> bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0 || (n > 0 && data == nullptr)) return crypto_error("cannot read PEM buffer");
  return std::string(data, static_cast<size_t>(n));
}

Status set_random_serial(X509* cert) {
  // 16 random bytes: unique per certificate without a registry (RFC 5280 §4.1.2.2 allows up
  // to 20 octets); the top bit is cleared so the INTEGER stays positive.
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return crypto_error("RAND_bytes failed");
  raw[0] &= 0x7f;
  raw[0] |= 0x01;  // keep the full length, so no leading-zero normalisation happens
  BignumPtr bn(BN_bin2bn(raw, sizeof(raw), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return crypto_error("cannot set serial number");
  }
  return Status::ok_status();
}

Status set_names(X509* cert, std::string_view common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return crypto_error("cannot set subject name");
  }
  // Self-signed: the issuer is the subject.
  if (X509_set_issuer_name(cert, name) != 1) return crypto_error("cannot set issuer name");
  return Status::ok_status();
}

Status add_basic_constraints(X509* cert) {
  // CA:FALSE: a leaf pinned by its key must not be usable to vouch for anything else.
  ExtensionPtr ext(
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:FALSE"));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return crypto_error("cannot add basicConstraints");
  }
  return Status::ok_status();
}

Result<Hash> spki_sha256_of(X509* cert) {
  X509_PUBKEY* spki = X509_get_X509_PUBKEY(cert);
  if (spki == nullptr) return Status::error("bad_certificate", "certificate has no public key");
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(spki, &der);
  if (len <= 0 || der == nullptr) return Status::error("bad_certificate", "cannot encode key");
  // SHA-256 whatever the chain's crypto suite: pins are a TLS concern (RFC 7469 §2.4).
  Hash out{};
  SHA256(der, static_cast<size_t>(len), out.data());
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<TlsIdentity> generate_tls_identity(std::string_view common_name, int valid_days) {
  if (common_name.empty() || common_name.size() > kMaxCommonName) {
    return Status::error("invalid_argument", "common name must be 1..64 characters");
  }
  if (valid_days < 1 || valid_days > kMaxValidDays) {
    return Status::error("invalid_argument", "valid_days must be 1..36500");
  }

  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return crypto_error("Ed25519 key generation failed");

  X509Ptr cert(X509_new());
  if (!cert) return crypto_error("X509_new failed");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return crypto_error("cannot set version");
  MEDTRAIL_RETURN_IF_ERROR(set_random_serial(cert.get()));
  MEDTRAIL_RETURN_IF_ERROR(set_names(cert.get(), common_name));
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, 0, nullptr) == nullptr) {
    return crypto_error("cannot set validity");
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return crypto_error("cannot set public key");
  MEDTRAIL_RETURN_IF_ERROR(add_basic_constraints(cert.get()));
  // Ed25519 signs the message itself (RFC 8032 PureEdDSA): no separate digest, hence NULL.
  if (X509_sign(cert.get(), key.get(), nullptr) <= 0)
    return crypto_error("cannot sign certificate");

  TlsIdentity id;
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return crypto_error("cannot write certificate PEM");
  }
  Result<std::string> cert_pem = bio_contents(cert_bio.get());
  if (!cert_pem.ok()) return cert_pem.status();
  id.certificate_pem = std::move(*cert_pem);

  // Secure-heap BIO: the key's PEM is cleansed when the buffer is freed.
  BioPtr key_bio(BIO_new(BIO_s_secmem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                           nullptr) != 1) {
    return crypto_error("cannot write private key PEM");
  }
  Result<std::string> key_pem = bio_contents(key_bio.get());
  if (!key_pem.ok()) return key_pem.status();
  id.private_key_pem = std::move(*key_pem);

  Result<Hash> spki = spki_sha256_of(cert.get());
  if (!spki.ok()) return crypto_error(spki.status().message());
  id.spki_sha256 = *spki;
  return id;
}

Result<Hash> certificate_spki_sha256(std::string_view certificate_pem) {
  if (certificate_pem.empty() || certificate_pem.size() > kMaxCertificateSize) {
    return Status::error("bad_certificate", "not a PEM certificate");
  }
  BioPtr bio(BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  if (!bio) return crypto_error("BIO_new_mem_buf failed");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::error("bad_certificate", "not a PEM certificate");
  return spki_sha256_of(cert.get());
}

Result<Hash> certificate_der_spki_sha256(ByteView certificate_der) {
  if (certificate_der.empty() || certificate_der.size() > kMaxCertificateSize) {
    return Status::error("bad_certificate", "not a DER certificate");
  }
  const unsigned char* p = certificate_der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(certificate_der.size())));
  // Trailing bytes would mean the pin covers something other than what was handed over.
  if (!cert || p != certificate_der.data() + certificate_der.size()) {
    return Status::error("bad_certificate", "not a DER certificate");
  }
  return spki_sha256_of(cert.get());
}

Status save_tls_identity(const std::string& dir, const std::string& stem, const TlsIdentity& id) {
  std::string base = dir.empty() ? stem : dir + "/" + stem;
  // Key first: if it already exists we stop before touching the certificate, so a half-written
  // pair never replaces a working one.
  MEDTRAIL_RETURN_IF_ERROR(detail::write_new_file(base + ".key", id.private_key_pem, 0600));
  Status cert = detail::write_new_file(base + ".crt", id.certificate_pem, 0644);
  if (!cert.ok()) {
    // Leave no orphan key that would block a retry with file_exists.
    ::unlink((base + ".key").c_str());
    return cert;
  }
  return Status::ok_status();
}

Status read_tls_private_key(const std::string& path, std::string& pem) {
  constexpr size_t kMaxPrivateKeyPemBytes = 64 * 1024;
  return detail::read_private_file(path, kMaxPrivateKeyPemBytes, pem);
}

}  // namespace medtrail::ledger
