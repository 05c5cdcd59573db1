#include "medtrail/contracts/body_reader.h"

#include <algorithm>
#include <set>

#include "medtrail/contracts/calendar.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

bool in_charset(std::string_view s, Charset charset) {
  for (unsigned char c : s) {
    bool ok = false;
    switch (charset) {
      case Charset::kId: ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; break;
      case Charset::kCode:
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
        break;
      case Charset::kDigits: ok = c >= '0' && c <= '9'; break;
    }
    if (!ok) return false;
  }
  return true;
}

const char* charset_name(Charset charset) {
  switch (charset) {
    case Charset::kId: return "[a-z0-9-]";
    case Charset::kCode: return "[A-Za-z0-9._-]";
    case Charset::kDigits: return "digits";
  }
  return "";
}

// Valid UTF-8 (the payload parser already checked) without C0/C1 controls or DEL.
bool printable(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    // U+0080..U+009F are encoded C2 80..C2 9F.
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return false;
  }
  return true;
}

const char* type_name(const nlohmann::json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_float()) return "a fractional number";
  if (v.is_number()) return "an integer";
  return "null";
}

// A client's field name as messages may repeat it: at most 64 bytes, cut on a UTF-8 character
// boundary (messages are stored in leaves and must stay valid UTF-8), and never a resident
// identity number.
std::string quotable_name(const std::string& name) {
  if (contains_resident_id(name)) return "<a name holding a resident identity number>";
  if (name.size() <= 64) return name;
  return std::string(ledger::utf8_prefix(name, 64)) + "...";
}

}  // namespace

bool contains_resident_id(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto id_char = [&](size_t k) { return (s[k] >= '0' && s[k] <= '9') || s[k] == 'X' || s[k] == 'x'; };
    if (!id_char(i)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && id_char(j)) ++j;
    if (j - i == 18 && is_resident_id(s.substr(i, 18))) return true;
    i = j;
  }
  return false;
}

std::optional<int64_t> parse_decimal(std::string_view s, int scale) {
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || !in_charset(whole, Charset::kDigits)) return std::nullopt;
  if (whole.size() > 1 && whole[0] == '0') return std::nullopt;
  if (dot != std::string_view::npos &&
      (frac.empty() || frac.size() > static_cast<size_t>(scale) || !in_charset(frac, Charset::kDigits))) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  for (int i = 0; i < scale; ++i) {
    value = value * 10 + (static_cast<size_t>(i) < frac.size() ? frac[i] - '0' : 0);
  }
  return negative ? -value : value;
}

bool is_icd10(std::string_view s) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto alnum = [&](char c) { return digit(c) || (c >= 'A' && c <= 'Z'); };
  if (s.size() != 3 && (s.size() < 5 || s.size() > 6)) return false;
  if (!(s[0] >= 'A' && s[0] <= 'Z') || !digit(s[1]) || !digit(s[2])) return false;
  if (s.size() == 3) return true;
  return s[3] == '.' && alnum(s[4]) && (s.size() == 5 || alnum(s[5]));
}

bool is_identity_id(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view org = s.substr(0, slash), name = s.substr(slash + 1);
  return !org.empty() && org.size() <= 64 && in_charset(org, Charset::kId) && !name.empty() &&
         name.size() <= 64 && in_charset(name, Charset::kId);
}

bool is_hex_lower(std::string_view s, size_t bytes) {
  return s.size() == 2 * bytes && ledger::is_lower_hex(s);
}

BodyReader::BodyReader(const nlohmann::json& value, std::string path)
    : BodyReader(value, std::move(path), std::make_shared<std::optional<ExecutionResult>>()) {}

BodyReader::BodyReader(const nlohmann::json& value, std::string path,
                       std::shared_ptr<std::optional<ExecutionResult>> problem)
    : value_(&value), path_(std::move(path)), problem_(std::move(problem)) {
  if (!value.is_object()) {
    fail("wrong_type", path_ + " must be an object, not " + type_name(value));
  }
}

void BodyReader::refuse_field(std::string_view name, std::string_view belongs_to) {
  if (ok() && value_->is_object() && value_->contains(name)) {
    fail("unknown_field", path_of(name) + " belongs to " + std::string(belongs_to));
  }
}

std::string BodyReader::path_of(std::string_view name) const {
  return path_ + "." + std::string(name);
}

void BodyReader::fail(std::string code, std::string message) {
  if (!problem_->has_value()) *problem_ = ExecutionResult::reject(std::move(code), std::move(message));
}

void BodyReader::resident_id_in(std::string_view name) {
  fail("patient_identifier_in_clear",
       path_of(name) + " holds a resident identity number; patients appear only as patient_ref");
}

void BodyReader::wrong_type(std::string_view name, std::string_view expected) {
  fail("wrong_type", path_of(name) + " must be " + std::string(expected));
}

const nlohmann::json* BodyReader::field(std::string_view name, Presence presence) {
  if (!ok() || !value_->is_object()) return nullptr;
  read_.emplace_back(name);
  auto it = value_->find(name);
  if (it == value_->end()) {
    if (presence == Presence::kRequired) fail("missing_field", path_of(name) + " is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> BodyReader::text(std::string_view name, size_t max_len,
                                            Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a string"), std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  if (s.empty() || s.size() > max_len) {
    fail("out_of_range", path_of(name) + " must be 1.." + std::to_string(max_len) + " bytes");
    return std::nullopt;
  }
  if (!printable(s)) {
    fail("bad_format", path_of(name) + " must not contain control characters");
    return std::nullopt;
  }
  if (contains_resident_id(s)) return resident_id_in(name), std::nullopt;
  return s;
}

std::optional<std::string> BodyReader::token(std::string_view name, Charset charset,
                                             size_t min_len, size_t max_len, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a string"), std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() < min_len || s.size() > max_len) {
    fail("out_of_range", path_of(name) + " must be " + std::to_string(min_len) + ".." +
                             std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  if (!in_charset(s, charset)) {
    fail("bad_format", path_of(name) + " must be " + charset_name(charset));
    return std::nullopt;
  }
  if (contains_resident_id(s)) return resident_id_in(name), std::nullopt;
  return s;
}

std::optional<std::string> BodyReader::matching(std::string_view name,
                                                bool (*valid)(std::string_view),
                                                std::string_view what, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a string"), std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() > 256 || !valid(s)) {
    fail("bad_format", path_of(name) + " must be " + std::string(what));
    return std::nullopt;
  }
  if (contains_resident_id(s)) return resident_id_in(name), std::nullopt;
  return s;
}

std::optional<std::string> BodyReader::one_of(std::string_view name,
                                              std::initializer_list<std::string_view> values,
                                              Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a string"), std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  if (std::find(values.begin(), values.end(), s) == values.end()) {
    std::string list;
    for (std::string_view x : values) list += (list.empty() ? "" : ", ") + std::string(x);
    fail("bad_format", path_of(name) + " must be one of: " + list);
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> BodyReader::integer(std::string_view name, int64_t min, int64_t max,
                                           Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) return wrong_type(name, "an integer"), std::nullopt;
  // Unsigned values above INT64_MAX are out of every range we accept.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    fail("out_of_range", path_of(name) + " must be " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  const int64_t x = v->get<int64_t>();
  if (x < min || x > max) {
    fail("out_of_range", path_of(name) + " must be " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> BodyReader::boolean(std::string_view name, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) return wrong_type(name, "true or false"), std::nullopt;
  return v->get<bool>();
}

std::optional<int64_t> BodyReader::decimal(std::string_view name, int scale, int64_t min_scaled,
                                           int64_t max_scaled, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  std::optional<int64_t> x;
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    x = parse_decimal(std::to_string(v->get<int64_t>()), scale);
  } else if (v->is_number_unsigned()) {
    x = parse_decimal(std::to_string(v->get<uint64_t>()), scale);
  } else if (v->is_string()) {
    x = parse_decimal(v->get_ref<const std::string&>(), scale);
    if (!x) {
      fail("bad_format", path_of(name) + " must be a decimal with at most " + std::to_string(scale) +
                             " fraction digits, e.g. \"0.03\"");
      return std::nullopt;
    }
  } else {
    return wrong_type(name, "a decimal string such as \"0.03\" or an integer"), std::nullopt;
  }
  if (!x || *x < min_scaled || *x > max_scaled) {
    fail("out_of_range", path_of(name) + " is out of range");
    return std::nullopt;
  }
  return x;
}

std::optional<int64_t> BodyReader::date(std::string_view name, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a date string YYYY-MM-DD"), std::nullopt;
  auto day = parse_date(v->get_ref<const std::string&>());
  if (!day) fail("bad_format", path_of(name) + " must be a real date YYYY-MM-DD");
  return day;
}

std::optional<int64_t> BodyReader::time(std::string_view name, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "an RFC 3339 time string"), std::nullopt;
  auto ms = ledger::rfc3339_to_unix_ms(v->get_ref<const std::string&>());
  if (!ms) fail("bad_format", path_of(name) + " must be an RFC 3339 time, e.g. 2026-11-23T10:00:00+08:00");
  return ms;
}

std::optional<std::string> BodyReader::hex(std::string_view name, size_t bytes, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a hex string"), std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  if (!is_hex_lower(s, bytes)) {
    fail("bad_format", path_of(name) + " must be " + std::to_string(2 * bytes) + " lowercase hex digits");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> BodyReader::patient_ref(std::string_view name, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(name, "a string"), std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() == 18 && (is_resident_id(s) || in_charset(s.substr(0, 17), Charset::kDigits))) {
    fail("patient_identifier_in_clear",
         path_of(name) + " looks like a resident identity number; send the keyed hash instead");
    return std::nullopt;
  }
  if (!is_hex_lower(s, 32)) {
    fail("bad_format", path_of(name) + " must be 64 lowercase hex digits (HMAC-SHA-256)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> BodyReader::string_list(
    std::string_view name, size_t min_items, size_t max_items, bool (*valid)(std::string_view),
    std::string_view what, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) return wrong_type(name, "an array of strings"), std::nullopt;
  if (v->size() > max_items) {
    fail("too_many_items", path_of(name) + " has " + std::to_string(v->size()) + " items, at most " +
                               std::to_string(max_items));
    return std::nullopt;
  }
  if (v->size() < min_items) {
    fail("too_few_items", path_of(name) + " needs at least " + std::to_string(min_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(v->size());
  std::set<std::string_view> seen;
  for (size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& e = (*v)[i];
    const std::string at = path_of(name) + "[" + std::to_string(i) + "]";
    if (!e.is_string()) return fail("wrong_type", at + " must be a string"), std::nullopt;
    const std::string& s = e.get_ref<const std::string&>();
    if (s.size() > 256 || !valid(s)) {
      return fail("bad_format", at + " must be " + std::string(what)), std::nullopt;
    }
    if (contains_resident_id(s)) return resident_id_in(name), std::nullopt;
    if (!seen.insert(s).second) return fail("bad_format", at + " repeats an earlier item"), std::nullopt;
    out.push_back(s);
  }
  return out;
}

std::optional<BodyReader> BodyReader::object(std::string_view name, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) return wrong_type(name, "an object"), std::nullopt;
  return BodyReader(*v, path_of(name), problem_);
}

const nlohmann::json* BodyReader::array(std::string_view name, size_t min_items, size_t max_items,
                                        Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) return wrong_type(name, "an array"), nullptr;
  if (v->size() > max_items) {
    fail("too_many_items", path_of(name) + " has " + std::to_string(v->size()) + " items, at most " +
                               std::to_string(max_items));
    return nullptr;
  }
  if (v->size() < min_items) {
    fail("too_few_items", path_of(name) + " needs at least " + std::to_string(min_items) + " items");
    return nullptr;
  }
  return v;
}

const nlohmann::json* BodyReader::raw_object(std::string_view name, Presence presence) {
  const nlohmann::json* v = field(name, presence);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) return wrong_type(name, "an object"), nullptr;
  return v;
}

BodyReader BodyReader::element(const nlohmann::json& array, size_t i) const {
  // The array's own path is the last field read.
  std::string at = (read_.empty() ? path_ : path_of(read_.back())) + "[" + std::to_string(i) + "]";
  return BodyReader(array.at(i), std::move(at), problem_);
}

bool BodyReader::finish() {
  if (ok() && value_->is_object()) {
    for (const auto& [key, unused] : value_->items()) {
      if (std::find(read_.begin(), read_.end(), key) == read_.end()) {
        fail("unknown_field", path_of(quotable_name(key)) + " is not a field of this kind");
        break;
      }
    }
  }
  return ok();
}

ExecutionResult BodyReader::result() const {
  return problem_->has_value() ? **problem_ : ExecutionResult::accept();
}

}  // namespace medtrail::contracts
