// Request and Response helpers declared in http_server.h.
#include <nlohmann/json.hpp>

#include "http/http_server.h"

namespace medtrail::node::http {

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

Response Response::json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  // `replace` keeps a handler's stray invalid UTF-8 from turning into an exception here.
  return json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace medtrail::node::http
