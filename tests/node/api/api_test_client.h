#pragma once
// A blocking HTTP/1.1 client for the API tests: one keep-alive connection, every operation
// under a deadline so a server bug fails a test instead of hanging it.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace medtrail::node::api::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class ApiClient {
 public:
  explicit ApiClient(uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // Connects on first use and again after a transport error; status 0 when the exchange failed.
  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& content_type = "");
  Reply get(const std::string& target) { return request("GET", target); }
  Reply post(const std::string& target, const std::string& body,
             const std::string& content_type = "application/json") {
    return request("POST", target, body, content_type);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medtrail::node::api::testing
