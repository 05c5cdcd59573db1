#include "medtrail/contracts/calendar.h"

#include <cstdio>

#include "medtrail/ledger/rfc3339.h"

namespace medtrail::contracts {
namespace {

using ledger::civil_from_days;

bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::optional<int64_t> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !digits(t.substr(0, 4)) ||
      !digits(t.substr(5, 2)) || !digits(t.substr(8, 2))) {
    return std::nullopt;
  }
  const int y = to_int(t.substr(0, 4));
  const unsigned m = static_cast<unsigned>(to_int(t.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(to_int(t.substr(8, 2)));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return std::nullopt;
  if (d > static_cast<unsigned>(ledger::days_in_month(y, static_cast<int>(m)))) return std::nullopt;
  return ledger::days_from_civil(y, m, d);
}

std::string format_date(int64_t day) {
  int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

int64_t add_years(int64_t day, int years) {
  int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  y += years;
  // 29 February in a year without one: the anniversary is 1 March (the day after 28 February).
  if (d > static_cast<unsigned>(ledger::days_in_month(static_cast<int>(y), static_cast<int>(m)))) {
    return ledger::days_from_civil(static_cast<int>(y), 3, 1);
  }
  return ledger::days_from_civil(static_cast<int>(y), m, d);
}

int64_t day_of(int64_t unix_ms, int32_t utc_offset_minutes) {
  return floor_div(unix_ms + int64_t{utc_offset_minutes} * 60'000, kMsPerDay);
}

int64_t day_start_ms(int64_t day, int32_t utc_offset_minutes) {
  return day * kMsPerDay - int64_t{utc_offset_minutes} * 60'000;
}

std::optional<int32_t> parse_utc_offset(std::string_view t) {
  if (t.size() != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':' || !digits(t.substr(1, 2)) ||
      !digits(t.substr(4, 2))) {
    return std::nullopt;
  }
  const int h = to_int(t.substr(1, 2));
  const int m = to_int(t.substr(4, 2));
  if (m > 59 || h * 60 + m > 14 * 60) return std::nullopt;
  return (t[0] == '-' ? -1 : 1) * (h * 60 + m);
}

}  // namespace medtrail::contracts
