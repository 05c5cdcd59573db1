#include "medtrail/ledger/payload_body.h"

namespace medtrail::ledger {

namespace {

constexpr size_t kNone = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// `i` at an opening quote: the index just past the closing one.
size_t skip_string(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // the escaped character, whatever it is, cannot close the string
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return kNone;
}

// `i` at the first character of a value: the index just past it (a scalar ends where the
// member's separator or the object's end begins; trailing spaces are the caller's to trim).
size_t skip_value(std::string_view s, size_t i) {
  size_t depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      i = skip_string(s, i);
      if (i == kNone) return kNone;
      if (depth == 0) return i;
    } else if (c == '{' || c == '[') {
      ++depth;
      ++i;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the enclosing object's end: a scalar stopped here
      ++i;
      if (--depth == 0) return i;
    } else if (c == ',' && depth == 0) {
      return i;
    } else {
      ++i;
    }
  }
  return depth == 0 ? i : kNone;
}

}  // namespace

std::optional<std::string_view> payload_body_text(std::string_view payload) {
  return payload_member_text(payload, "body");
}

std::optional<std::string_view> payload_plain_string(std::string_view payload, std::string_view key) {
  std::optional<std::string_view> text = payload_member_text(payload, key);
  if (!text || text->size() < 2 || text->front() != '"' || text->back() != '"') return std::nullopt;
  std::string_view inner = text->substr(1, text->size() - 2);
  if (inner.find('\\') != std::string_view::npos) return std::nullopt;
  return inner;
}

std::optional<std::string_view> payload_member_text(std::string_view payload, std::string_view wanted) {
  size_t i = skip_space(payload, 0);
  if (i >= payload.size() || payload[i] != '{') return std::nullopt;
  ++i;
  for (;;) {
    i = skip_space(payload, i);
    if (i >= payload.size() || payload[i] != '"') return std::nullopt;  // `}`: no body at all
    const size_t key_end = skip_string(payload, i);
    if (key_end == kNone) return std::nullopt;
    const std::string_view key = payload.substr(i + 1, key_end - i - 2);
    if (key.find('\\') != std::string_view::npos) return std::nullopt;  // escaped: let a parser decode it
    i = skip_space(payload, key_end);
    if (i >= payload.size() || payload[i] != ':') return std::nullopt;
    const size_t value = skip_space(payload, i + 1);
    if (value >= payload.size()) return std::nullopt;
    size_t end = skip_value(payload, value);
    if (end == kNone || end == value) return std::nullopt;
    i = end;
    while (end > value && is_space(payload[end - 1])) --end;
    if (key == wanted) return payload.substr(value, end - value);
    i = skip_space(payload, i);
    if (i >= payload.size() || payload[i] != ',') return std::nullopt;
    ++i;
  }
}

}  // namespace medtrail::ledger
