#pragma once
// A minimal PNG encoder for black-and-white pictures (1-bit grayscale, no library): the zlib
// stream holds stored (uncompressed) deflate blocks. A QR code of a few hundred pixels a side is
// a few tens of kilobytes this way, and the encoder stays small enough to read in one sitting.
#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

// A picture of cells, each drawn as a square of `scale` pixels by encode_bilevel_png.
struct BilevelImage {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> dark;  // width * height, row-major, nonzero = dark (black)
};

// Largest side of an encoded picture, in pixels.
inline constexpr uint32_t kMaxPngSide = 32768;

// The PNG file's bytes: width*scale x height*scale pixels, 1-bit grayscale (sample 0 = black,
// 1 = white), not interlaced; one IHDR, one IDAT, IEND. Errors: `bad_image` (an empty picture,
// `dark` of the wrong size, scale 0, a side over kMaxPngSide).
ledger::Result<std::string> encode_bilevel_png(const BilevelImage& cells, uint32_t scale);

// The checksums PNG and zlib use, over `data`: CRC-32 (ISO 3309, as in PNG chunks) and
// Adler-32 (RFC 1950).
uint32_t png_crc32(const std::string& data);
uint32_t zlib_adler32(const std::string& data);

}  // namespace medtrail::cli
