#include "http/http_message.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "http/http_url.h"

namespace medtrail::node::http {
namespace {

namespace beast_http = boost::beast::http;

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// RFC 9110 §5.1: a field name is a token.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// RFC 9110 §5.5: no control character but HTAB in a field value (CR and LF would start a header
// or a response of the handler's making; any other makes the head unparsable).
bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(),
                      [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

}  // namespace

Request from_beast(BeastRequest&& message, std::string remote_address) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    auto name = field.name_string();
    request.headers[lowercase(std::string_view(name.data(), name.size()))] = std::string(field.value());
  }
  request.body = std::move(message.body());
  request.remote_address = std::move(remote_address);
  return request;
}

ledger::Result<std::vector<std::string>> decode_target(Request& request) {
  SplitTarget split = split_target(request.target);
  if (split.path.empty() || split.path.front() != '/') {
    return ledger::Status::error("bad_request", "request target must start with '/'");
  }
  auto path = percent_decode(split.path, false);
  if (!path) return path.status();
  auto query = parse_query(split.query);
  if (!query) return query.status();
  std::vector<std::string> segments;
  for (std::string_view raw : split_path(split.path)) {
    auto segment = percent_decode(raw, false);
    if (!segment) return segment.status();
    segments.push_back(std::move(segment.value()));
  }
  request.path = std::move(path.value());
  request.query = std::move(query.value());
  return segments;
}

BeastResponse to_beast(Response response, unsigned version, bool keep_alive) {
  int status = response.status;
  if (status < 100 || status > 599) status = 500;
  BeastResponse message;
  message.version(version);
  message.result(static_cast<unsigned>(status));
  message.set(beast_http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) {
    if (!is_token(name) || !is_field_value(value)) continue;
    message.set(name, value);
  }
  if (message.find(beast_http::field::date) == message.end()) message.set(beast_http::field::date, http_date());
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

void strip_body_for_head(BeastResponse& message) {
  const size_t length = message.body().size();
  message.body().clear();
  message.content_length(length);
}

std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  // IMF-fixdate (RFC 9110 §5.6.7); names spelt out, not strftime's locale-dependent ones.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday % 7], utc.tm_mday,
                kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

}  // namespace medtrail::node::http
