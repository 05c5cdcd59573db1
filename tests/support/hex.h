#pragma once
// Test support: bytes from a hex literal (test vectors), failing the test on a typo.
#include <gtest/gtest.h>

#include <string_view>

#include "medtrail/ledger/bytes.h"

namespace medtrail::testing {

inline ledger::Bytes unhex(std::string_view hex) {
  ledger::Result<ledger::Bytes> bytes = ledger::from_hex(hex);
  EXPECT_TRUE(bytes.ok()) << hex;
  return bytes.ok() ? *bytes : ledger::Bytes{};
}

}  // namespace medtrail::testing
