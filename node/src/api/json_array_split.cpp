#include "api/json_array_split.h"

#include <string>

namespace medtrail::node::api {

namespace {

using ledger::Result;
using ledger::Status;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A character that may appear in a bare literal (true, false, null, a number).
bool is_literal_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
         c == 'E';
}

Status malformed(const std::string& what) { return Status::error("malformed_json", what); }

class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  size_t pos() const { return pos_; }
  void advance() { ++pos_; }

  // Moves past one string; pos_ is at its opening quote.
  Status skip_string() {
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return Status();
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        ++pos_;  // the escaped character, whatever it is: the element's parser checks it
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return malformed("control character in a string");
      }
    }
    return malformed("unterminated string");
  }

  // Moves past one value; pos_ is at its first character.
  Status skip_value() {
    char first = peek();
    if (first == '"') return skip_string();
    if (first != '{' && first != '[') {
      size_t start = pos_;
      while (pos_ < text_.size() && is_literal_char(text_[pos_])) ++pos_;
      return pos_ == start ? malformed("unexpected character") : Status();
    }
    // Objects and arrays: match brackets by kind; strings may hold any bracket.
    std::string open;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') {
        MEDTRAIL_RETURN_IF_ERROR(skip_string());
        continue;
      }
      ++pos_;
      if (c == '{' || c == '[') {
        if (open.size() >= kMaxSplitDepth) return malformed("nested too deeply");
        open.push_back(c);
      } else if (c == '}' || c == ']') {
        if (open.empty() || open.back() != (c == '}' ? '{' : '[')) {
          return malformed("mismatched bracket");
        }
        open.pop_back();
        if (open.empty()) return Status();
      }
    }
    return malformed("unterminated value");
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<std::string_view>> split_json_array(std::string_view text, size_t max_elements) {
  Splitter s(text);
  s.skip_space();
  if (s.at_end() || s.peek() != '[') return malformed("not an array");
  s.advance();
  std::vector<std::string_view> elements;
  s.skip_space();
  if (!s.at_end() && s.peek() == ']') {
    s.advance();
  } else {
    for (;;) {
      s.skip_space();
      if (s.at_end()) return malformed("unterminated array");
      if (s.peek() == ',' || s.peek() == ']') return malformed("empty element");
      if (elements.size() >= max_elements) {
        return Status::error("too_many_records",
                             "more than " + std::to_string(max_elements) + " elements");
      }
      size_t start = s.pos();
      MEDTRAIL_RETURN_IF_ERROR(s.skip_value());
      elements.push_back(text.substr(start, s.pos() - start));
      s.skip_space();
      if (s.at_end()) return malformed("unterminated array");
      char c = s.peek();
      s.advance();
      if (c == ']') break;
      if (c != ',') return malformed("expected ',' or ']'");
    }
  }
  s.skip_space();
  if (!s.at_end()) return malformed("text after the array");
  return elements;
}

}  // namespace medtrail::node::api
