#pragma once
// Request targets: splitting path from query and percent-decoding (RFC 3986 §2.1).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::node::http {

// Decodes %XX escapes; a truncated or non-hex escape is `bad_request`. `plus_is_space` applies
// the form-encoding rule used in query strings.
ledger::Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

struct SplitTarget {
  std::string_view path;   // still encoded
  std::string_view query;  // after '?', without any '#fragment'
};
SplitTarget split_target(std::string_view target);

// "a=1&b=x%20y" -> {a: "1", b: "x y"}; the last value of a repeated key wins; "flag" -> "".
ledger::Result<std::map<std::string, std::string>> parse_query(std::string_view query);

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}. Segments are not decoded here so an
// encoded "%2F" stays inside its segment.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace medtrail::node::http
