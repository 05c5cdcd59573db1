#include "png_writer.h"

#include <algorithm>
#include <array>

namespace medtrail::cli {
namespace {

void put_u32_be(std::string& out, uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void put_u16_le(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}

// length, type, data, CRC-32 of type and data (PNG 5.3).
void put_chunk(std::string& out, const char (&type)[5], const std::string& data) {
  put_u32_be(out, static_cast<uint32_t>(data.size()));
  std::string typed(type, 4);
  typed += data;
  out += typed;
  put_u32_be(out, png_crc32(typed));
}

// The filtered scanlines (filter type 0, "None", before each row), 8 pixels a byte, most
// significant bit first; bits past the right edge are white.
std::string scanlines(const BilevelImage& cells, uint32_t scale) {
  const uint32_t width = cells.width * scale;
  const size_t row_bytes = (static_cast<size_t>(width) + 7) / 8;
  std::string row;
  std::string out;
  out.reserve((1 + row_bytes) * cells.height * scale);
  for (uint32_t cy = 0; cy < cells.height; ++cy) {
    row.assign(1 + row_bytes, '\0');
    for (uint32_t px = 0; px < row_bytes * 8; ++px) {
      const uint32_t cx = px / scale;
      const bool white = px >= width || cells.dark[static_cast<size_t>(cy) * cells.width + cx] == 0;
      if (white) row[1 + px / 8] = static_cast<char>(row[1 + px / 8] | (0x80 >> (px % 8)));
    }
    for (uint32_t i = 0; i < scale; ++i) out += row;  // each cell row is `scale` pixel rows
  }
  return out;
}

// RFC 1950 zlib stream of stored deflate blocks (RFC 1951 3.2.4): header, blocks of at most
// 65535 bytes, the last marked final, Adler-32 of the raw data.
std::string zlib_stored(const std::string& raw) {
  std::string out;
  out += '\x78';  // CM 8 (deflate), CINFO 7 (32K window)
  out += '\x01';  // FLEVEL 0, no dictionary; 0x7801 is a multiple of 31 as FCHECK requires
  size_t pos = 0;
  do {
    const size_t len = std::min<size_t>(raw.size() - pos, 65535);
    const bool final = pos + len == raw.size();
    out += static_cast<char>(final ? 1 : 0);  // BFINAL, BTYPE 00; the rest of the byte is padding
    put_u16_le(out, static_cast<uint16_t>(len));
    put_u16_le(out, static_cast<uint16_t>(~len));
    out.append(raw, pos, len);
    pos += len;
  } while (pos < raw.size());
  put_u32_be(out, zlib_adler32(raw));
  return out;
}

}  // namespace

uint32_t png_crc32(const std::string& data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t zlib_adler32(const std::string& data) {
  constexpr uint32_t kMod = 65521;
  uint32_t a = 1;
  uint32_t b = 0;
  for (unsigned char byte : data) {
    a = (a + byte) % kMod;
    b = (b + a) % kMod;
  }
  return (b << 16) | a;
}

ledger::Result<std::string> encode_bilevel_png(const BilevelImage& cells, uint32_t scale) {
  if (cells.width == 0 || cells.height == 0 || scale == 0) {
    return ledger::Status::error("bad_image", "an empty picture or a scale of 0");
  }
  if (cells.dark.size() != static_cast<uint64_t>(cells.width) * cells.height) {
    return ledger::Status::error("bad_image", "the cells do not fill width x height");
  }
  const uint64_t width = static_cast<uint64_t>(cells.width) * scale;
  const uint64_t height = static_cast<uint64_t>(cells.height) * scale;
  if (width > kMaxPngSide || height > kMaxPngSide) {
    return ledger::Status::error("bad_image", "a side over " + std::to_string(kMaxPngSide) + " pixels");
  }
  std::string ihdr;
  put_u32_be(ihdr, static_cast<uint32_t>(width));
  put_u32_be(ihdr, static_cast<uint32_t>(height));
  ihdr += '\x01';  // bit depth 1
  ihdr += '\x00';  // colour type 0: grayscale
  ihdr += '\x00';  // compression method 0: deflate
  ihdr += '\x00';  // filter method 0
  ihdr += '\x00';  // no interlace

  std::string png("\x89PNG\r\n\x1a\n", 8);
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", zlib_stored(scanlines(cells, scale)));
  put_chunk(png, "IEND", std::string());
  return png;
}

}  // namespace medtrail::cli
