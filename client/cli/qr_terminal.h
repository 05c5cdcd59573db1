#pragma once
// A QR symbol drawn for a terminal with Unicode half blocks, two module rows per text line.
#include <string>

#include "qr_symbol.h"

namespace medtrail::cli {

// The symbol with its 4-module quiet zone, one line per two module rows ('\n' after each).
// Ink is a dark module: '█' both rows dark, '▀' the upper, '▄' the lower, ' ' neither. So it
// scans as printed on a light-background terminal; on a dark one it shows inverted (light
// modules on dark), which many but not all scanners read: use --png there. The last line's
// lower half (past the symbol, the side is always odd) is light. Every line is
// side_with_quiet_zone() characters wide, trailing spaces included.
std::string render_half_blocks(const QrSymbol& symbol);

}  // namespace medtrail::cli
