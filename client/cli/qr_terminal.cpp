#include "qr_terminal.h"

namespace medtrail::cli {

std::string render_half_blocks(const QrSymbol& symbol) {
  const int side = symbol.side_with_quiet_zone();
  std::string out;
  for (int y = 0; y < side; y += 2) {
    for (int x = 0; x < side; ++x) {
      const bool upper = symbol.dark_at(x, y);
      const bool lower = symbol.dark_at(x, y + 1);  // light past the last row
      out += upper ? (lower ? "█" : "▀") : (lower ? "▄" : " ");
    }
    out += '\n';
  }
  return out;
}

}  // namespace medtrail::cli
