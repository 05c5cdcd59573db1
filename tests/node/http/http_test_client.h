#pragma once
// A blocking HTTP/1.1 client for the server tests, plain or TLS, one connection. Every operation
// has a deadline so a server bug fails a test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medtrail::node::http::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string header(const std::string& name) const;
};

class TestClient {
 public:
  explicit TestClient(bool tls = false,
                      std::chrono::milliseconds op_timeout = std::chrono::milliseconds(3000));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Connects to 127.0.0.1:port from `from`, a loopback address (any 127.0.0.0/8 address is the
  // machine's own on Linux: tests play different clients with them).
  bool connect(uint16_t port, const std::string& from = "127.0.0.1");
  // Sends one request and reads its response; nullopt on any transport error.
  std::optional<ClientResponse> request(
      const std::string& method, const std::string& target, const std::string& body = "",
      const std::vector<std::pair<std::string, std::string>>& headers = {});
  bool send_raw(std::string_view bytes);
  std::optional<ClientResponse> read_response();
  // True when the server closes the connection within `timeout` (pending data is discarded).
  bool wait_closed(std::chrono::milliseconds timeout);
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medtrail::node::http::testing
