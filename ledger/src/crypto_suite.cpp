#include "medtrail/ledger/crypto_suite.h"

namespace medtrail::ledger {

std::string CryptoSuite::key_id(ByteView public_key) const {
  Hash h = hash(public_key);
  return to_hex(ByteView(h.data(), 8));
}

const CryptoSuite* find_suite(std::string_view name) {
  if (name == kSuiteEd25519Sha256) return &ed25519_sha256();
  if (name == kSuiteSm2Sm3) return &sm2_sm3();
  return nullptr;
}

const CryptoSuite& default_suite() { return ed25519_sha256(); }

}  // namespace medtrail::ledger
