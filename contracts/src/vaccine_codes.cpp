#include "vaccine_codes.h"

#include <algorithm>

#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) { return std::all_of(s.begin(), s.end(), is_digit); }

// GS1 AI-82 restricted to what the chain uses for lots and serials.
bool is_code_char(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' || c == '_' ||
         c == '-';
}

bool is_code_text(std::string_view s, size_t max_len) {
  return !s.empty() && s.size() <= max_len && std::all_of(s.begin(), s.end(), is_code_char);
}

int two_digits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

// YYMMDD with a real month and a day that month can have (29 for February: the century, and so
// the leap year, is unknown here); DD 00 is allowed by GS1 for "end of month".
bool is_yymmdd(std::string_view s) {
  if (s.size() != 6 || !all_digits(s)) return false;
  static constexpr int kMaxDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month = two_digits(s.substr(2));
  const int day = two_digits(s.substr(4));
  return month >= 1 && month <= 12 && day <= kMaxDays[month - 1];
}

// Takes `prefix` off the front of `s`; false if `s` does not start with it.
bool consume(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// "(01)<14>(17)<6>(10)<lot>(21)<serial>", in that order and nothing else.
std::optional<vaccine::Gs1Attributes> parse_gs1(std::string_view s) {
  vaccine::Gs1Attributes a;
  if (!consume(s, "(01)") || s.size() < 14) return std::nullopt;
  a.gtin = std::string(s.substr(0, 14));
  s.remove_prefix(14);
  if (!gtin_check_digit_ok(a.gtin) || !consume(s, "(17)") || s.size() < 6) return std::nullopt;
  a.expiry = std::string(s.substr(0, 6));
  s.remove_prefix(6);
  if (!is_yymmdd(a.expiry) || !consume(s, "(10)")) return std::nullopt;
  // The lot's characters exclude '(' so the next AI is where it ends.
  const size_t end = s.find("(21)");
  if (end == std::string_view::npos) return std::nullopt;
  a.lot = std::string(s.substr(0, end));
  a.serial = std::string(s.substr(end + 4));
  if (!is_code_text(a.lot, 20) || !is_code_text(a.serial, 20)) return std::nullopt;
  return a;
}

}  // namespace

bool gtin_check_digit_ok(std::string_view gtin) {
  if (gtin.size() != 14 || !all_digits(gtin)) return false;
  // GS1 General Specifications, check digit calculation: weights 3,1,3,... from the digit left
  // of the check digit leftwards.
  int sum = 0;
  for (size_t i = 0; i < 13; ++i) sum += (gtin[i] - '0') * (i % 2 == 0 ? 3 : 1);
  return (10 - sum % 10) % 10 == gtin[13] - '0';
}

namespace vaccine {

std::optional<DoseCode> parse_dose_code(std::string_view text) {
  if (text.size() == 20 && all_digits(text)) return DoseCode{std::string(text), std::nullopt};
  std::optional<Gs1Attributes> gs1 = parse_gs1(text);
  if (!gs1) return std::nullopt;
  std::string canonical = "01" + gs1->gtin + "21" + gs1->serial;
  return DoseCode{std::move(canonical), std::move(gs1)};
}

bool is_dose_code(std::string_view text) { return parse_dose_code(text).has_value(); }

bool gs1_expiry_matches(std::string_view yymmdd, int64_t expiry_day) {
  const std::string date = format_date(expiry_day);  // YYYY-MM-DD
  if (yymmdd.substr(0, 2) != date.substr(2, 2) || yymmdd.substr(2, 2) != date.substr(5, 2)) {
    return false;
  }
  if (yymmdd.substr(4, 2) == "00") return format_date(expiry_day + 1).ends_with("-01");
  return yymmdd.substr(4, 2) == date.substr(8, 2);
}

}  // namespace vaccine

std::optional<std::string> canonical_dose_code(std::string_view text) {
  std::optional<vaccine::DoseCode> code = vaccine::parse_dose_code(text);
  if (!code) return std::nullopt;
  return std::move(code->canonical);
}

}  // namespace medtrail::contracts
