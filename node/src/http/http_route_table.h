#pragma once
// Maps (method, decoded path segments) to a handler. Patterns are literal segments and "{name}"
// captures. Immutable once the server starts, so lookups need no lock.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_server.h"

namespace medtrail::node::http {

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Handler* handler = nullptr;           // set when kFound
  std::string pattern;                        // set when kFound
  std::map<std::string, std::string> params;  // set when kFound
  std::string allow;                          // set when kMethodNotAllowed: "GET, POST"
};

class RouteTable {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  // Adds the routes of `other` that `keep` selects; their handlers are copies, so whatever
  // state they share (caches, rate limits) stays shared between the two tables.
  void add_from(const RouteTable& other,
                const std::function<bool(std::string_view method, std::string_view pattern)>& keep);
  RouteMatch match(std::string_view method, const std::vector<std::string>& segments) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a capture
    Handler handler;
  };
  static bool is_capture(const std::string& segment);
  static bool matches(const Route& route, const std::vector<std::string>& segments);
  // True when `a` is more specific than `b`: at the first position where they differ in kind,
  // `a` has a literal. So "/records/latest" wins over "/records/{id}" whatever the order.
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace medtrail::node::http
