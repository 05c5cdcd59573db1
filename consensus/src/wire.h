#pragma once
// Private: the byte layout shared by the message codec and the storage encodings. Every
// encoding is a format version byte followed by a cereal portable-binary archive (fixed
// little-endian, so the bytes are identical on every host). The reader bounds every
// variable-length field twice — by a caller's limit and by the bytes actually left — before
// it allocates, so a damaged or hostile length prefix can neither crash the decoder nor make
// it allocate without bound.

#include <cereal/archives/portable_binary.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>

#include "crc32c.h"
#include "medtrail/consensus/status.h"

namespace medtrail::consensus::wire {

// A decoding failure with its Status code (`malformed`, `too_large`, `corruption`).
class DecodeError : public std::runtime_error {
 public:
  DecodeError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

class Writer {
 public:
  explicit Writer(uint8_t version)
      : out_(std::string(1, static_cast<char>(version)), std::ios::binary | std::ios::ate),
        ar_(out_, cereal::PortableBinaryOutputArchive::Options::LittleEndian()) {}

  void u8(uint8_t v) { ar_(v); }
  void u64(uint64_t v) { ar_(v); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  // cereal's own string layout: u64 length, then the bytes.
  void bytes(std::string_view s) {
    count(s.size());
    ar_(cereal::binary_data(s.data(), s.size()));
  }
  void count(uint64_t n) { ar_(cereal::make_size_tag(n)); }

  std::string finish() && { return std::move(out_).str(); }

 private:
  std::ostringstream out_;
  cereal::PortableBinaryOutputArchive ar_;
};

// A read-only streambuf over caller-owned bytes: decoding copies nothing up front.
class ViewStreamBuf : public std::streambuf {
 public:
  explicit ViewStreamBuf(std::string_view data) {
    char* p = const_cast<char*>(data.data());
    setg(p, p, p + data.size());
  }
  uint64_t remaining() const { return static_cast<uint64_t>(egptr() - gptr()); }
};

class Reader {
 public:
  // `bytes` excludes the version byte; `fail_code` names any structural failure.
  Reader(std::string_view bytes, std::string fail_code)
      : fail_code_(std::move(fail_code)), buf_(check_endianness_flag(bytes, fail_code_)),
        in_(&buf_), ar_(in_) {}

  uint8_t u8() { return read<uint8_t>(); }
  uint64_t u64() { return read<uint64_t>(); }
  // Only 0 and 1: loading any other byte straight into a bool would be undefined behaviour.
  bool boolean() {
    uint8_t v = u8();
    if (v > 1) fail("bool out of range");
    return v == 1;
  }
  template <class Enum>
  Enum enumeration(Enum max) {
    uint8_t v = u8();
    if (v > static_cast<uint8_t>(max)) fail("enum value out of range");
    return static_cast<Enum>(v);
  }
  std::string bytes(uint64_t max) {
    uint64_t n = count(max, 1);
    std::string s(static_cast<size_t>(n), '\0');
    ar_(cereal::binary_data(s.data(), s.size()));
    return s;
  }
  // A length prefix for `n` items of at least `min_item_bytes` each: refused if they could
  // not fit in what is left (`fail_code`) or if n exceeds `max` (`too_large`).
  uint64_t count(uint64_t max, uint64_t min_item_bytes) {
    uint64_t n = 0;
    ar_(cereal::make_size_tag(n));
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes) fail("length exceeds input");
    if (n > max) throw DecodeError("too_large", "length " + std::to_string(n) + " over limit");
    return n;
  }
  uint64_t remaining() const { return buf_.remaining(); }
  void expect_end() {
    if (remaining() != 0) fail("trailing bytes");
  }
  [[noreturn]] void fail(const std::string& message) { throw DecodeError(fail_code_, message); }

 private:
  template <class T>
  T read() {
    T v{};
    ar_(v);
    return v;
  }
  // cereal's first byte records the writer's endianness; only little-endian (1) is canonical.
  static std::string_view check_endianness_flag(std::string_view bytes, const std::string& code) {
    if (bytes.empty() || bytes[0] != 1) throw DecodeError(code, "bad archive header");
    return bytes;
  }

  std::string fail_code_;
  ViewStreamBuf buf_;
  std::istream in_;
  cereal::PortableBinaryInputArchive ar_;
};

// Runs `read(Reader&)` over `bytes` (version byte first), turning every failure — wrong
// version, short input, bad length, bad enum, trailing bytes — into a Status with the
// failure's code (`fail_code` unless a limit was exceeded). Exceptions stop here.
template <class T, class ReadFn>
Result<T> decode(std::string_view bytes, uint8_t version, const std::string& fail_code,
                 const char* what, ReadFn&& read) {
  try {
    if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != version) {
      return Status::error(fail_code, std::string(what) + ": unknown encoding version");
    }
    Reader r(bytes.substr(1), fail_code);
    T value = read(r);
    r.expect_end();
    return value;
  } catch (const DecodeError& e) {
    return Status::error(e.code(), std::string(what) + ": " + e.what());
  } catch (const std::exception& e) {  // cereal's short reads; bad_alloc cannot occur: bounded
    return Status::error(fail_code, std::string(what) + ": " + e.what());
  }
}

// Stored records end in a little-endian CRC-32C of everything before it.
inline constexpr size_t kChecksumBytes = 4;

inline std::string seal(std::string bytes) {
  uint32_t crc = crc32c(bytes);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return bytes;
}

// The record without its checksum, or nothing if the checksum does not match.
inline std::optional<std::string_view> unseal(std::string_view bytes) {
  if (bytes.size() < kChecksumBytes) return std::nullopt;
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  uint32_t stored = 0;
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    stored |= uint32_t{static_cast<uint8_t>(bytes[body.size() + i])} << (8 * i);
  }
  if (stored != crc32c(body)) return std::nullopt;
  return body;
}

}  // namespace medtrail::consensus::wire
