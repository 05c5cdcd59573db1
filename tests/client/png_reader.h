#pragma once
// Reads back the PNGs the CLI writes, written apart from client/cli/png_writer.cpp on purpose
// (bitwise CRC, own Adler-32 and stored-block inflate) so a test does not check the writer
// with the writer's own code. Only what the writer emits is understood: 1-bit grayscale,
// stored deflate blocks.

#include <cstdint>
#include <string>
#include <vector>

namespace medtrail::testing {

struct PngChunkRead {
  std::string type;
  std::string data;
  bool crc_ok = false;
};

struct PngRead {
  std::string error;  // empty when the file parsed; otherwise what was wrong
  std::vector<PngChunkRead> chunks;
  uint32_t width = 0;
  uint32_t height = 0;
  int bit_depth = 0;
  int color_type = 0;
  int interlace = 0;
  size_t stored_blocks = 0;
  bool adler_ok = false;
  std::string raw;  // the inflated scanlines, filter bytes included

  // 1-bit grayscale sample at (x, y): 0 black, 1 white. Call only when error is empty.
  int sample(uint32_t x, uint32_t y) const {
    const size_t row_bytes = (static_cast<size_t>(width) + 7) / 8;
    const auto byte = static_cast<unsigned char>(raw[y * (1 + row_bytes) + 1 + x / 8]);
    return (byte >> (7 - x % 8)) & 1;
  }
};

inline uint32_t crc32_bitwise(const std::string& data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline uint32_t adler32_plain(const std::string& data) {
  uint64_t a = 1, b = 0;
  for (unsigned char c : data) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return static_cast<uint32_t>((b << 16) | a);
}

inline uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<unsigned char>(s[at])} << 24) |
         (uint32_t{static_cast<unsigned char>(s[at + 1])} << 16) |
         (uint32_t{static_cast<unsigned char>(s[at + 2])} << 8) |
         uint32_t{static_cast<unsigned char>(s[at + 3])};
}

inline uint32_t le16(const std::string& s, size_t at) {
  return uint32_t{static_cast<unsigned char>(s[at])} |
         (uint32_t{static_cast<unsigned char>(s[at + 1])} << 8);
}

inline PngRead read_png(const std::string& file) {
  PngRead png;
  if (file.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) != 0) {
    png.error = "bad signature";
    return png;
  }
  size_t at = 8;
  std::string idat;
  while (at < file.size()) {
    if (file.size() - at < 12) {
      png.error = "truncated chunk";
      return png;
    }
    const uint32_t len = be32(file, at);
    if (file.size() - at - 12 < len) {
      png.error = "chunk longer than the file";
      return png;
    }
    PngChunkRead chunk;
    chunk.type = file.substr(at + 4, 4);
    chunk.data = file.substr(at + 8, len);
    chunk.crc_ok = crc32_bitwise(file.substr(at + 4, 4 + len)) == be32(file, at + 8 + len);
    if (chunk.type == "IDAT") idat += chunk.data;
    png.chunks.push_back(chunk);
    at += 12 + len;
  }
  if (png.chunks.empty() || png.chunks.front().type != "IHDR" || png.chunks.front().data.size() != 13 ||
      png.chunks.back().type != "IEND") {
    png.error = "not IHDR ... IEND";
    return png;
  }
  const std::string& ihdr = png.chunks.front().data;
  png.width = be32(ihdr, 0);
  png.height = be32(ihdr, 4);
  png.bit_depth = ihdr[8];
  png.color_type = ihdr[9];
  png.interlace = ihdr[12];

  // zlib (RFC 1950): CMF, FLG, stored deflate blocks (RFC 1951 3.2.4), Adler-32.
  if (idat.size() < 6 || (idat[0] & 0x0f) != 8 ||
      ((static_cast<unsigned char>(idat[0]) << 8) | static_cast<unsigned char>(idat[1])) % 31 != 0 ||
      (idat[1] & 0x20) != 0) {
    png.error = "bad zlib header";
    return png;
  }
  size_t pos = 2;
  bool final = false;
  while (!final) {
    if (idat.size() - pos < 5) {
      png.error = "truncated deflate block";
      return png;
    }
    const auto header = static_cast<unsigned char>(idat[pos]);
    final = (header & 1) != 0;
    if ((header & 0x06) != 0) {
      png.error = "a deflate block that is not stored";
      return png;
    }
    const uint32_t len = le16(idat, pos + 1);
    const uint32_t nlen = le16(idat, pos + 3);
    if ((len ^ 0xffffu) != nlen || idat.size() - pos - 5 < len) {
      png.error = "bad stored block length";
      return png;
    }
    png.raw.append(idat, pos + 5, len);
    pos += 5 + len;
    ++png.stored_blocks;
  }
  if (idat.size() - pos != 4) {
    png.error = "no Adler-32 right after the last block";
    return png;
  }
  png.adler_ok = adler32_plain(png.raw) == be32(idat, pos);

  const size_t row_bytes = (static_cast<size_t>(png.width) * png.bit_depth + 7) / 8;
  if (png.raw.size() != (1 + row_bytes) * png.height) {
    png.error = "scanlines do not fill the picture";
    return png;
  }
  for (uint32_t y = 0; y < png.height; ++y) {
    if (png.raw[y * (1 + row_bytes)] != 0) {
      png.error = "a scanline filter other than None";
      return png;
    }
  }
  return png;
}

}  // namespace medtrail::testing
