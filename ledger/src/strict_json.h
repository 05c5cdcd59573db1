#pragma once
// Private: a strict, one-pass scan of a JSON object with a closed set of top-level fields,
// for inputs whose exact bytes are signed (envelopes, payloads). No DOM is built.
//
// Strict means: RFC 8259 syntax with no byte order mark and nothing after the value, nesting
// at most kMaxJsonDepth levels, and no duplicate key in any object at any depth. nlohmann
// silently keeps one of two equal keys; two readers that kept different ones would disagree
// about what was signed, so a duplicate refuses the document. Keys are compared after
// unescaping, so "a" and "\u0061" are the same key.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// Deeper documents are refused before they can cost anything; no record kind needs more.
inline constexpr int kMaxJsonDepth = 32;
inline constexpr size_t kMaxScannedFields = 8;

enum class JsonType : uint8_t { kAbsent, kNull, kBool, kInteger, kFloat, kString, kObject, kArray };

// "a string", "an object", ... for error messages.
const char* json_type_name(JsonType type);

struct ScannedField {
  JsonType type = JsonType::kAbsent;
  std::string text;           // the unescaped value when type == kString
  int64_t integer = 0;        // the value when type == kInteger and integer_fits
  bool integer_fits = false;  // false for integers above INT64_MAX
};

struct ObjectScan {
  // fields[i] describes the top-level value of names[i].
  std::array<ScannedField, kMaxScannedFields> fields;
  // The first top-level key outside `names`, in document order; empty if none.
  std::string unknown_field;
};

// Scans `text` as a strict JSON object. Errors, in this order of precedence: malformed_json
// (syntax, byte order mark, nesting deeper than kMaxJsonDepth), not_an_object, duplicate_key.
// Unknown fields, missing fields and types are reported in `out` for the caller to judge.
// With `dom`, the same pass also builds the document's tree there (valid only when the scan
// succeeds). Precondition: names.size() <= kMaxScannedFields. Never throws.
Status scan_closed_object(std::string_view text, std::span<const std::string_view> names,
                          ObjectScan& out, nlohmann::json* dom = nullptr);

}  // namespace medtrail::ledger
