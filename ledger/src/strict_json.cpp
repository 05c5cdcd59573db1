#include "strict_json.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace medtrail::ledger {
namespace {

using nlohmann::json;

// nlohmann SAX handler. Records the type (and string or integer value) of each wanted
// top-level field, checks depth on the way down and key uniqueness when an object closes.
class ClosedObjectHandler {
 public:
  ClosedObjectHandler(std::span<const std::string_view> names, ObjectScan& out)
      : names_(names), out_(out) {}

  bool null() {
    on_value(JsonType::kNull);
    return true;
  }
  bool boolean(bool) {
    on_value(JsonType::kBool);
    return true;
  }
  bool number_integer(json::number_integer_t v) {
    if (ScannedField* f = on_value(JsonType::kInteger)) {
      f->integer = v;
      f->integer_fits = true;
    }
    return true;
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (ScannedField* f = on_value(JsonType::kInteger)) {
      f->integer_fits = v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      f->integer = f->integer_fits ? static_cast<int64_t>(v) : 0;
    }
    return true;
  }
  bool number_float(json::number_float_t, const json::string_t&) {
    on_value(JsonType::kFloat);
    return true;
  }
  bool string(json::string_t& v) {
    if (ScannedField* f = on_value(JsonType::kString)) f->text = std::move(v);
    return true;
  }
  bool binary(json::binary_t&) { return true; }  // never produced by the JSON format

  bool start_object(size_t) {
    if (!enter(JsonType::kObject)) return false;
    if (keys_.size() < static_cast<size_t>(depth_)) keys_.resize(depth_);
    keys_[depth_ - 1].clear();
    return true;
  }
  bool key(json::string_t& k) {
    if (depth_ == 1 && root_ == JsonType::kObject) {
      current_ = find(k);
      if (current_ < 0 && out_.unknown_field.empty()) out_.unknown_field = k;
    }
    keys_[depth_ - 1].push_back(std::move(k));
    return true;
  }
  bool end_object() {
    check_unique(keys_[depth_ - 1]);
    --depth_;
    return true;
  }
  bool start_array(size_t) { return enter(JsonType::kArray); }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_ = e.what();
    return false;
  }

  bool too_deep() const { return too_deep_; }
  JsonType root() const { return root_; }
  const std::string& syntax_error() const { return syntax_error_; }
  const std::string* duplicate_key() const { return has_duplicate_ ? &duplicate_key_ : nullptr; }

 private:
  int find(std::string_view k) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == k) return static_cast<int>(i);
    }
    return -1;
  }

  // Records a value's type; returns its field when it is a wanted top-level value.
  ScannedField* on_value(JsonType t) {
    if (depth_ == 0) {
      root_ = t;
      return nullptr;
    }
    if (depth_ == 1 && root_ == JsonType::kObject && current_ >= 0) {
      ScannedField& f = out_.fields[current_];
      f.type = t;
      return &f;
    }
    return nullptr;
  }

  bool enter(JsonType t) {
    on_value(t);
    if (++depth_ > kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  void check_unique(std::vector<std::string>& keys) {
    if (has_duplicate_ || keys.size() < 2) return;
    const std::string* dup = nullptr;
    if (keys.size() <= 8) {
      for (size_t i = 0; i < keys.size() && dup == nullptr; ++i) {
        for (size_t j = i + 1; j < keys.size(); ++j) {
          if (keys[i] == keys[j]) {
            dup = &keys[i];
            break;
          }
        }
      }
    } else {  // O(n log n): a 64 KiB object of tiny keys must not cost quadratic time
      std::sort(keys.begin(), keys.end());
      auto it = std::adjacent_find(keys.begin(), keys.end());
      if (it != keys.end()) dup = &*it;
    }
    if (dup != nullptr) {
      has_duplicate_ = true;
      duplicate_key_ = *dup;
    }
  }

  std::span<const std::string_view> names_;
  ObjectScan& out_;
  int depth_ = 0;
  int current_ = -1;  // the wanted top-level field whose value comes next, -1 if unwanted
  JsonType root_ = JsonType::kAbsent;
  bool too_deep_ = false;
  bool has_duplicate_ = false;
  std::string duplicate_key_;
  std::string syntax_error_ = "malformed JSON";
  // keys_[d] holds the keys of the open object at depth d + 1; reused across siblings.
  std::vector<std::vector<std::string>> keys_;
};

// ClosedObjectHandler's checks and nlohmann's DOM builder in one pass: the document is read
// once whether or not its tree is wanted.
class CheckedDomHandler {
 public:
  CheckedDomHandler(ClosedObjectHandler& checks, json& dom)
      : checks_(checks), dom_(dom, /*allow_exceptions=*/false) {}

  bool null() { return dom_.null() && checks_.null(); }
  bool boolean(bool v) { return dom_.boolean(v) && checks_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v) && checks_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v) && checks_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return dom_.number_float(v, s) && checks_.number_float(v, s);
  }
  // The DOM copies the string; the checks may then take it.
  bool string(json::string_t& v) { return dom_.string(v) && checks_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v) && checks_.binary(v); }
  bool start_object(size_t n) { return checks_.start_object(n) && dom_.start_object(n); }
  bool key(json::string_t& k) { return dom_.key(k) && checks_.key(k); }
  bool end_object() { return dom_.end_object() && checks_.end_object(); }
  bool start_array(size_t n) { return checks_.start_array(n) && dom_.start_array(n); }
  bool end_array() { return dom_.end_array() && checks_.end_array(); }
  bool parse_error(size_t position, const std::string& token, const nlohmann::detail::exception& e) {
    return checks_.parse_error(position, token, e);
  }

 private:
  ClosedObjectHandler& checks_;
  nlohmann::detail::json_sax_dom_parser<json> dom_;
};

}  // namespace

const char* json_type_name(JsonType type) {
  switch (type) {
    case JsonType::kAbsent:
      return "absent";
    case JsonType::kNull:
      return "null";
    case JsonType::kBool:
      return "a boolean";
    case JsonType::kInteger:
      return "an integer";
    case JsonType::kFloat:
      return "a non-integer number";
    case JsonType::kString:
      return "a string";
    case JsonType::kObject:
      return "an object";
    case JsonType::kArray:
      return "an array";
  }
  return "unknown";
}

Status scan_closed_object(std::string_view text, std::span<const std::string_view> names,
                          ObjectScan& out, nlohmann::json* dom) {
  // nlohmann skips a UTF-8 byte order mark; RFC 8259 §8.1 forbids sending one.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return Status::error("malformed_json", "byte order mark before JSON text");
  }
  ClosedObjectHandler handler(names, out);
  bool ok = false;
  try {
    if (dom != nullptr) {
      CheckedDomHandler both(handler, *dom);
      ok = json::sax_parse(text.data(), text.data() + text.size(), &both);
    } else {
      ok = json::sax_parse(text.data(), text.data() + text.size(), &handler);
    }
  } catch (const json::exception& e) {  // not expected from the SAX path; never let one out
    return Status::error("malformed_json", e.what());
  }
  if (handler.too_deep()) {
    return Status::error("malformed_json", "JSON nested too deep (more than " +
                                               std::to_string(kMaxJsonDepth) + " levels)");
  }
  if (!ok) return Status::error("malformed_json", handler.syntax_error());
  if (handler.root() != JsonType::kObject) {
    return Status::error("not_an_object", std::string("expected a JSON object, got ") +
                                              json_type_name(handler.root()));
  }
  if (const std::string* dup = handler.duplicate_key()) {
    return Status::error("duplicate_key", "duplicate key \"" + *dup + "\"");
  }
  return Status();
}

}  // namespace medtrail::ledger
