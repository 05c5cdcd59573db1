#include "oprf_group.h"

#include <sodium.h>

#include <algorithm>
#include <initializer_list>

namespace medtrail::ledger::oprf {
namespace {

constexpr size_t kHashSize = crypto_hash_sha512_BYTES;  // b_in_bytes
constexpr size_t kHashBlockSize = 128;                  // s_in_bytes
constexpr std::string_view kSuiteId = "ristretto255-SHA512";

// The group order 2^252 + 27742317777372353535851937790883648493, little-endian as scalars are.
constexpr Scalar kOrder = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                           0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

void sha512(std::initializer_list<ByteView> parts, uint8_t* out) {
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  for (ByteView part : parts) crypto_hash_sha512_update(&state, part.data(), part.size());
  crypto_hash_sha512_final(&state, out);
  sodium_memzero(&state, sizeof state);  // it has absorbed secret seeds and inputs
}

}  // namespace

SecretScalar::~SecretScalar() { sodium_memzero(bytes_.data(), bytes_.size()); }

std::string context_string(OprfMode mode) {
  std::string context = "OPRFV1-";
  context.push_back(static_cast<char>(mode));
  context += "-";
  context += kSuiteId;
  return context;
}

Status expand_message_xmd(ByteView msg, std::string_view dst, std::span<uint8_t> out) {
  const size_t ell = (out.size() + kHashSize - 1) / kHashSize;
  if (ell == 0 || ell > 255 || dst.size() > 255) {
    return Status::error("oprf_internal", "expand_message_xmd parameters out of range");
  }
  const std::array<uint8_t, kHashBlockSize> z_pad{};
  const std::array<uint8_t, 2> l_i_b_str = {static_cast<uint8_t>(out.size() >> 8),
                                            static_cast<uint8_t>(out.size())};
  const std::array<uint8_t, 1> dst_len = {static_cast<uint8_t>(dst.size())};
  const ByteView dst_bytes = as_bytes(dst);
  std::array<uint8_t, 1> zero = {0};

  std::array<uint8_t, kHashSize> b0, bi, chained;
  sha512({z_pad, msg, l_i_b_str, zero, dst_bytes, dst_len}, b0.data());
  std::array<uint8_t, 1> index = {1};
  sha512({b0, index, dst_bytes, dst_len}, bi.data());
  for (size_t i = 1;; ++i) {
    const size_t offset = (i - 1) * kHashSize;
    std::copy_n(bi.begin(), std::min(kHashSize, out.size() - offset), out.begin() + offset);
    if (i == ell) break;
    for (size_t j = 0; j < kHashSize; ++j) chained[j] = b0[j] ^ bi[j];
    index[0] = static_cast<uint8_t>(i + 1);
    sha512({chained, index, dst_bytes, dst_len}, bi.data());
  }
  sodium_memzero(b0.data(), b0.size());
  sodium_memzero(bi.data(), bi.size());
  sodium_memzero(chained.data(), chained.size());
  return Status::ok_status();
}

Status hash_to_scalar(ByteView msg, std::string_view dst, uint8_t* out) {
  std::array<uint8_t, 64> uniform;
  MEDTRAIL_RETURN_IF_ERROR(expand_message_xmd(msg, dst, uniform));
  crypto_core_ristretto255_scalar_reduce(out, uniform.data());
  sodium_memzero(uniform.data(), uniform.size());
  return Status::ok_status();
}

Status hash_to_scalar(OprfMode mode, ByteView msg, Scalar& out) {
  return hash_to_scalar(msg, "HashToScalar-" + context_string(mode), out.data());
}

Result<OprfElement> hash_to_group(OprfMode mode, ByteView input) {
  std::array<uint8_t, crypto_core_ristretto255_HASHBYTES> uniform;
  MEDTRAIL_RETURN_IF_ERROR(
      expand_message_xmd(input, "HashToGroup-" + context_string(mode), uniform));
  OprfElement element;
  crypto_core_ristretto255_from_hash(element.data(), uniform.data());
  if (is_identity(element)) {
    return Status::error("oprf_invalid_input", "the input hashes to the identity element");
  }
  return element;
}

bool is_canonical_scalar(const uint8_t* bytes) {
  return sodium_compare(bytes, kOrder.data(), kOrder.size()) < 0;
}

Status check_scalar(ByteView bytes, bool allow_zero) {
  if (bytes.size() != kOprfScalarSize) {
    return Status::error("oprf_bad_scalar", "a scalar is 32 bytes");
  }
  if (!is_canonical_scalar(bytes.data())) {
    return Status::error("oprf_bad_scalar", "the scalar is not below the group order");
  }
  if (!allow_zero && sodium_is_zero(bytes.data(), bytes.size())) {
    return Status::error("oprf_bad_scalar", "the scalar is zero");
  }
  return Status::ok_status();
}

Status check_element(const OprfElement& element) {
  // libsodium accepts the identity's encoding as a valid point; RFC 9497 §4.1 does not.
  if (crypto_core_ristretto255_is_valid_point(element.data()) != 1) {
    return Status::error("oprf_bad_element", "not a canonical ristretto255 encoding");
  }
  if (is_identity(element)) {
    return Status::error("oprf_bad_element", "the identity element is not accepted");
  }
  return Status::ok_status();
}

Status check_elements(std::span<const OprfElement> elements) {
  for (const OprfElement& element : elements) MEDTRAIL_RETURN_IF_ERROR(check_element(element));
  return Status::ok_status();
}

Status check_input(ByteView input) {
  if (input.size() > kOprfMaxInputSize) {
    return Status::error("oprf_input_too_long", "an OPRF input is at most 65535 bytes");
  }
  return Status::ok_status();
}

Status check_batch_size(size_t size) {
  if (size == 0) return Status::error("oprf_batch_empty", "a batch holds at least one element");
  if (size > kOprfMaxBatch) {
    return Status::error("oprf_batch_too_large", "a batch holds at most 64 elements");
  }
  return Status::ok_status();
}

// libsodium returns -1 when the product is the identity; the operands are valid here, so that
// is the only reason, and the identity is encoded as zeros.
OprfElement scalar_mult(const uint8_t* scalar, const OprfElement& element) {
  OprfElement product;
  if (crypto_scalarmult_ristretto255(product.data(), scalar, element.data()) != 0) product.fill(0);
  return product;
}

OprfElement scalar_mult_base(const uint8_t* scalar) {
  OprfElement product;
  if (crypto_scalarmult_ristretto255_base(product.data(), scalar) != 0) product.fill(0);
  return product;
}

OprfElement add(const OprfElement& a, const OprfElement& b) {
  OprfElement sum{};
  crypto_core_ristretto255_add(sum.data(), a.data(), b.data());
  return sum;
}

bool is_identity(const OprfElement& element) {
  return sodium_is_zero(element.data(), element.size()) == 1;
}

void append_u16(Bytes& out, size_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void append_framed(Bytes& out, ByteView data) {
  append_u16(out, data.size());
  out.insert(out.end(), data.begin(), data.end());
}

void append_text(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

}  // namespace medtrail::ledger::oprf
