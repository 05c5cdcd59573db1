// Bad input: fuzz-style randomized bodies for every kind never crash and always yield a reason.
//
// Every kind the registry knows starts from valid seed bodies (each accepted as is, in a state
// prepared for it) and is mutated a few thousand times with a seeded std::mt19937_64: fields
// deleted or added, values retyped, long, empty, unicode or control-character strings, deep
// nesting, arrays of 0/1/huge counts, int64 boundaries, impossible dates, resident-id-like
// strings. Each record runs through the real BlockExecutor against the same prepared state.
// A failure prints the kind, the seed that rebuilds the body, and the body.
//
// MEDTRAIL_FUZZ_ITERATIONS and MEDTRAIL_FUZZ_SEED override the defaults for longer runs;
// MEDTRAIL_FUZZ_VERBOSE=1 prints how often each outcome occurred.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

constexpr uint64_t kDefaultSeed = 0x6d65647472a1f022ULL;
constexpr int kDefaultIterationsPerKind = 1500;
// Room left in the payload for the envelope's own fields ({"v","kind","org","actor","ts",...}).
constexpr size_t kPayloadOverhead = 256;
// What a leaf record can encode (ledger/src/serialization.h: kMaxShortText, kMaxReasonText).
constexpr size_t kMaxReasonCodeBytes = 256;
constexpr size_t kMaxReasonBytes = 4096;
// strict_json's limit is 32 levels; the payload and body objects take two of them.
constexpr size_t kMaxBodyNesting = 30;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 0) : fallback;
}

// Reason codes with a documented meaning: every code in the first column of a table in
// docs/contracts.md ("| `code` |" or "| `a` / `b` |"). A code the contracts emit but the document
// does not list fails the test.
const std::set<std::string, std::less<>>& known_codes() {
  static const std::set<std::string, std::less<>> codes = [] {
    std::set<std::string, std::less<>> out;
    std::ifstream doc(std::string(MEDTRAIL_SOURCE_DIR) + "/docs/contracts.md");
    EXPECT_TRUE(doc.good()) << "cannot read docs/contracts.md";
    std::string line;
    while (std::getline(doc, line)) {
      if (!line.starts_with("| `")) continue;
      const std::string first_cell = line.substr(1, line.find('|', 1) - 1);
      size_t at = 0;
      while ((at = first_cell.find('`', at)) != std::string::npos) {
        const size_t end = first_cell.find('`', at + 1);
        if (end == std::string::npos) break;
        out.insert(first_cell.substr(at + 1, end - at - 1));
        at = end + 1;
      }
    }
    return out;
  }();
  return codes;
}

bool is_snake_case(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Messages travel in JSON (API responses, leaf records): they must be valid UTF-8.
bool is_valid_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

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

struct Seed {
  Person signer;
  json body;
};

// Seeds for every kind, each valid in the state the constructor prepares.
class FuzzTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(prepare()); }

  std::string accept(const Person& who, const std::string& kind, const json& body) {
    ledger::Envelope e = f.sign(who, kind, body);
    ledger::ExecutionResult r = f.run_block({e}).at(0);
    EXPECT_TRUE(r.accepted) << kind << ": " << r.reason_code << " " << r.reason;
    return ledger::record_id(e);
  }

  ledger::Envelope sign(const Person& who, const std::string& kind, const json& body,
                        ledger::Status* refused) {
    const json payload = {{"v", 1},
                          {"kind", kind},
                          {"org", who.org},
                          {"actor", who.id},
                          {"ts", "2026-11-23T02:00:00Z"},
                          {"nonce", "fz" + std::to_string(++nonce_)},
                          {"body", body}};
    auto e = ledger::sign_envelope(ledger::to_bytes(payload.dump()), who.key);
    if (!e.ok()) {
      *refused = e.status();
      return {};
    }
    return std::move(e).value();
  }

  void prepare();
  void add(const std::string& kind, const Person& who, json body) {
    seeds[kind].push_back({who, std::move(body)});
  }

  ContractFixture f;
  std::map<std::string, std::vector<Seed>, std::less<>> seeds;
  uint64_t nonce_ = 0;
};

json rx_item(const std::string& code, int64_t quantity) {
  return {{"drug_code", code},    {"name", "Amoxicillin capsules"},
          {"strength", "0.25 g"}, {"quantity", quantity},
          {"unit", "capsule"},    {"dosage", "2 capsules three times a day"},
          {"days_supply", 5},     {"form", "other"}};
}

json rx_issue() {
  return {{"patient_ref", kPatientRef},
          {"type", "normal"},
          {"channel", "offline"},
          {"follow_up", false},
          {"valid_days", 2},
          {"diagnosis_code", "J06.9"},
          {"items", {rx_item("86979474000084", 20), rx_item("N02BE01", 10)}}};
}

std::string gs1(const std::string& lot, const std::string& serial) {
  return "(01)06901234567892(17)281231(10)" + lot + "(21)" + serial;
}

json lot(const std::string& name) {
  return {{"product_code", "06901234567892"},
          {"product_name", "Hepatitis B vaccine 10ug"},
          {"lot", name},
          {"expiry", "2028-12-31"},
          {"dose_count", 100}};
}

json cold_chain() {
  return {{"log_hash", std::string(64, 'b')}, {"min_c", "2.5"}, {"max_c", 7}, {"compliant", true}};
}

json tw_results() {
  return {{"sensory", "pass"},
          {"free_residual_chlorine", "0.010"},
          {"anionic_detergent", "not_detected"},
          {"coliforms", "not_detected"},
          {"salmonella", "not_detected"}};
}

json tw_batch(const std::string& code) {
  return {{"batch_code", code},
          {"licence_no", "JY-3101-2026-0042"},
          {"line", "L2"},
          {"disinfected_at", "2026-11-23T06:00:00+08:00"},
          {"use_by", "2026-11-25T06:00:00+08:00"},
          {"method", "steam"},
          {"quantity", 500},
          {"results", tw_results()}};
}

// A fixed public key (RFC 8032 test 1): seeds must not change between runs, or a seed number
// would not rebuild the same body.
const std::string kPublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

void FuzzTest::prepare() {
  const Person doctor = f.person("hosp-a", "dr-wang", "doctor");
  f.person("hosp-a", "dr-zhou", "doctor");  // revoked by the identity.revoke seed
  const Person pharmacist = f.person("pharm-a", "ph-zhao", "pharmacist");
  const Person maker = f.person("maker-a", "op-chen", "operator");
  const Person inspector = f.person("reg-a", "insp-liu", "inspector");
  const Person nurse = f.person("clinic-a", "nurse-he", "vaccinator");
  const Person clinic_op = f.person("clinic-a", "op-ma", "operator");
  const Person unit_op = f.person("disinf-a", "op-chen", "operator");

  // identity, governance
  add("identity.register", f.admin("hosp-a"),
      {{"user_id", "dr-new"},
       {"role", "doctor"},
       {"public_key", kPublicKey},
       {"licence_no", "110101-2020-0001"},
       {"valid_from", "2026-01-01"},
       {"valid_until", "2026-12-31"},
       {"display_name", "Dr New"}});
  add("identity.revoke", f.admin("hosp-a"),
      {{"user_id", "dr-zhou"}, {"reason", "left the hospital"}});
  const json org = {{"id", "pharm-c"},
                    {"name", "Pharmacy C"},
                    {"types", {"pharmacy"}},
                    {"admin_public_key", kPublicKey}};
  const std::string proposal =
      accept(f.admin("reg-a"), "gov.propose",
             {{"action", "org.add"}, {"reason", "new member"}, {"org", org}});
  json other_org = org;
  other_org["id"] = "pharm-d";
  add("gov.propose", f.admin("reg-a"),
      {{"action", "org.add"}, {"reason", "new member"}, {"org", other_org}});
  add("gov.propose", f.admin("reg-a"),
      {{"action", "node.add"},
       {"reason", "second node"},
       {"node",
        {{"id", "node-2"},
         {"org", "hosp-b"},
         {"public_key", kPublicKey},
         {"tls_spki_sha256", std::string(64, 'b')},
         {"peer_address", "127.0.0.1:7002"},
         {"api_address", "127.0.0.1:8002"}}}});
  add("gov.propose", f.admin("reg-a"),
      {{"action", "org.remove"}, {"reason", "left"}, {"org_id", "clinic-b"}});
  add("gov.approve", f.admin("reg-b"), {{"proposal_id", proposal}});

  // rx: one prescription per stage
  const std::string rx_new = accept(doctor, "rx.issue", rx_issue());
  const std::string rx_approved = accept(doctor, "rx.issue", rx_issue());
  accept(pharmacist, "rx.review", {{"rx_id", rx_approved}, {"decision", "approved"}});
  const std::string rx_done = accept(doctor, "rx.issue", rx_issue());
  accept(pharmacist, "rx.review", {{"rx_id", rx_done}, {"decision", "approved"}});
  const json all_items = {{{"drug_code", "86979474000084"}, {"quantity", 20}},
                          {{"drug_code", "N02BE01"}, {"quantity", 10}}};
  accept(pharmacist, "rx.dispense", {{"rx_id", rx_done}, {"items", all_items}});
  add("rx.issue", doctor, rx_issue());
  json chronic = rx_issue();
  chronic["type"] = "chronic";
  chronic["long_term"] = true;
  chronic["long_term_reason"] = "stable hypertension";
  chronic["items"][0]["days_supply"] = 60;
  chronic["items"][1]["controlled_class"] = "psychotropic_2";
  add("rx.issue", doctor, chronic);
  add("rx.review", pharmacist, {{"rx_id", rx_new}, {"decision", "approved"}, {"note", "checked"}});
  add("rx.review", pharmacist,
      {{"rx_id", rx_new}, {"decision", "rejected"}, {"note", "dose too high"}});
  add("rx.dispense", pharmacist, {{"rx_id", rx_approved}, {"items", all_items}});
  add("rx.deliver", pharmacist,
      {{"rx_id", rx_done}, {"method", "courier"}, {"tracking_no", "SF1234567890"}});
  add("rx.cancel", doctor, {{"rx_id", rx_new}, {"reason", "wrong drug chosen"}});

  // vaccine: lot A released with doses SN1..SN6 (SN5, SN6 at clinic-a; SN3, SN4 on the way)
  accept(maker, "vaccine.lot.register", lot("L2026A"));
  accept(maker, "vaccine.lot.register", lot("L2026B"));
  accept(inspector, "vaccine.lot.release",
         {{"product_code", "06901234567892"},
          {"lot", "L2026A"},
          {"decision", "released"},
          {"certificate_no", "SJ1"}});
  std::vector<std::string> codes;
  for (int i = 1; i <= 6; ++i) codes.push_back(gs1("L2026A", "SN" + std::to_string(i)));
  accept(maker, "vaccine.codes.add",
         {{"product_code", "06901234567892"}, {"lot", "L2026A"}, {"codes", codes}});
  accept(maker, "vaccine.ship",
         {{"shipment_id", "SHIP-0"}, {"to_org", "clinic-a"}, {"codes", {codes[4], codes[5]}}});
  accept(clinic_op, "vaccine.receive", {{"shipment_id", "SHIP-0"}, {"cold_chain", cold_chain()}});
  accept(maker, "vaccine.ship",
         {{"shipment_id", "SHIP-1"}, {"to_org", "clinic-a"}, {"codes", {codes[2], codes[3]}}});
  add("vaccine.lot.register", maker, lot("L2026C"));
  add("vaccine.lot.release", inspector,
      {{"product_code", "06901234567892"},
       {"lot", "L2026B"},
       {"decision", "released"},
       {"certificate_no", "SJ2"}});
  add("vaccine.codes.add", maker,
      {{"product_code", "06901234567892"},
       {"lot", "L2026A"},
       {"codes", {gs1("L2026A", "SN7"), "80000000000000000001"}}});
  add("vaccine.ship", maker,
      {{"shipment_id", "SHIP-2"}, {"to_org", "clinic-b"}, {"codes", {codes[0], codes[1]}}});
  add("vaccine.receive", clinic_op, {{"shipment_id", "SHIP-1"}, {"cold_chain", cold_chain()}});
  add("vaccine.administer", nurse,
      {{"code", codes[4]},
       {"patient_ref", kPatientRef},
       {"dose_number", 1},
       {"site", "left deltoid"}});
  add("vaccine.quarantine", maker,
      {{"codes", {codes[0]}}, {"reason", "packaging"}, {"note", "box crushed"}});
  add("vaccine.recall", maker,
      {{"product_code", "06901234567892"}, {"lot", "L2026A"}, {"reason", "potency"}});

  // tableware: batch TW-1 recorded
  accept(unit_op, "tableware.batch", tw_batch("TW-1"));
  add("tableware.batch", unit_op, tw_batch("TW-2"));
  add("tableware.ship", unit_op, {{"batch_code", "TW-1"}, {"to_org", "rest-a"}, {"quantity", 100}});
  add("tableware.ship", unit_op, {{"batch_code", "TW-1"}, {"customer", "Canteen No. 3"}});
  add("tableware.inspect", inspector,
      {{"batch_code", "TW-1"}, {"results", tw_results()}, {"action", "none"}, {"note", "routine"}});
  add("tableware.recall", unit_op,
      {{"batch_code", "TW-1"}, {"reason", "coliforms found at a restaurant"}});

  // access: one open break-glass event
  const json read = {{"patient_ref", kPatientRef},
                     {"actor", "hosp-a/dr-wang"},
                     {"org", "hosp-a"},
                     {"purpose", "emergency"},
                     {"resources", {"MedicationRequest/rx-7", "Observation/obs.12"}},
                     {"outcome", "success"}};
  const std::string event = accept(f.node(), "access.read", read);
  add("access.read", f.node(), read);
  add("access.read", doctor, read);
  add("access.justify", doctor,
      {{"event_id", event}, {"justification", "unconscious patient admitted to the ER"}});
}

// The kind's seeds must stay valid, or the fuzzing starts from rejections and proves little.
TEST_F(FuzzTest, EveryKindHasSeedsThatAreAccepted) {
  const testing::MemoryState prepared = f.state;
  for (std::string_view kind : Registry::standard().kinds()) {
    auto it = seeds.find(kind);
    if (it == seeds.end()) {
      ADD_FAILURE() << "no seed body for kind " << kind << ": add one to FuzzTest::prepare";
      continue;
    }
    for (const Seed& seed : it->second) {
      ledger::ExecutionResult r = f.run(seed.signer, std::string(kind), seed.body);
      EXPECT_TRUE(r.accepted) << kind << " " << seed.body.dump() << ": " << r.reason_code << " "
                              << r.reason;
      f.state = prepared;
    }
  }
}

TEST_F(FuzzTest, RandomizedBodiesForEveryKindNeverCrashAndAlwaysYieldADocumentedReason) {
  const uint64_t base_seed = env_or("MEDTRAIL_FUZZ_SEED", kDefaultSeed);
  const uint64_t iterations = env_or("MEDTRAIL_FUZZ_ITERATIONS", kDefaultIterationsPerKind);
  const testing::MemoryState prepared = f.state;
  // Each problem is reported in full once per kind, then only counted.
  std::map<std::string, int> problems;
  std::map<std::string, int> outcomes;
  for (std::string_view kind_view : Registry::standard().kinds()) {
    const std::string kind(kind_view);
    auto it = seeds.find(kind);
    if (it == seeds.end()) {
      ADD_FAILURE() << "no seed body for kind " << kind << ": add one to FuzzTest::prepare";
      continue;
    }
    const uint64_t kind_seed = base_seed ^ std::hash<std::string>{}(kind);
    for (uint64_t i = 0; i < iterations; ++i) {
      const uint64_t seed = kind_seed + i;
      const Seed& start = it->second[i % it->second.size()];
      json body = start.body;
      Mutator(seed).mutate(body, ledger::kMaxPayloadBytes - kPayloadOverhead);
      auto report = [&](const std::string& problem, const std::string& detail) {
        if (problems[kind + ": " + problem]++ > 0) return;
        std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
        if (text.size() > 1000) text = text.substr(0, 1000) + "...";
        ADD_FAILURE() << problem << ": "
                      << json(detail).dump(-1, ' ', false, json::error_handler_t::replace)
                      << "\n  kind " << kind << ", iteration " << i
                      << " of MEDTRAIL_FUZZ_SEED=" << base_seed << " (mutator seed " << seed
                      << ")\n  body " << text;
      };

      ledger::Status refused;
      ledger::Envelope envelope = sign(start.signer, kind, body, &refused);
      if (!refused.ok()) {
        // Only the envelope's bounds may refuse a body: its size and its nesting depth.
        if (refused.code() != "payload_too_large" && refused.code() != "malformed_json") {
          report("envelope refused the payload", refused.to_string());
        }
        ++outcomes["(refused by the envelope: " + refused.code() + ")"];
        continue;
      }
      ledger::ExecutionResult r;
      try {
        r = f.run_block({envelope}).at(0);
      } catch (const std::exception& e) {
        report("exception escaped", e.what());
      } catch (...) {
        report("exception escaped", "not a std::exception");
      }
      f.state = prepared;
      ++outcomes[r.accepted ? "(accepted)" : r.reason_code];
      if (r.accepted) {
        if (!r.reason_code.empty() || !r.reason.empty())
          report("accepted with a reason", r.reason_code);
        continue;
      }
      if (!is_snake_case(r.reason_code))
        report("reason code is not snake_case", "\"" + r.reason_code + "\"");
      if (r.reason.empty()) report("empty message", r.reason_code);
      if (!is_valid_utf8(r.reason))
        report("message is not valid UTF-8", r.reason_code + ": " + r.reason);
      if (r.reason_code == "bad_body") report("a handler threw (caught as bad_body)", r.reason);
      if (!known_codes().contains(r.reason_code))
        report("undocumented reason code " + r.reason_code, r.reason);
      if (r.reason_code.size() > kMaxReasonCodeBytes || r.reason.size() > kMaxReasonBytes) {
        report("reason too long for a leaf record", std::to_string(r.reason.size()) + " bytes");
      }
      // The kinds that carry a patient_ref never echo it (an added "patient_ref" field is only
      // an unknown field name).
      auto ref = body.find("patient_ref");
      if (start.body.contains("patient_ref") && ref != body.end() && ref->is_string() &&
          ref->get<std::string>().size() >= 16 &&
          r.reason.find(ref->get<std::string>()) != std::string::npos) {
        report("message echoes the patient_ref", r.reason_code + ": " + r.reason);
      }
    }
  }
  if (::testing::Test::HasFailure()) {
    for (const auto& [problem, count] : problems) std::cout << count << " x " << problem << "\n";
  }
  if (env_or("MEDTRAIL_FUZZ_VERBOSE", 0) != 0) {
    for (const auto& [outcome, count] : outcomes) std::cout << count << " x " << outcome << "\n";
  }
}

}  // namespace
}  // namespace medtrail::contracts
