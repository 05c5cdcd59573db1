#pragma once
// A QR symbol as a grid of modules, from libqrencode (error correction level M, 8-bit mode).
#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

// Light modules a reader needs around a symbol (ISO/IEC 18004: the quiet zone is 4 modules).
inline constexpr int kQrQuietZone = 4;

struct QrSymbol {
  int modules = 0;            // side of the symbol, without the quiet zone (21..177)
  std::vector<uint8_t> dark;  // modules * modules, row-major, 1 = dark

  // Side with the quiet zone on every edge.
  int side_with_quiet_zone() const { return modules + 2 * kQrQuietZone; }
  // Whether the module at (x, y) of the symbol *with* its quiet zone is dark; the quiet zone
  // (and anything outside) is light.
  bool dark_at(int x, int y) const;
};

// Encodes `text` (no NUL bytes) at level M, the version the smallest that fits.
// Errors: `qr_encode_failed` (too long for any version, or out of memory).
ledger::Result<QrSymbol> encode_qr_symbol(const std::string& text);

}  // namespace medtrail::cli
