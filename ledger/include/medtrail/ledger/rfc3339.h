#pragma once
// RFC 3339 §5.6 date-times as payloads and genesis carry them: upper-case 'T' and 'Z' or a
// ±HH:MM offset, at most 9 fraction digits, no leap seconds (times convert to Unix time, which
// has none).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::ledger {

// Milliseconds since the Unix epoch (fraction truncated), or nullopt if `text` is not one.
std::optional<int64_t> rfc3339_to_unix_ms(std::string_view text);

inline bool is_rfc3339(std::string_view text) { return rfc3339_to_unix_ms(text).has_value(); }

// Days from 1970-01-01 to a civil date (proleptic Gregorian), and the length of a month.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
int days_in_month(int year, int month);
// The civil date of a day count from 1970-01-01 (the inverse of days_from_civil).
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day);

// `ms` as RFC 3339 in UTC to the second, e.g. 2026-12-03T10:00:00Z (a payload's `ts`).
std::string unix_ms_to_rfc3339(int64_t ms);

}  // namespace medtrail::ledger
