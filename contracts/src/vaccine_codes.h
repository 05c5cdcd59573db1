#pragma once
// Parsing of dose codes: China's 20-digit drug traceability code and the GS1 element string
// (GS1 General Specifications: AI 01 GTIN, AI 17 expiry YYMMDD, AI 10 batch/lot, AI 21 serial).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::contracts::vaccine {

struct Gs1Attributes {
  std::string gtin;    // 14 digits, check digit verified
  std::string expiry;  // YYMMDD as printed; DD "00" means the month's last day
  std::string lot;
  std::string serial;
};

struct DoseCode {
  std::string canonical;             // "vcode/<canonical>" keys the dose
  std::optional<Gs1Attributes> gs1;  // absent for a 20-digit code
};

std::optional<DoseCode> parse_dose_code(std::string_view text);
bool is_dose_code(std::string_view text);
inline constexpr std::string_view kDoseCodeFormat =
    "a 20-digit traceability code or a GS1 string (01)<GTIN-14>(17)<YYMMDD>(10)<lot>(21)<serial>";

// Whether a GS1 (17) date names `expiry_day` (calendar.h day number). Compares YYMMDD with the
// lot's own date, so no century has to be guessed (GS1's century rule would need today's date).
bool gs1_expiry_matches(std::string_view yymmdd, int64_t expiry_day);

}  // namespace medtrail::contracts::vaccine
