#pragma once
// TLS identities for peer links and the API: an Ed25519 key and a self-signed X.509 certificate,
// both PEM. Peers are authenticated by pinning the certificate's key (SHA-256 of its DER
// SubjectPublicKeyInfo, as in RFC 7469), not by a CA, so a consortium needs no PKI of its own.

#include <string>
#include <string_view>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;  // PKCS#8, unencrypted: store with mode 0600
  Hash spki_sha256{};
};

// A fresh Ed25519 key and a self-signed certificate with subject CN=`common_name`, valid from
// now for `valid_days` (1..36500). Errors: `invalid_argument`, `crypto_error`.
Result<TlsIdentity> generate_tls_identity(std::string_view common_name, int valid_days = 3650);
// SHA-256 of the DER SubjectPublicKeyInfo of the certificate in `certificate_pem`.
// Errors: `bad_certificate`.
Result<Hash> certificate_spki_sha256(std::string_view certificate_pem);
// Same, for a DER certificate (what a TLS handshake hands over).
Result<Hash> certificate_der_spki_sha256(ByteView certificate_der);
// Writes the pair as `<dir>/<stem>.crt` (0644) and `<dir>/<stem>.key` (0600, O_EXCL: never
// overwrites). Errors: `file_exists`, `io_error`.
Status save_tls_identity(const std::string& dir, const std::string& stem, const TlsIdentity& id);
// The PEM private key at `path`, read as every key file is: a regular file, not accessible to
// group or others, at most 64 KiB. The caller wipes `pem` (wipe_string) once its TLS context
// holds the key. Errors: `insecure_permissions` (with the chmod that fixes it), `bad_key_file`,
// `io_error`.
Status read_tls_private_key(const std::string& path, std::string& pem);

}  // namespace medtrail::ledger
