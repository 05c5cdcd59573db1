#pragma once
// The prime-order group of RFC 9497 §4.1 (ristretto255 with SHA-512) over libsodium, and the
// hashing that binds every value to the mode's contextString. Internal to the OPRF files.

#include <array>
#include <string>
#include <string_view>

#include "medtrail/ledger/oprf.h"

namespace medtrail::ledger::oprf {

using Scalar = std::array<uint8_t, kOprfScalarSize>;

// A scalar holding a secret (a key, a blind, a proof nonce): wiped when it leaves scope.
class SecretScalar {
 public:
  SecretScalar() = default;
  SecretScalar(const SecretScalar&) = delete;
  SecretScalar& operator=(const SecretScalar&) = delete;
  ~SecretScalar();
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }

 private:
  Scalar bytes_{};
};

// RFC 9497 §3.1: "OPRFV1-" || I2OSP(mode, 1) || "-" || "ristretto255-SHA512".
std::string context_string(OprfMode mode);

// RFC 9380 §5.3.1 with SHA-512; `out` at most 255 * 64 bytes, `dst` at most 255 bytes.
Status expand_message_xmd(ByteView msg, std::string_view dst, std::span<uint8_t> out);
// RFC 9497 §4.1 HashToScalar: 64 uniform bytes reduced modulo the group order.
Status hash_to_scalar(ByteView msg, std::string_view dst, uint8_t* out);
Status hash_to_scalar(OprfMode mode, ByteView msg, Scalar& out);
// hash_to_ristretto255 (RFC 9380 App. B); error `oprf_invalid_input` when it yields the identity.
Result<OprfElement> hash_to_group(OprfMode mode, ByteView input);

// Exactly 32 bytes, below the group order and (unless `allow_zero`) nonzero: `oprf_bad_scalar`.
Status check_scalar(ByteView bytes, bool allow_zero = false);
bool is_canonical_scalar(const uint8_t* bytes);
// A canonical encoding of a non-identity element: `oprf_bad_element`.
Status check_element(const OprfElement& element);
Status check_elements(std::span<const OprfElement> elements);
// At most kOprfMaxInputSize bytes: `oprf_input_too_long`.
Status check_input(ByteView input);
// 1..kOprfMaxBatch elements: `oprf_batch_empty`, `oprf_batch_too_large`.
Status check_batch_size(size_t size);

// Products of validated elements; a zero product is returned as the identity encoding (all
// zeros), which composite sums must be able to carry (RFC 9497 §2.2.1 starts them at Identity()).
OprfElement scalar_mult(const uint8_t* scalar, const OprfElement& element);
OprfElement scalar_mult_base(const uint8_t* scalar);
OprfElement add(const OprfElement& a, const OprfElement& b);
bool is_identity(const OprfElement& element);

// I2OSP(len(data), 2) || data, the framing every RFC 9497 transcript uses.
void append_framed(Bytes& out, ByteView data);
void append_u16(Bytes& out, size_t value);
void append_text(Bytes& out, std::string_view text);

}  // namespace medtrail::ledger::oprf
