#include "qr_symbol.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace medtrail::cli {

bool QrSymbol::dark_at(int x, int y) const {
  x -= kQrQuietZone;
  y -= kQrQuietZone;
  if (x < 0 || y < 0 || x >= modules || y >= modules) return false;
  return dark[static_cast<size_t>(y) * modules + x] != 0;
}

ledger::Result<QrSymbol> encode_qr_symbol(const std::string& text) {
  if (text.find('\0') != std::string::npos) {
    return ledger::Status::error("qr_encode_failed", "the text holds a NUL byte");
  }
  // Version 0: the smallest that fits; QR_MODE_8 with case sensitivity: libqrencode picks the
  // modes per segment, byte mode for anything outside them.
  errno = 0;
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) {
    const int err = errno;
    return ledger::Status::error(
        "qr_encode_failed",
        err == ERANGE ? std::string("the URL is too long for a QR code")
                      : "libqrencode failed: " + std::string(err != 0 ? std::strerror(err) : "unknown error"));
  }
  if (code->width < 21 || code->width > 177 || code->data == nullptr) {
    return ledger::Status::error("qr_encode_failed", "libqrencode returned an unexpected symbol");
  }
  QrSymbol symbol;
  symbol.modules = code->width;
  const size_t n = static_cast<size_t>(code->width) * code->width;
  symbol.dark.resize(n);
  // libqrencode's module byte: bit 0 is the colour (1 = dark); the other bits say what the
  // module is part of (finder, timing, data...), which a picture does not need.
  for (size_t i = 0; i < n; ++i) symbol.dark[i] = code->data[i] & 1;
  return symbol;
}

}  // namespace medtrail::cli
