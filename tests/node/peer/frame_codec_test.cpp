#include "peer/frame_codec.h"

#include <gtest/gtest.h>

#include "peer/backoff.h"

namespace medtrail::node::peer {
namespace {

TEST(FrameCodec, HeaderIsFourBytesBigEndian) {
  FrameHeader h = encode_frame_header(0x01020304);
  EXPECT_EQ(h, (FrameHeader{1, 2, 3, 4}));
  EXPECT_EQ(decode_frame_length(h), 0x01020304u);
  EXPECT_EQ(decode_frame_length(encode_frame_header(UINT32_MAX)), UINT32_MAX);
}

TEST(FrameCodec, ZeroAndOversizedLengthsAreRefused) {
  EXPECT_FALSE(frame_length_ok(0, 100));
  EXPECT_TRUE(frame_length_ok(1, 100));
  EXPECT_TRUE(frame_length_ok(100, 100));
  EXPECT_FALSE(frame_length_ok(101, 100));
  EXPECT_FALSE(frame_length_ok(uint64_t{UINT32_MAX} + 1, UINT64_MAX));
}

TEST(FrameCodec, HelloRoundTrips) {
  auto hello = encode_hello("node-a");
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->size(), kHelloMagic.size() + 6);
  EXPECT_EQ(decode_hello(*hello), "node-a");
}

TEST(FrameCodec, UnnameableIdsHaveNoHello) {
  EXPECT_FALSE(encode_hello(""));
  EXPECT_FALSE(encode_hello(std::string(kMaxNodeIdBytes + 1, 'x')));
  EXPECT_FALSE(encode_hello(std::string("a\0b", 3)));
  EXPECT_TRUE(encode_hello(std::string(kMaxNodeIdBytes, 'x')));
}

TEST(FrameCodec, MalformedHellosAreRejected) {
  EXPECT_FALSE(decode_hello(""));
  EXPECT_FALSE(decode_hello(kHelloMagic));
  EXPECT_FALSE(decode_hello("medtrail-peer/2" + std::string(1, '\0') + "node-a"));
  EXPECT_FALSE(decode_hello("node-a"));
  EXPECT_FALSE(decode_hello(std::string(kHelloMagic) + std::string(kMaxNodeIdBytes + 1, 'x')));
}

TEST(Backoff, StaysBetweenMinAndMaxAndGrows) {
  Backoff b(std::chrono::milliseconds(10), std::chrono::milliseconds(80));
  std::chrono::milliseconds ceiling(10);
  for (int i = 0; i < 20; ++i) {
    auto d = b.next();
    EXPECT_GE(d.count(), 10);
    EXPECT_LE(d.count(), ceiling.count());
    ceiling = std::min(ceiling * 2, std::chrono::milliseconds(80));
  }
  b.reset();
  EXPECT_EQ(b.next().count(), 10);
}

}  // namespace
}  // namespace medtrail::node::peer
