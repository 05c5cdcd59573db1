#include "medtrail/ledger/resident_id.h"

#include "medtrail/ledger/rfc3339.h"

namespace medtrail::ledger {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digits(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

bool is_resident_id(std::string_view s) {
  if (s.size() != 18) return false;
  for (size_t i = 0; i < 17; ++i) {
    if (!is_digit(s[i])) return false;
  }
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (s[i] - '0') * kWeights[i];
  const char last = s[17] == 'x' ? 'X' : s[17];
  if (kCheck[sum % 11] != last) return false;
  const int year = digits(s.substr(6, 4));
  const int month = digits(s.substr(10, 2));
  const int day = digits(s.substr(12, 2));
  return year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::optional<std::string> normalise_resident_id(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  if (!is_resident_id(text)) return std::nullopt;
  std::string id(text);
  if (id[17] == 'x') id[17] = 'X';
  return id;
}

}  // namespace medtrail::ledger
