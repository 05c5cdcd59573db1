#include "medtrail/ledger/public_facts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace medtrail::ledger {

namespace {

constexpr uint8_t kFormat = 1;
constexpr uint8_t kInteger = 0;
constexpr uint8_t kText = 1;

bool is_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxPublicFactName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

// Reads from the front of `in`; every read checks the bytes left.
class Input {
 public:
  explicit Input(std::string_view in) : in_(in) {}
  bool byte(uint8_t& out) {
    if (in_.empty()) return false;
    out = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool big_endian(size_t width, uint64_t& out) {
    if (in_.size() < width) return false;
    out = 0;
    for (size_t i = 0; i < width; ++i) out = (out << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(width);
    return true;
  }
  bool text(size_t n, std::string& out) {
    if (in_.size() < n) return false;
    out.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void put_big_endian(std::string& out, uint64_t v, size_t width) {
  for (size_t i = width; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

Status bad(const std::string& why) {
  return Status::error("bad_public_facts", "public facts: " + why);
}

}  // namespace

std::string public_facts_key(std::string_view value_key) {
  return std::string(kPublicFactsPrefix) + std::string(value_key);
}

Result<std::string> encode_public_facts(const PublicFacts& facts) {
  if (facts.size() > kMaxPublicFacts) {
    return Status::error("invalid_argument",
                         "more than " + std::to_string(kMaxPublicFacts) + " public facts");
  }
  std::string out;
  out.push_back(static_cast<char>(kFormat));
  out.push_back(static_cast<char>(facts.size()));
  for (const auto& [name, value] : facts) {
    if (!is_name(name))
      return Status::error("invalid_argument", "a public fact's name is not 1..32 of [a-z0-9_]");
    out.push_back(static_cast<char>(name.size()));
    out += name;
    if (const int64_t* n = std::get_if<int64_t>(&value)) {
      out.push_back(static_cast<char>(kInteger));
      put_big_endian(out, static_cast<uint64_t>(*n), 8);
    } else {
      const std::string& t = std::get<std::string>(value);
      if (t.size() > kMaxPublicFactText || !is_valid_utf8(t)) {
        return Status::error("invalid_argument", "the public fact " + name +
                                                     " is not UTF-8 of at most " +
                                                     std::to_string(kMaxPublicFactText) + " bytes");
      }
      out.push_back(static_cast<char>(kText));
      put_big_endian(out, t.size(), 2);
      out += t;
    }
  }
  return out;
}

Result<PublicFacts> decode_public_facts(std::string_view bytes) {
  Input in(bytes);
  uint8_t format = 0;
  uint8_t count = 0;
  if (!in.byte(format) || format != kFormat) return bad("not format 1");
  if (!in.byte(count) || count > kMaxPublicFacts)
    return bad("the count is missing or above the bound");
  PublicFacts facts;
  std::string previous;
  for (size_t i = 0; i < count; ++i) {
    uint8_t name_size = 0;
    uint8_t type = 0;
    std::string name;
    if (!in.byte(name_size) || !in.text(name_size, name) || !is_name(name))
      return bad("a name does not read");
    if (i > 0 && name <= previous) return bad("names out of order");
    if (!in.byte(type)) return bad("bytes missing");
    uint64_t n = 0;
    if (type == kInteger) {
      if (!in.big_endian(8, n)) return bad("bytes missing");
      facts.emplace_hint(facts.end(), name, static_cast<int64_t>(n));
    } else if (type == kText) {
      std::string text;
      if (!in.big_endian(2, n) || n > kMaxPublicFactText || !in.text(n, text) ||
          !is_valid_utf8(text)) {
        return bad("a text does not read as UTF-8 within the bound");
      }
      facts.emplace_hint(facts.end(), name, std::move(text));
    } else {
      return bad("an unknown type");
    }
    previous = std::move(name);
  }
  if (!in.done()) return bad("bytes left over");
  return facts;
}

nlohmann::json public_facts_json(const PublicFacts& facts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : facts) {
    std::visit([&, &name = name](const auto& v) { out[name] = v; }, value);
  }
  return out;
}

}  // namespace medtrail::ledger
