#pragma once
// JSON bodies out of the API: one place that decides how a document is serialised.
#include <nlohmann/json.hpp>

#include "http/http_server.h"

namespace medtrail::node::api {

// `body` as compact JSON. Invalid UTF-8 in a string (a stray byte in a client's own field name
// echoed in an error message) is replaced rather than thrown on.
http::Response json_reply(int status, const nlohmann::json& body);

// `value` as json_reply prints it, for a document assembled from printed parts.
std::string json_text(const nlohmann::json& value);

}  // namespace medtrail::node::api
