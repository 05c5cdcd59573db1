#pragma once
// The binary encoding of contract state values, and their JSON view.
//
// Every contract reads and rewrites whole values on each record, so the encoding is chosen for
// the cost of a read and a write: a value parsed as JSON cost more than the contract logic
// around it (docs/benchmarks.md, "Contracts"). A stored struct declares its fields once:
//
//   struct Dose {
//     std::string lot;
//     std::optional<int64_t> administered_at_ms;
//     static constexpr auto fields() {
//       return std::tuple{field("lot", &Dose::lot),
//                         field("administered_at_ms", &Dose::administered_at_ms)};
//     }
//   };
//
// and that one list gives the encoding (encode_value / decode_value) and the JSON view
// (value_json) that docs/contracts.md documents and tools show.
//
// Encoding: one format byte (kStateFormat), then each field in declaration order:
//   int64_t      zigzag LEB128 varint            bool          one byte, 0 or 1
//   std::string  varint length, then the bytes   ledger::Bytes the same (JSON view: lowercase hex)
//   optional<T>  0, or 1 then T                   vector<T>     varint count, then each T
//   map<string, int64_t>  varint count, then (key, value) pairs in key order
//   a struct with fields()  its fields, in order
// One value has one encoding (maps are ordered, varints minimal), so every node writes the same
// bytes and the state root agrees. Decoding checks every length against the bytes left and
// refuses trailing bytes: a value that does not decode is corrupt, never half-read.
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/bytes.h"

namespace medtrail::contracts {

inline constexpr uint8_t kStateFormat = 1;

template <class Owner, class Member>
struct Field {
  const char* name;
  Member Owner::*member;
};
template <class Owner, class Member>
constexpr Field<Owner, Member> field(const char* name, Member Owner::*member) {
  return {name, member};
}

template <class T>
concept StoredStruct = requires { T::fields(); };

// A stored value that does not decode. Deterministic (the same bytes fail on every node):
// BlockExecutor turns it into the verdict `corrupt_state`.
class CorruptState : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace codec {

class Writer {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void raw(const void* data, size_t n) { out_.append(static_cast<const char*>(data), n); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return fail();
      const uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  uint8_t byte() {
    if (p_ == end_) return static_cast<uint8_t>(fail());
    return static_cast<uint8_t>(*p_++);
  }
  std::string_view take(size_t n) {
    if (n > left()) {
      fail();
      return {};
    }
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  // A count of items each at least one byte long: never more than the bytes left.
  size_t count() {
    const uint64_t n = varint();
    if (n > left()) return static_cast<size_t>(fail());
    return static_cast<size_t>(n);
  }
  uint64_t fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// put: value -> bytes.
inline void put(Writer& w, int64_t v) { w.varint(zigzag(v)); }
inline void put(Writer& w, bool v) { w.byte(v ? 1 : 0); }
inline void put(Writer& w, const std::string& v) {
  w.varint(v.size());
  w.raw(v.data(), v.size());
}
inline void put(Writer& w, const ledger::Bytes& v) {
  w.varint(v.size());
  w.raw(v.data(), v.size());
}
template <class T>
void put(Writer& w, const std::optional<T>& v);
template <class T>
void put(Writer& w, const std::vector<T>& v);
inline void put(Writer& w, const std::map<std::string, int64_t>& v);
template <StoredStruct T>
void put(Writer& w, const T& v);

template <class T>
void put(Writer& w, const std::optional<T>& v) {
  w.byte(v ? 1 : 0);
  if (v) put(w, *v);
}
template <class T>
void put(Writer& w, const std::vector<T>& v) {
  w.varint(v.size());
  for (const T& item : v) put(w, item);
}
inline void put(Writer& w, const std::map<std::string, int64_t>& v) {
  w.varint(v.size());
  for (const auto& [key, value] : v) {
    put(w, key);
    put(w, value);
  }
}
template <StoredStruct T>
void put(Writer& w, const T& v) {
  std::apply([&](const auto&... f) { (put(w, v.*(f.member)), ...); }, T::fields());
}

// get: bytes -> value; on bad input the reader fails and the value is left partial.
inline void get(Reader& r, int64_t& v) { v = unzigzag(r.varint()); }
inline void get(Reader& r, bool& v) {
  const uint8_t b = r.byte();
  if (b > 1) r.fail();
  v = b == 1;
}
inline void get(Reader& r, std::string& v) {
  const std::string_view s = r.take(r.count());
  v.assign(s.data(), s.size());
}
inline void get(Reader& r, ledger::Bytes& v) {
  const std::string_view s = r.take(r.count());
  v.assign(s.begin(), s.end());
}
template <class T>
void get(Reader& r, std::optional<T>& v);
template <class T>
void get(Reader& r, std::vector<T>& v);
inline void get(Reader& r, std::map<std::string, int64_t>& v);
template <StoredStruct T>
void get(Reader& r, T& v);

template <class T>
void get(Reader& r, std::optional<T>& v) {
  const uint8_t present = r.byte();
  if (present > 1) r.fail();
  if (present == 1 && r.ok()) {
    get(r, v.emplace());
  } else {
    v.reset();
  }
}
template <class T>
void get(Reader& r, std::vector<T>& v) {
  const size_t n = r.count();
  v.clear();
  v.reserve(n);
  for (size_t i = 0; i < n && r.ok(); ++i) get(r, v.emplace_back());
}
inline void get(Reader& r, std::map<std::string, int64_t>& v) {
  const size_t n = r.count();
  v.clear();
  for (size_t i = 0; i < n && r.ok(); ++i) {
    std::string key;
    int64_t value = 0;
    get(r, key);
    get(r, value);
    v.emplace_hint(v.end(), std::move(key), value);
  }
}
template <StoredStruct T>
void get(Reader& r, T& v) {
  std::apply([&](const auto&... f) { (get(r, v.*(f.member)), ...); }, T::fields());
}

// view: value -> JSON.
inline nlohmann::json view(int64_t v) { return v; }
inline nlohmann::json view(bool v) { return v; }
inline nlohmann::json view(const std::string& v) { return v; }
inline nlohmann::json view(const ledger::Bytes& v) { return ledger::to_hex(v); }
template <class T>
nlohmann::json view(const std::optional<T>& v);
template <class T>
nlohmann::json view(const std::vector<T>& v);
inline nlohmann::json view(const std::map<std::string, int64_t>& v) { return v; }
template <StoredStruct T>
nlohmann::json view(const T& v);

template <class T>
nlohmann::json view(const std::optional<T>& v) {
  return v ? view(*v) : nlohmann::json(nullptr);
}
template <class T>
nlohmann::json view(const std::vector<T>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& item : v) out.push_back(view(item));
  return out;
}
template <StoredStruct T>
nlohmann::json view(const T& v) {
  nlohmann::json out = nlohmann::json::object();
  std::apply([&](const auto&... f) { ((out[f.name] = view(v.*(f.member))), ...); }, T::fields());
  return out;
}

// unview: JSON -> value, the inverse of view for tests and tools. A missing field keeps its
// default; an unknown field or a wrong type fails.
inline bool unview(const nlohmann::json& j, int64_t& v) {
  if (!j.is_number_integer()) return false;
  v = j.get<int64_t>();
  return true;
}
inline bool unview(const nlohmann::json& j, bool& v) {
  if (!j.is_boolean()) return false;
  v = j.get<bool>();
  return true;
}
inline bool unview(const nlohmann::json& j, std::string& v) {
  if (!j.is_string()) return false;
  v = j.get<std::string>();
  return true;
}
inline bool unview(const nlohmann::json& j, ledger::Bytes& v) {
  if (!j.is_string()) return false;
  auto bytes = ledger::from_hex(j.get<std::string>());
  if (!bytes.ok()) return false;
  v = std::move(*bytes);
  return true;
}
template <class T>
bool unview(const nlohmann::json& j, std::optional<T>& v);
template <class T>
bool unview(const nlohmann::json& j, std::vector<T>& v);
inline bool unview(const nlohmann::json& j, std::map<std::string, int64_t>& v);
template <StoredStruct T>
bool unview(const nlohmann::json& j, T& v);

template <class T>
bool unview(const nlohmann::json& j, std::optional<T>& v) {
  if (j.is_null()) {
    v.reset();
    return true;
  }
  return unview(j, v.emplace());
}
template <class T>
bool unview(const nlohmann::json& j, std::vector<T>& v) {
  if (!j.is_array()) return false;
  v.clear();
  for (const nlohmann::json& item : j) {
    if (!unview(item, v.emplace_back())) return false;
  }
  return true;
}
inline bool unview(const nlohmann::json& j, std::map<std::string, int64_t>& v) {
  if (!j.is_object()) return false;
  v.clear();
  for (const auto& [key, value] : j.items()) {
    if (!value.is_number_integer()) return false;
    v[key] = value.get<int64_t>();
  }
  return true;
}
template <StoredStruct T>
bool unview(const nlohmann::json& j, T& v) {
  if (!j.is_object()) return false;
  size_t known = 0;
  bool ok = true;
  std::apply(
      [&](const auto&... f) {
        ((ok = ok && (!j.contains(f.name) || (++known, unview(j.at(f.name), v.*(f.member))))), ...);
      },
      T::fields());
  return ok && known == j.size();
}

}  // namespace codec

template <StoredStruct T>
std::string encode_value(const T& value) {
  codec::Writer w;
  w.byte(kStateFormat);
  codec::put(w, value);
  return w.take();
}

// nullopt when `bytes` is not a value of T in this format.
template <StoredStruct T>
std::optional<T> decode_value(std::string_view bytes) {
  codec::Reader r(bytes);
  if (r.byte() != kStateFormat) return std::nullopt;
  T value{};
  codec::get(r, value);
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return value;
}

// The JSON view of a stored struct: every field by name, absent optionals as null.
template <StoredStruct T>
nlohmann::json value_json(const T& value) {
  return codec::view(value);
}

// The struct a JSON view describes (missing fields default); nullopt on an unknown field or a
// wrong type. For tests and tools: contracts never read JSON state.
template <StoredStruct T>
std::optional<T> value_from_json(const nlohmann::json& view) {
  T value{};
  if (!codec::unview(view, value)) return std::nullopt;
  return value;
}

}  // namespace medtrail::contracts
