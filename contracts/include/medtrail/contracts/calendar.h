#pragma once
// Calendar days without a clock or a time zone database: the chain has one fixed UTC offset
// (genesis `time_zone`), and validity rules count whole days in it. Day numbers are days since
// 1970-01-01 (proleptic Gregorian), so they compare and subtract as integers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::contracts {

inline constexpr int64_t kMsPerDay = 86'400'000;
inline constexpr int64_t kMsPerHour = 3'600'000;

// "YYYY-MM-DD" (years 1900..9999, a real date) to its day number.
std::optional<int64_t> parse_date(std::string_view text);
std::string format_date(int64_t day);
// The same date `years` later: the day a period of whole years is complete (29 February's
// anniversary in a common year is 1 March).
int64_t add_years(int64_t day, int years);
// The calendar day containing `unix_ms` at the given UTC offset.
int64_t day_of(int64_t unix_ms, int32_t utc_offset_minutes);
// The first millisecond of `day` at the offset (day ends one ms before day + 1 starts).
int64_t day_start_ms(int64_t day, int32_t utc_offset_minutes);
// "+08:00" / "-05:30" to minutes; nullopt when malformed or beyond ±14:00.
std::optional<int32_t> parse_utc_offset(std::string_view text);

}  // namespace medtrail::contracts
