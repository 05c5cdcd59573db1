#include "api/submission_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

#include "api/json_array_split.h"

namespace medtrail::node::api {

namespace {

using ledger::Result;
using ledger::Status;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Status bad_query(std::string message) { return Status::error("bad_query", std::move(message)); }

Status read_wait(const http::Request& request, const NodeLimits& limits, Submission& out) {
  const std::chrono::milliseconds cap(limits.commit_wait_ms);
  if (auto it = request.query.find("wait"); it != request.query.end()) {
    if (it->second == "commit") {
      out.wait_for_commit = true;
    } else if (it->second != "none") {
      return bad_query("wait must be \"commit\" or \"none\"");
    }
  }
  out.wait = cap;
  if (auto it = request.query.find("timeout_ms"); it != request.query.end()) {
    const std::string& text = it->second;
    uint64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size() || ms == 0 || ms > 1'000'000'000) {
      return bad_query("timeout_ms must be 1..1000000000");
    }
    out.wait = std::min(cap, std::chrono::milliseconds(ms));
  }
  return Status();
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
  size_t semicolon = content_type.find(';');
  if (!equals_ignoring_case(trim(content_type.substr(0, semicolon)), "application/json")) {
    return false;
  }
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    std::string_view parameter = trim(content_type.substr(0, semicolon));
    size_t eq = parameter.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view value = trim(parameter.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!equals_ignoring_case(trim(parameter.substr(0, eq)), "charset") ||
        !(equals_ignoring_case(value, "utf-8") || equals_ignoring_case(value, "utf8"))) {
      return false;
    }
  }
  return true;
}

Result<Submission> read_submission(const http::Request& request, const NodeLimits& limits) {
  if (!is_json_media_type(request.header("content-type"))) {
    return Status::error("unsupported_media_type", "Content-Type must be application/json");
  }
  Submission out;
  MEDTRAIL_RETURN_IF_ERROR(read_wait(request, limits, out));

  const std::string& body = request.body;
  // Validity of the whole document first (no DOM is built); each envelope is then parsed
  // strictly from its own bytes, which is where duplicate keys and unknown fields are caught.
  if (!nlohmann::json::accept(body)) return Status::error("malformed_json", "body is not JSON");
  size_t first = body.find_first_not_of(" \t\r\n");
  if (body[first] == '{') {
    out.single = true;
    out.items.push_back(ledger::envelope_from_wire(body));
    return out;
  }
  if (body[first] != '[') {
    return Status::error("malformed_json", "body must be an envelope or an array of them");
  }
  auto elements = split_json_array(body, limits.max_records_per_request);
  if (!elements.ok()) return elements.status();
  if (elements->empty()) return Status::error("malformed_json", "the array is empty");
  out.items.reserve(elements->size());
  for (std::string_view element : *elements) {
    out.items.push_back(ledger::envelope_from_wire(element));
  }
  return out;
}

}  // namespace medtrail::node::api
