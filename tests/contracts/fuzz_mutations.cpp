// Random changes to a JSON body for the fuzz test: fields deleted or added, values retyped,
// long, empty, unicode or control-character strings, deep nesting, arrays of 0/1/huge counts,
// int64 boundaries, impossible dates, resident-id-like strings.
#include "contracts/fuzz_mutations.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace medtrail::contracts::fuzz_testing {
namespace {

using nlohmann::json;

// strict_json's limit is 32 levels; the payload and body objects take two of them.
constexpr size_t kMaxBodyNesting = 30;

// An 18-character resident identity number (GB 11643-1999) with its check character.
std::string resident_id(const std::string& first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// clang-format off
const std::vector<std::string>& resident_like() {
  static const std::vector<std::string> ids = {
      resident_id("11010119900307757"), resident_id("44030019851231001"),
      resident_id("11010519491231002"),  // check character X
      "11010119900307757x", "110101199003077570", "110101199002307571", "000000000000000000",
      "11010119900307757", "1101011990030775712", "Zhang 110101199003077571 seen today",
      "Patient/110101199003077571", "１１０１０１１９９００３０７７５７１"};
  return ids;
}
// clang-format on

// clang-format off
const std::vector<std::string>& odd_strings() {
  static const std::vector<std::string> s = {
      "", " ", std::string(1, '\0'), "\x01", "\t", "line\nbreak", "\x7f", "\xc2\x85",
      "\xc2\xa0", "\xe2\x80\x8b", "\xe2\x80\xae" "evil", "\xef\xbb\xbf", "\xc3\xa9",
      "e\xcc\x81", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
      "\xef\xbf\xbd", "\xef\xbf\xbf", "null", "true", "0", "-1", "1e400", "0x10", "NaN",
      "../../etc/passwd", "a/b", "/", "hosp-a/admin", "hosp-a", "HOSP-A", "'; DROP TABLE x;--",
      "%s%n", "{\"a\":1}", "\\u0000", "ix/", "rx/", std::string(64, 'a'), std::string(64, 'A'),
      std::string(63, 'f'), std::string(65, '0'), std::string(64, 'g'), "2026-11-23",
      "86979474000084", "N02AA01", "06901234567892", "80000000000000000001"};
  return s;
}
// clang-format on

// clang-format off
const std::vector<std::string>& dates() {
  static const std::vector<std::string> d = {
      "2026-02-30", "2026-02-29", "2024-02-29", "2100-02-29", "2000-02-29", "9999-12-31",
      "0000-01-01", "0001-01-01", "1969-12-31", "1970-01-01", "2026-11-22", "2026-11-23",
      "2026-11-24", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-1", "26-11-23",
      "+2026-11-23", "-2026-11-23", "20261123", "2026-11-23T10:00:00+08:00",
      "2026-11-23T10:00:00Z", "2026-11-23T02:00:00.999999999Z", "9999-12-31T23:59:59Z",
      "9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59", "2026-11-23T24:00:00Z",
      "2026-12-31T23:59:60Z", "2026-11-23T10:00:00+99:99", "2026-11-23T10:00:00",
      "2026-11-23 10:00:00Z", "2026-11-23t10:00:00z", "1970-01-01T00:00:00Z",
      "2026-11-25T06:00:00+08:00", "2026-11-23T06:00:00+08:00", "281231", "280230", "281200"};
  return d;
}
// clang-format on

// clang-format off
const std::vector<json>& numbers() {
  static const std::vector<json> n = {
      std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min() + 1,
      int64_t{-100001}, int64_t{-1}, 0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 28, 29, 84, 85, 100, 1000,
      1001, 10000, 10001, 100000, 100001, 10000000, 10000001,
      std::numeric_limits<int32_t>::max(), int64_t{1} << 53, std::numeric_limits<int64_t>::max() - 1,
      std::numeric_limits<int64_t>::max(),
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1,
      std::numeric_limits<uint64_t>::max(), 0.5, -0.0, 1.0, 2.5, 1e300, -1e-300};
  return n;
}
// clang-format on

// Random changes to a JSON body, reproducible from the seed.
class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  // One to three mutations; `payload_room` bounds the body's serialized size (most of the time).
  void mutate(json& body, size_t payload_room) {
    const size_t n = chance(2) ? 1 : 2 + pick(2);
    for (size_t i = 0; i < n; ++i) mutate_once(body, payload_room);
  }

 private:
  using Ptr = json::json_pointer;

  // Plain modulo: unlike std::uniform_int_distribution it is the same on every standard library.
  size_t pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool chance(size_t one_in) { return pick(one_in) == 0; }
  template <typename T>
  const T& any(const std::vector<T>& v) {
    return v[pick(v.size())];
  }

  // Every value's pointer (arrays: the first few elements and the last), root first.
  static void slots(const json& v, const Ptr& at, std::vector<Ptr>& out) {
    out.push_back(at);
    if (v.is_object()) {
      for (const auto& [key, child] : v.items()) slots(child, at / key, out);
    } else if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (i < 3 || i + 1 == v.size()) slots(v[i], at / i, out);
      }
    }
  }

  json random_value() {
    switch (pick(12)) {
      case 0:
        return any(odd_strings());
      case 1:
        return static_cast<int64_t>(pick(206)) - 5;
      case 2:
        return -1 - static_cast<int64_t>(pick(1'000'000));
      case 3:
        return std::numeric_limits<uint64_t>::max() - pick(3);
      case 4:
        return static_cast<double>(pick(2'000'001)) / 8.0 - 125'000.0;
      case 5:
        return chance(2);
      case 6:
        return nullptr;
      case 7:
        return json::array({1, "a", nullptr});
      case 8:
        return json::object({{"a", 1}});
      case 9:
        return any(numbers());
      case 10:
        return any(dates());
      default:
        return any(resident_like());
    }
  }

  std::string long_string(size_t room) {
    static const std::vector<size_t> lengths = {17, 18, 33, 64, 65, 129, 257, 513, 1025, 4097};
    static const std::vector<size_t> huge = {16385, 40000, 65536, 70000};
    // Huge ones are rarer: they cost a millisecond each to sign, verify and parse.
    size_t len = chance(8) ? any(huge) : any(lengths);
    // Now and then, deliberately past the payload bound: the envelope must refuse it.
    if (!chance(40)) len = std::min(len, room > 16 ? room - 16 : 0);
    static const std::vector<std::string> units = {
        "a", "0", "A", "-", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", " "};
    const std::string& unit = any(units);
    std::string s;
    while (s.size() + unit.size() <= len) s += unit;
    return s;
  }

  // Nested arrays or objects around a leaf; never deeper than `max_depth` levels.
  json nested(size_t max_depth) {
    size_t depth = 1 + pick(kMaxBodyNesting);
    if (!chance(40)) depth = std::min(depth, std::max<size_t>(max_depth, 1));
    json v = random_value();
    const bool objects = chance(2);
    for (size_t i = 0; i < depth; ++i)
      v = objects ? json{{"k", std::move(v)}} : json::array({std::move(v)});
    return v;
  }

  json resized_array(const json& current, size_t room) {
    json element =
        current.is_array() && !current.empty() ? current[pick(current.size())] : random_value();
    static const std::vector<size_t> counts = {0, 0, 1, 1, 2, 5, 6, 11, 50, 51, 101};
    static const std::vector<size_t> huge = {1001, 10001, 100000};
    size_t count = chance(8) ? any(huge) : any(counts);
    const size_t each = element.dump().size() + 4;
    if (!chance(40)) count = std::min(count, room / each);
    const bool distinct = element.is_string() && chance(2);
    json out = json::array();
    for (size_t i = 0; i < count; ++i) {
      out.push_back(distinct ? json(element.get<std::string>() + std::to_string(i)) : element);
    }
    return out;
  }

  // Another string a little different from `s`, still valid UTF-8.
  json tweaked(const json& v) {
    if (!v.is_string()) return v;
    std::string s = v.get<std::string>();
    switch (pick(7)) {
      case 0:
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      case 1:
        while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xc0) == 0x80) s.pop_back();
        if (!s.empty()) s.pop_back();
        break;
      case 2:
        s += any(std::vector<std::string>{"x", "0", "X", " ", "/", ".", "\xc3\xa9"});
        break;
      case 3:
        s += s;
        break;
      case 4:
        s = " " + s;
        break;
      case 5: {  // insert at a character boundary
        size_t at = s.empty() ? 0 : pick(s.size() + 1);
        while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) ++at;
        s.insert(at, any(odd_strings()));
        break;
      }
      default:
        if (!s.empty() && static_cast<unsigned char>(s[0]) < 0x80) s[0] = '-';
        break;
    }
    return s;
  }

  void mutate_once(json& body, size_t payload_room) {
    std::vector<Ptr> all;
    slots(body, Ptr(), all);
    const size_t used = body.dump().size();
    const size_t room = payload_room > used ? payload_room - used : 0;
    const Ptr at = all.size() > 1 ? all[1 + pick(all.size() - 1)] : Ptr();
    const bool is_root = at.empty();
    switch (pick(13)) {
      case 0: {  // delete a field or element
        if (is_root) return;
        json& parent = body[at.parent_pointer()];
        if (parent.is_object()) {
          parent.erase(at.back());
        } else if (parent.is_array()) {
          parent.erase(parent.begin() + static_cast<std::ptrdiff_t>(std::stoul(at.back())));
        }
        return;
      }
      case 1: {  // an unknown field, in the body or a nested object
        std::vector<Ptr> objects;
        for (const Ptr& p : all) {
          if (body[p].is_object()) objects.push_back(p);
        }
        static const std::vector<std::string> names = {
            "extra",
            "x",
            "",
            "__proto__",
            "body",
            "patient_ref",
            "Patient_Ref",
            "id_number",
            std::string(70, 'k'),
            std::string(63, 'k') + "\xe4\xb8\xad\xe6\x96\x87",
            "\xe5\xa7\x93\xe5\x90\x8d",
            "110101199003077571",
            "a\nb"};
        json& target = body[any(objects)];
        const std::string& name = any(names);
        if (!target.contains(name)) target[name] = random_value();
        return;
      }
      case 2:
        if (!is_root) body[at] = random_value();
        return;
      case 3:
        if (!is_root) body[at] = long_string(room);
        return;
      case 4:
        if (!is_root) body[at] = any(odd_strings());
        return;
      case 5:
        if (!is_root) body[at] = tweaked(body[at]);
        return;
      case 6:
        if (!is_root)
          body[at] = nested(kMaxBodyNesting + 1 - std::min(length(at), kMaxBodyNesting));
        return;
      case 7: {  // arrays of 0, 1 or huge counts (prefer an existing array)
        std::vector<Ptr> arrays;
        for (const Ptr& p : all) {
          if (!p.empty() && body[p].is_array()) arrays.push_back(p);
        }
        const Ptr target = arrays.empty() || chance(4) ? at : any(arrays);
        if (!target.empty()) body[target] = resized_array(body[target], room);
        return;
      }
      case 8:
        if (!is_root) body[at] = any(numbers());
        return;
      case 9:
        if (!is_root) body[at] = any(dates());
        return;
      case 10:
        if (!is_root) body[at] = any(std::vector<json>{"", json::array(), json::object()});
        return;
      case 11:
        if (!is_root) body[at] = any(resident_like());
        return;
      default: {  // another field's value
        const Ptr from = all[pick(all.size())];
        if (!is_root && !from.empty()) body[at] = json(body[from]);
        return;
      }
    }
  }

  // Path length of `at`: a value at length L sits inside L + 1 open levels of the payload.
  static size_t length(const Ptr& at) {
    size_t n = 0;
    for (Ptr p = at; !p.empty(); p = p.parent_pointer()) ++n;
    return n;
  }

  std::mt19937_64 rng_;
};

}  // namespace

void mutate(uint64_t seed, json& body, size_t payload_room) {
  Mutator(seed).mutate(body, payload_room);
}

}  // namespace medtrail::contracts::fuzz_testing
