// The CLI's PNG writer (client/cli/png_writer.cpp), read back with tests/client/png_reader.h.

#include <gtest/gtest.h>

#include "cli/png_writer.h"
#include "client/png_reader.h"

namespace medtrail {
namespace {

using cli::BilevelImage;
using cli::encode_bilevel_png;
using testing::PngRead;
using testing::read_png;

// A picture whose cells differ in both directions (so a swapped x/y or a shifted row shows).
BilevelImage pattern(uint32_t width, uint32_t height) {
  BilevelImage image{width, height, {}};
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) image.dark.push_back((x * 7 + y * 3 + x * y) % 5 < 2);
  }
  return image;
}

void expect_pixels(const PngRead& png, const BilevelImage& cells, uint32_t scale) {
  ASSERT_EQ(png.width, cells.width * scale);
  ASSERT_EQ(png.height, cells.height * scale);
  size_t wrong = 0;
  for (uint32_t y = 0; y < png.height; ++y) {
    for (uint32_t x = 0; x < png.width; ++x) {
      const bool dark = cells.dark[(y / scale) * cells.width + x / scale] != 0;
      if (png.sample(x, y) != (dark ? 0 : 1)) ++wrong;
    }
  }
  EXPECT_EQ(wrong, 0u);
}

TEST(PngWriterTest, ChecksumsMatchTheirStandardCheckValues) {
  EXPECT_EQ(cli::png_crc32("123456789"), 0xcbf43926u);  // the CRC-32 check value
  EXPECT_EQ(cli::png_crc32(""), 0u);
  EXPECT_EQ(cli::zlib_adler32("Wikipedia"), 0x11e60398u);
  EXPECT_EQ(cli::zlib_adler32(""), 1u);
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes += static_cast<char>(i * 31 + (i >> 8));
  EXPECT_EQ(cli::png_crc32(bytes), testing::crc32_bitwise(bytes));
  EXPECT_EQ(cli::zlib_adler32(bytes), testing::adler32_plain(bytes));
}

TEST(PngWriterTest, WritesA1BitGrayscalePngWhoseChunksAndStreamVerify) {
  const BilevelImage cells = pattern(5, 3);
  auto bytes = encode_bilevel_png(cells, 2);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  PngRead png = read_png(*bytes);
  ASSERT_EQ(png.error, "");
  ASSERT_EQ(png.chunks.size(), 3u);
  EXPECT_EQ(png.chunks[0].type, "IHDR");
  EXPECT_EQ(png.chunks[1].type, "IDAT");
  EXPECT_EQ(png.chunks[2].type, "IEND");
  for (const auto& chunk : png.chunks) EXPECT_TRUE(chunk.crc_ok) << chunk.type;
  EXPECT_TRUE(png.adler_ok);
  EXPECT_EQ(png.bit_depth, 1);
  EXPECT_EQ(png.color_type, 0);
  EXPECT_EQ(png.interlace, 0);
  EXPECT_EQ(png.stored_blocks, 1u);
  expect_pixels(png, cells, 2);
}

TEST(PngWriterTest, RowsNotAMultipleOf8PixelsKeepEveryPixel) {
  for (uint32_t scale : {1u, 3u, 8u}) {
    const BilevelImage cells = pattern(11, 7);
    auto bytes = encode_bilevel_png(cells, scale);
    ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
    PngRead png = read_png(*bytes);
    ASSERT_EQ(png.error, "") << scale;
    expect_pixels(png, cells, scale);
  }
}

TEST(PngWriterTest, ALargePictureSpansSeveralStoredBlocksOf65535BytesAtMost) {
  // 1000 px wide: 126 bytes a scanline, 600 lines = 75600 bytes: two blocks.
  const BilevelImage cells = pattern(125, 75);
  auto bytes = encode_bilevel_png(cells, 8);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  PngRead png = read_png(*bytes);
  ASSERT_EQ(png.error, "");
  EXPECT_EQ(png.raw.size(), 75600u);
  EXPECT_EQ(png.stored_blocks, 2u);
  EXPECT_TRUE(png.adler_ok);
  for (const auto& chunk : png.chunks) EXPECT_TRUE(chunk.crc_ok) << chunk.type;
  expect_pixels(png, cells, 8);
}

TEST(PngWriterTest, ACorruptedByteFailsTheChecksums) {
  // The reader's checks can fail: flip one pixel byte inside the IDAT data.
  auto bytes = encode_bilevel_png(pattern(16, 16), 1);
  ASSERT_TRUE(bytes.ok());
  std::string corrupt = *bytes;
  corrupt[8 + 25 + 8 + 2 + 5 + 1] ^= 0x10;  // signature, IHDR, IDAT header, zlib, block, row 0 filter; its first pixels
  PngRead png = read_png(corrupt);
  ASSERT_EQ(png.error, "");
  EXPECT_FALSE(png.chunks[1].crc_ok);
  EXPECT_FALSE(png.adler_ok);
}

TEST(PngWriterTest, RefusesEmptyMismatchedOrOversizedPictures) {
  EXPECT_EQ(encode_bilevel_png(BilevelImage{}, 1).status().code(), "bad_image");
  EXPECT_EQ(encode_bilevel_png(pattern(3, 3), 0).status().code(), "bad_image");
  BilevelImage short_cells = pattern(3, 3);
  short_cells.dark.pop_back();
  EXPECT_EQ(encode_bilevel_png(short_cells, 1).status().code(), "bad_image");
  EXPECT_EQ(encode_bilevel_png(pattern(2, 1), cli::kMaxPngSide).status().code(), "bad_image");
  EXPECT_TRUE(encode_bilevel_png(pattern(1, 1), cli::kMaxPngSide / 64).ok());
}

}  // namespace
}  // namespace medtrail
