#pragma once
// Strict reading of a record's `body` (or of an object inside it) against the kind's schema.
// Every getter checks presence, JSON type and range or format — and that no string holds a
// resident identity number (`patient_identifier_in_clear`); the first problem is kept, later
// getters do nothing, and finish() also refuses fields nobody asked for. Messages name the
// field by its path ("body.items[2].quantity") so a client can fix its input.
//
// Reason codes (docs/contracts.md): missing_field, wrong_type, unknown_field, out_of_range,
// bad_format, too_many_items, too_few_items, patient_identifier_in_clear.
//
// No floating point: decimals are JSON strings ("0.03", "-2.5") or integers, read as integers
// scaled by 10^scale; a JSON float is `wrong_type`.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/resident_id.h"

namespace medtrail::contracts {

enum class Presence { kRequired, kOptional };

// Character sets for identifiers and codes.
enum class Charset {
  kId,      // [a-z0-9-]           organisation, user and node ids
  kCode,    // [A-Za-z0-9._-]      lot numbers, batch codes, product codes, record references
  kDigits,  // [0-9]
};

class BodyReader {
 public:
  // `value` must outlive the reader. A value that is not an object is `wrong_type` at once.
  BodyReader(const nlohmann::json& value, std::string path);

  // Printable UTF-8 without control characters, 1..max_len bytes.
  std::optional<std::string> text(std::string_view name, size_t max_len,
                                  Presence presence = Presence::kRequired);
  std::optional<std::string> token(std::string_view name, Charset charset, size_t min_len,
                                   size_t max_len, Presence presence = Presence::kRequired);
  // A string accepted by `valid`; `what` completes "must be ..." in the message.
  std::optional<std::string> matching(std::string_view name, bool (*valid)(std::string_view),
                                      std::string_view what,
                                      Presence presence = Presence::kRequired);
  std::optional<std::string> one_of(std::string_view name,
                                    std::initializer_list<std::string_view> values,
                                    Presence presence = Presence::kRequired);
  std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max,
                                 Presence presence = Presence::kRequired);
  std::optional<bool> boolean(std::string_view name, Presence presence = Presence::kRequired);
  std::optional<int64_t> decimal(std::string_view name, int scale, int64_t min_scaled,
                                 int64_t max_scaled, Presence presence = Presence::kRequired);
  // "YYYY-MM-DD" -> day number (calendar.h).
  std::optional<int64_t> date(std::string_view name, Presence presence = Presence::kRequired);
  // RFC 3339 -> ms since the Unix epoch.
  std::optional<int64_t> time(std::string_view name, Presence presence = Presence::kRequired);
  // Lowercase hex of exactly `bytes` bytes.
  std::optional<std::string> hex(std::string_view name, size_t bytes,
                                 Presence presence = Presence::kRequired);
  // A 64-hex keyed hash; an 18-character resident identity number is refused as
  // `patient_identifier_in_clear`, anything else malformed as `bad_format`.
  std::optional<std::string> patient_ref(std::string_view name,
                                         Presence presence = Presence::kRequired);
  // Lists of strings: each element by `valid`, unique, min..max elements.
  std::optional<std::vector<std::string>> string_list(std::string_view name, size_t min_items,
                                                      size_t max_items,
                                                      bool (*valid)(std::string_view),
                                                      std::string_view what,
                                                      Presence presence = Presence::kRequired);

  // A nested object, read with its own reader (which shares this reader's problem).
  std::optional<BodyReader> object(std::string_view name, Presence presence = Presence::kRequired);
  // An array of objects with min..max elements: element(i) reads each.
  const nlohmann::json* array(std::string_view name, size_t min_items, size_t max_items,
                              Presence presence = Presence::kRequired);
  BodyReader element(const nlohmann::json& array, size_t i) const;
  // A nested object that another strict parser validates (e.g. a genesis node entry).
  const nlohmann::json* raw_object(std::string_view name, Presence presence = Presence::kRequired);

  // A field this body may hold only in another case (another type, another decision):
  // `unknown_field`, saying where it belongs ("body.doses belongs to <belongs_to>").
  void refuse_field(std::string_view name, std::string_view belongs_to);
  // Records a problem found by a rule across fields (first one wins).
  void fail(std::string code, std::string message);
  // The path of a field of this object, for callers' own messages.
  std::string path_of(std::string_view name) const;

  bool ok() const { return !problem_->has_value(); }
  // Checks for fields that were never read; true when no problem was found anywhere.
  bool finish();
  // The first problem as a rejection (accept() when there is none).
  ledger::ExecutionResult result() const;

 private:
  BodyReader(const nlohmann::json& value, std::string path,
             std::shared_ptr<std::optional<ledger::ExecutionResult>> problem);
  const nlohmann::json* field(std::string_view name, Presence presence);
  void wrong_type(std::string_view name, std::string_view expected);
  void resident_id_in(std::string_view name);

  const nlohmann::json* value_;
  std::string path_;
  std::vector<std::string> read_;
  std::shared_ptr<std::optional<ledger::ExecutionResult>> problem_;
};

// Formats shared by several families.
using ledger::is_resident_id;  // GB 11643-1999, with a valid check character
bool contains_resident_id(std::string_view text);  // a run of exactly 18 [0-9Xx] that is one
bool is_hex_lower(std::string_view text, size_t bytes);
bool is_identity_id(std::string_view text);  // "<org>/<name>", each [a-z0-9-] 1..64
// An ICD-10 code: a capital letter, 2 digits, optionally "." and 1-2 capitals or digits (J06.9).
bool is_icd10(std::string_view text);
inline constexpr std::string_view kIcd10Format = "an ICD-10 code such as J06.9";
// "12.345" with at most `scale` fraction digits -> 12345 (scale 3), as decimal() reads a string;
// integer arithmetic only. nullopt when malformed.
std::optional<int64_t> parse_decimal(std::string_view text, int scale);

}  // namespace medtrail::contracts
