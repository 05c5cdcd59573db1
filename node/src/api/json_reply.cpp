#include "api/json_reply.h"

namespace medtrail::node::api {

http::Response json_reply(int status, const nlohmann::json& body) { return http::Response::json(status, json_text(body)); }

std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace medtrail::node::api
