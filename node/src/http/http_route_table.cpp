#include "http/http_route_table.h"

#include <set>

#include "http/http_url.h"

namespace medtrail::node::http {

void RouteTable::add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler)};
  for (std::string_view segment : split_path(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

void RouteTable::add_from(const RouteTable& other,
                          const std::function<bool(std::string_view, std::string_view)>& keep) {
  for (const Route& route : other.routes_) {
    if (keep(route.method, route.pattern)) routes_.push_back(route);
  }
}

bool RouteTable::is_capture(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool RouteTable::matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!is_capture(route.segments[i]) && route.segments[i] != segments[i]) return false;
  }
  return true;
}

bool RouteTable::more_specific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    bool a_literal = !is_capture(a.segments[i]);
    bool b_literal = !is_capture(b.segments[i]);
    if (a_literal != b_literal) return a_literal;
  }
  return false;
}

RouteMatch RouteTable::match(std::string_view method,
                             const std::vector<std::string>& segments) const {
  RouteMatch result;
  const Route* best = nullptr;
  std::set<std::string> allowed;
  // HEAD is GET without the body (RFC 9110 §9.3.2) wherever no route names HEAD itself.
  const bool head = method == "HEAD";
  for (const Route& route : routes_) {
    if (!matches(route, segments)) continue;
    allowed.insert(route.method);
    if (route.method == "GET") allowed.insert("HEAD");
    if (route.method != method && !(head && route.method == "GET")) continue;
    if (best == nullptr || more_specific(route, *best) ||
        (head && best->method == "GET" && route.method == "HEAD" && !more_specific(*best, route))) {
      best = &route;
    }
  }
  if (best != nullptr) {
    result.kind = RouteMatch::Kind::kFound;
    result.handler = &best->handler;
    result.pattern = best->pattern;
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& segment = best->segments[i];
      if (is_capture(segment)) result.params[segment.substr(1, segment.size() - 2)] = segments[i];
    }
    return result;
  }
  if (allowed.empty()) return result;
  result.kind = RouteMatch::Kind::kMethodNotAllowed;
  for (const std::string& m : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += m;
  }
  return result;
}

}  // namespace medtrail::node::http
